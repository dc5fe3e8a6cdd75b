import Fluent
import Foundation
import Vapor

/// The second factor: the code step of the login, setting up an authenticator app (required for
/// the roles in `Role.requiresSecondFactor`), recovery codes, and an administrator's removal of a
/// lost one.
struct SecondFactorController {
    /// A password accepted for an account with a second factor waits this long for its code.
    static let codeWindow: TimeInterval = 5 * 60

    func boot(_ routes: RoutesBuilder) {
        routes.get("inloggen", "code", use: codeForm)
        routes.post("inloggen", "code", use: code)
        routes.on(.GET, "account", "tweestapsverificatie", permission: .manageOwnAccount, use: setupPage)
        routes.on(.POST, "account", "tweestapsverificatie", permission: .manageOwnAccount, use: setup)
        routes.on(.POST, "beheer", "gebruikers", ":id", "tweestapsverificatie", permission: .manageUsers, use: remove)
    }

    // MARK: The code step of the login

    struct CodeData: Encodable {
        var action = AppURL.loginCode.path
        var next: String
        var error: String?
    }

    /// The account whose password was accepted in this session, while its code is due.
    private func pending(_ req: Request) -> UUID? {
        guard let id = req.session.data["pending"].flatMap(UUID.init(uuidString:)),
              let at = req.session.data["pending-at"].flatMap(Double.init),
              req.now.timeIntervalSince1970 - at < Self.codeWindow else { return nil }
        return id
    }

    func codeForm(req: Request) async throws -> Response {
        guard pending(req) != nil else { return req.redirect(to: AppURL.login(next: nil).path) }
        return try await renderCode(req, next: SessionController().safeNext(req.query[String.self, at: "verder"]), error: nil, status: .ok)
    }

    func code(req: Request) async throws -> Response {
        let form = try PostedForm(req)
        let next = SessionController().safeNext(form["verder"])
        guard let id = pending(req), let user = try await UserRecord.find(id, on: req.db), user.active else {
            req.session.destroy()
            return req.redirect(to: AppURL.login(next: nil).path + "?verlopen=1")
        }
        switch try await SecondFactorLogin.attempt(user: user, code: form.trimmed("code"), address: req.remoteAddress?.ipAddress ?? "onbekend", on: req) {
        case .accepted:
            try await SessionController.begin(req, user: user)
            return req.redirect(to: next)
        case .wrong:
            return try await renderCode(req, next: next, error: "Deze code klopt niet. Typ de zes cijfers die uw app nu toont, of een herstelcode.",
                                        status: .unauthorized)
        case .throttled:
            req.session.destroy()
            return try await SessionController().render(req, email: user.email, next: next,
                                                        error: "Te veel mislukte pogingen. Wacht een kwartier en probeer het dan opnieuw.",
                                                        status: .tooManyRequests)
        }
    }

    private func renderCode(_ req: Request, next: String, error: String?, status: HTTPStatus) async throws -> Response {
        try await req.view.render("login-code", PageContext(req, title: "Inlogcode", data: CodeData(next: next, error: error)))
            .encodeResponse(status: status, for: req)
    }

    // MARK: Setting up the app, and recovery codes

    struct SetupData: Encodable {
        var action = AppURL.accountSecondFactor.path
        var enabled: Bool
        var required: Bool
        /// The key in groups of four, for typing into the app.
        var key: String?
        var uri: String?
        var recoveryCodes: [String]
        var unusedRecoveryCodes: Int
        var error: String?
    }

    func setupPage(req: Request) async throws -> Response {
        try await renderSetup(req, recoveryCodes: [], error: nil, status: .ok)
    }

    func setup(req: Request) async throws -> Response {
        let user = try req.auth.require(AuthenticatedUser.self)
        let form = try PostedForm(req)
        let keys = req.application.zorginkoop.vault
        let now = req.now
        struct WrongCode: Error {}
        do {
            let codes: [String]
            if user.hasSecondFactor {
                // New recovery codes, for a code from the app: the old ones stop working.
                codes = try await req.audited("user.recovery-codes-renewed", subject: user.email) { db in
                    let check = try await SecondFactor.check(form.trimmed("code"), user: user.id, at: now, keys: keys, on: db)
                    guard case .totp = check else { throw WrongCode() }
                    try await SecondFactor.consume(check, user: user.id, at: now, on: db)
                    return try await SecondFactor.newRecoveryCodes(for: user.id, at: now, on: db)
                }
            } else {
                codes = try await req.audited("user.second-factor-enabled", subject: user.email) { db in
                    guard let codes = try await SecondFactor.confirm(user: user.id, code: form.trimmed("code"), at: now, keys: keys, on: db) else {
                        throw WrongCode()
                    }
                    return codes
                }
            }
            return try await renderSetup(req, recoveryCodes: codes, error: nil, status: .ok)
        } catch is WrongCode {
            return try await renderSetup(req, recoveryCodes: [], error: "Deze code klopt niet. Typ de zes cijfers die uw app nu toont.",
                                         status: .unprocessableEntity)
        }
    }

