import Fluent
import Foundation
import Vapor
import ZorginkoopCore

/// Providers: registration, colleagues, notifications; and the contact-ban page everyone may read.
struct ProviderController {
    func boot(_ routes: RoutesBuilder) {
        routes.get("contactverbod", use: contactBan)
        routes.get("aanbieders", "registreren", use: registrationForm)
        routes.post("aanbieders", "registreren", use: register)
        routes.on(.GET, "organisatie", permission: .manageOrganisation, use: organisation)
        routes.on(.POST, "organisatie", "collega", permission: .manageOrganisation, use: invite)
        routes.on(.GET, "meldingen", permission: .prepareBids, use: notifications)
    }

    func contactBan(req: Request) async throws -> View {
        struct Data: Encodable { var tendersHref: String }
        return try await req.view.render("contact-ban", PageContext(req, title: "Contactverbod tijdens een aanbesteding", data: Data(tendersHref: AppURL.tenders.path)))
    }

    struct Field: Encodable {
        var key: String
        var label: String
        var type: String
        var value: String
        var hint: String?
        var error: String?
    }

    struct RegistrationData: Encodable {
        var action: String
        var fields: [Field]
        var hasErrors: Bool
    }

    static let registrationFields: [(String, String, String, String?)] = [
        ("organisation", "Naam van de organisatie", "text", nil),
        ("kvkNumber", "KvK-nummer", "text", "8 cijfers, zoals op uw uittreksel van de Kamer van Koophandel."),
        ("agbCode", "AGB-code van de organisatie", "text", "8 cijfers (Vektis)."),
        ("name", "Uw naam", "text", nil),
        ("email", "Uw e-mailadres (ook uw inlognaam)", "email", nil),
        ("password", "Wachtwoord", "password", "Minstens 12 tekens."),
    ]

    func registrationForm(req: Request) async throws -> View {
        try await renderRegistration(req, form: PostedForm(values: [:]), errors: [:])
    }

    func renderRegistration(_ req: Request, form: PostedForm, errors: [String: String]) async throws -> View {
        let fields = Self.registrationFields.map { key, label, type, hint in
            Field(key: key, label: label, type: type, value: key == "password" ? "" : form[key], hint: hint, error: errors[key])
        }
        return try await req.view.render("register", PageContext(req, title: "Registreren als zorgaanbieder",
                                                                 data: RegistrationData(action: AppURL.providerRegistration.path, fields: fields, hasErrors: !errors.isEmpty)))
    }

    func register(req: Request) async throws -> Response {
        let form = try PostedForm(req)
        let registration = ProviderRegistration(organisation: form["organisation"], kvkNumber: form["kvkNumber"], agbCode: form["agbCode"],
                                                name: form["name"], email: form["email"], password: form["password"])
        do {
            try await Accounts.register(registration, clock: req.application.clock, cost: req.application.zorginkoop.bcryptCost, on: req.writer)
        } catch let problems as AccountProblems {
            return try await renderRegistration(req, form: form, errors: problems.fields).encodeResponse(status: .unprocessableEntity, for: req)
        }
        return req.redirect(to: AppURL.login(next: AppURL.tenders.path).path)
    }

    struct Colleague: Encodable {
        var name: String
        var email: String
    }

    struct OrganisationData: Encodable {
        var name: String
        var kvkNumber: String
        var agbCode: String
        var colleagues: [Colleague]
        var action: String
        var invited: String?
        var password: String?
        var errors: [String: String]
        var nameValue: String
        var emailValue: String
    }

    func organisation(req: Request) async throws -> View {
        try await renderOrganisation(req, invited: nil, password: nil, errors: [:], form: PostedForm(values: [:]))
    }

    func renderOrganisation(_ req: Request, invited: String?, password: String?, errors: [String: String], form: PostedForm) async throws -> View {
        let id = try BidService.organisation(of: req)
        guard let organisation = try await OrganisationRecord.find(id, on: req.db) else { throw Abort(.notFound) }
        let colleagues = try await UserRecord.query(on: req.db).filter(\.$organisation.$id == id).sort(\.$name).all()
        let data = OrganisationData(name: organisation.name, kvkNumber: organisation.kvkNumber ?? "–", agbCode: organisation.agbCode ?? "–",
                                    colleagues: colleagues.map { Colleague(name: $0.name, email: $0.email) },
                                    action: "/organisatie/collega", invited: invited, password: password, errors: errors,
                                    nameValue: form["name"], emailValue: form["email"])
        return try await req.view.render("organisation", PageContext(req, title: organisation.name, data: data))
    }

    /// Adds a colleague to one's own organisation, with a one-time password to pass on.
    func invite(req: Request) async throws -> Response {
        let user = try req.auth.require(AuthenticatedUser.self)
        let id = try BidService.organisation(of: req)
        guard let organisation = try await OrganisationRecord.find(id, on: req.db) else { throw Abort(.notFound) }
        let form = try PostedForm(req)
        let password = String(Tokens.generate().dropFirst(3).prefix(20))
        do {
            try await Accounts.create(NewAccount(email: form["email"], name: form["name"], role: .provider, organisation: organisation.name, password: password, oneTimePassword: true),
                                      actor: user.email, actorRole: user.role.rawValue, clock: req.application.clock,
                                      cost: req.application.zorginkoop.bcryptCost, on: req.writer)
        } catch let problems as AccountProblems {
            return try await renderOrganisation(req, invited: nil, password: nil, errors: problems.fields, form: form)
                .encodeResponse(status: .unprocessableEntity, for: req)
        }
        return try await renderOrganisation(req, invited: form["email"].lowercased(), password: password, errors: [:], form: PostedForm(values: [:]))
            .encodeResponse(status: .created, for: req)
    }

    struct NotificationRow: Encodable {
        var text: String
        var at: String
        var href: String
        var unread: Bool
    }

    func notifications(req: Request) async throws -> View {
        let id = try BidService.organisation(of: req)
        // A notification dated later (a publication that takes effect then) is not shown before its time.
        let now = req.now
        let records = try await NotificationRecord.query(on: req.db).filter(\.$organisation.$id == id).filter(\.$createdAt <= now)
            .sort(\.$createdAt, .descending).limit(100).all()
        let rows = records.map { NotificationRow(text: $0.text, at: DutchTime.dateTime($0.createdAt), href: $0.link, unread: $0.readAt == nil) }
        if rows.contains(where: \.unread) {
            try await req.application.decisions.transaction { writer in
                try await NotificationRecord.query(on: writer).filter(\.$organisation.$id == id).filter(\.$readAt == nil)
                    .filter(\.$createdAt <= now).set(\.$readAt, to: now).update()
            }
        }
        struct Data: Encodable { var notifications: [NotificationRow] }
        return try await req.view.render("notifications", PageContext(req, title: "Meldingen", data: Data(notifications: rows)))
    }
}
