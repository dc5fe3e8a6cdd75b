import Fluent
import Foundation
import Vapor

struct UsersController {
    func boot(_ routes: RoutesBuilder) {
        routes.on(.GET, "beheer", "gebruikers", permission: .manageUsers, use: page)
        routes.on(.POST, "beheer", "gebruikers", permission: .manageUsers, use: create)
    }

    struct Row: Encodable {
        var name: String
        var email: String
        var role: String
        var bound: String
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
    }

    func page(req: Request) async throws -> View {
        try await render(req, values: [:], errors: [:], created: req.query[String.self, at: "aangemaakt"] != nil)
    }

    func render(_ req: Request, values: [String: String], errors: [String: String], created: Bool) async throws -> View {
        let region = try await DesignStore.region(on: req.db).design
        let users = try await UserRecord.query(on: req.db).with(\.$organisation).sort(\.$name).all()
        let data = PageData(
            users: users.map { u in
                let role = Role(rawValue: u.role)
                let bound = u.municipality.flatMap { region.municipality($0)?.name } ?? u.organisation?.name ?? "–"
                return Row(name: u.name, email: u.email, role: role?.dutchName ?? u.role, bound: bound)
            },
            roles: Role.allCases.map { Option(value: $0.rawValue, label: $0.dutchName, selected: values["role"] == $0.rawValue) },
            municipalities: region.region.municipalities.map { Option(value: $0.code, label: $0.name, selected: values["municipality"] == $0.code) },
            values: values, errors: errors, created: created)
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
                                 organisation: values["organisation"], password: values["password"] ?? "")
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
}