    private func renderSetup(_ req: Request, recoveryCodes: [String], error: String?, status: HTTPStatus) async throws -> Response {
        let signedIn = try req.auth.require(AuthenticatedUser.self)
        // Read again: this request may just have confirmed it.
        guard let user = try await AuthenticatedUser.load(signedIn.id, on: req.db) else { throw Abort(.unauthorized) }
        var data = SetupData(enabled: user.hasSecondFactor, required: user.role.requiresSecondFactor, recoveryCodes: recoveryCodes,
                             unusedRecoveryCodes: 0, error: error)
        if user.hasSecondFactor {
            data.unusedRecoveryCodes = try await SecondFactor.unusedRecoveryCodes(of: user.id, on: req.db)
        } else {
            let secret = try await req.application.writeGate.run(.bulk) { [writer = req.writer, keys = req.application.zorginkoop.vault] in
                try await SecondFactor.pendingSecret(of: user.id, keys: keys, on: writer)
            }
            data.key = Self.grouped(Base32.encode(secret))
            data.uri = TOTP.provisioningURI(secret: secret, account: user.email)
        }
        return try await req.view.render("second-factor", PageContext(req, title: "Tweestapsverificatie", data: data))
            .encodeResponse(status: status, for: req)
    }

    static func grouped(_ key: String) -> String {
        stride(from: 0, to: key.count, by: 4).map { offset in
            let start = key.index(key.startIndex, offsetBy: offset)
            return String(key[start..<(key.index(start, offsetBy: 4, limitedBy: key.endIndex) ?? key.endIndex)])
        }.joined(separator: " ")
    }

    // MARK: An administrator removes a lost second factor

    func remove(req: Request) async throws -> Response {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)), let user = try await UserRecord.find(id, on: req.db) else {
            throw Abort(.notFound, reason: "Dit account bestaat niet.")
        }
        let form = try PostedForm(req)
        guard form.checked("bevestig") else {
            return req.redirect(to: AppURL.users.path + "?melding=" + "Vink aan dat u de tweestapsverificatie van \(user.email) wilt verwijderen."
                .addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
        }
        let admin = try req.auth.require(AuthenticatedUser.self)
        try await Accounts.removeSecondFactor(email: user.email, actor: admin.email, actorRole: admin.role.rawValue,
                                              clock: req.application.clock, on: req.writer)
        return req.redirect(to: AppURL.users.path + "?melding=" + "De tweestapsverificatie van \(user.email) is verwijderd; bij de volgende keer inloggen stelt de gebruiker een nieuwe in."
            .addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
    }
}

/// The code step, counted with the password's failures: five wrong in a quarter of an hour
/// block the account's login, whichever step they were made at.
enum SecondFactorLogin {
    enum Outcome { case accepted, wrong, throttled }

    static func attempt(user: UserRecord, code: String, address: String, on req: Request) async throws -> Outcome {
        let id = try user.requireID()
        let email = user.email
        let role = user.role
        let clock = req.application.clock
        let keys = req.application.zorginkoop.vault
        return try await req.application.decisions.transaction { db in
            try await AuditChain.lock(db)
            let now = clock.now()
            let failures = try await LoginAttemptRecord.query(on: db).filter(\.$email == email).filter(\.$succeeded == false)
                .filter(\.$at >= now.addingTimeInterval(-LoginService.window)).count()
            guard failures < LoginService.maxFailures else {
                try await AuditChain.append(db, clock: clock, actor: "anoniem", actorRole: "-", action: "login.throttled", subject: email,
                                            details: ["address": address, "stap": "code"])
                return .throttled
            }
            let check = try await SecondFactor.check(code, user: id, at: now, keys: keys, on: db)
            if case .wrong = check {
                try await LoginAttemptRecord(email: email, address: address, succeeded: false, at: now).create(on: db)
                try await AuditChain.append(db, clock: clock, actor: "anoniem", actorRole: "-", action: "login.second-factor-failed",
                                            subject: email, details: ["address": address])
                return .wrong
            }
            try await SecondFactor.consume(check, user: id, at: now, on: db)
            let method = if case .recoveryCode = check { "herstelcode" } else { "app" }
            try await AuditChain.append(db, clock: clock, actor: email, actorRole: role, action: "login.second-factor", subject: email,
                                        details: ["address": address, "methode": method])
            return .accepted
        }
    }
}
