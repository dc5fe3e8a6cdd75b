import Fluent
import Foundation
import Vapor

struct UsersController {
    func boot(_ routes: RoutesBuilder) {
        routes.on(.GET, "beheer", "gebruikers", permission: .manageUsers, use: page)
        routes.on(.POST, "beheer", "gebruikers", permission: .manageUsers, use: create)
        routes.on(.POST, "beheer", "gebruikers", ":id", "actief", permission: .manageUsers, use: setActive)
    }

    struct Row: Encodable {
        var name: String
        var email: String
        var role: String
        var bound: String
        var active: Bool
        var mustChangePassword: Bool
        var isSelf: Bool
        var activeAction: String
        var hasSecondFactor: Bool
        var secondFactorAction: String
    }

    struct Option: Encodable {
        var value: String
        var label: String
        var selected: Bool
    }

    struct PageData: Encodable {
        var users: [Row]
        var roles: [Option]
        var municipalities: [Option]
        var values: [String: String]
        var errors: [String: String]
        var created: Bool
        var message: String?
    }

    func page(req: Request) async throws -> View {
        try await render(req, values: [:], errors: [:], created: req.query[String.self, at: "aangemaakt"] != nil,
                         message: req.query[String.self, at: "melding"])
    }

    func render(_ req: Request, values: [String: String], errors: [String: String], created: Bool, message: String? = nil) async throws -> View {
        let me = try req.auth.require(AuthenticatedUser.self)
        let region = try await DesignStore.region(on: req.db).design
        let users = try await UserRecord.query(on: req.db).with(\.$organisation).sort(\.$name).all()
        let confirmed = try await SecondFactor.accountsWithSecondFactor(on: req.db)
        let data = PageData(
            users: users.map { u in
                let role = Role(rawValue: u.role)
                let bound = u.municipality.flatMap { region.municipality($0)?.name } ?? u.organisation?.name ?? "–"
                return Row(name: u.name, email: u.email, role: role?.dutchName ?? u.role, bound: bound, active: u.active,
                           mustChangePassword: u.mustChangePassword, isSelf: u.id == me.id, activeAction: AppURL.userActive(u.id!).path,
                           hasSecondFactor: confirmed.contains(u.id!), secondFactorAction: AppURL.userSecondFactor(u.id!).path)
            },
            roles: Role.allCases.map { Option(value: $0.rawValue, label: $0.dutchName, selected: values["role"] == $0.rawValue) },
            municipalities: region.region.municipalities.map { Option(value: $0.code, label: $0.name, selected: values["municipality"] == $0.code) },
            values: values, errors: errors, created: created, message: message)
        return try await req.view.render("users", PageContext(req, title: "Gebruikers", data: data))
    }

    func create(req: Request) async throws -> Response {
        let values = try req.content.decode([String: String].self)
        guard let role = Role(rawValue: values["role"] ?? "") else {
            return try await render(req, values: values, errors: ["role": "Kies een rol."], created: false)
                .encodeResponse(status: .unprocessableEntity, for: req)
        }
        let account = NewAccount(email: values["email"] ?? "", name: values["name"] ?? "", role: role,
                                 municipality: (values["municipality"] ?? "").isEmpty ? nil : values["municipality"],
                                 organisation: values["organisation"], password: values["password"] ?? "", oneTimePassword: true)
        let actor = try req.auth.require(AuthenticatedUser.self)
        do {
            try await Accounts.create(account, actor: actor.email, actorRole: actor.role.rawValue, clock: req.application.clock,
                                      cost: req.application.zorginkoop.bcryptCost, on: req.db)
        } catch let problems as AccountProblems {
            var shown = values
            shown["password"] = nil
            return try await render(req, values: shown, errors: problems.fields, created: false)
                .encodeResponse(status: .unprocessableEntity, for: req)
        }
        return req.redirect(to: AppURL.users.path + "?aangemaakt=1")
    }

    /// Deactivates or reactivates an account; an administrator cannot lock themselves out.
    func setActive(req: Request) async throws -> Response {
        let actor = try req.auth.require(AuthenticatedUser.self)
        guard let id = req.parameters.get("id", as: UUID.self) else { throw Abort(.notFound) }
        let form = try PostedForm(req)
        let active = form["active"] == "ja"
        guard id != actor.id else {
            return try await render(req, values: [:], errors: [:], created: false, message: "U kunt uw eigen account niet deactiveren.")
                .encodeResponse(status: .unprocessableEntity, for: req)
        }
        try await Accounts.setActive(active, user: id, actor: actor.email, actorRole: actor.role.rawValue, reason: form.trimmed("reason"),
                                     clock: req.application.clock, on: req.writer)
        let message = active ? "Het account is weer actief." : "Het account is gedeactiveerd: de sessies en tokens werken niet meer."
        return req.redirect(to: AppURL.users.path + "?melding=" + message.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
    }
}
