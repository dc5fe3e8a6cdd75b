import Fluent
import SQLKit
import Foundation
import Vapor

/// A forgotten password: a single-use link, valid for 30 minutes, sent to the account's address.
/// The page never tells whether an address has an account.
struct PasswordResetController {
    func boot(_ routes: RoutesBuilder) {
        routes.get("wachtwoord-vergeten", use: requestForm)
        routes.post("wachtwoord-vergeten", use: request)
        routes.get("wachtwoord-herstellen", use: resetForm)
        routes.post("wachtwoord-herstellen", use: reset)
    }

    struct RequestData: Encodable {
        var action: String
        var sent: Bool
    }

    func requestForm(req: Request) async throws -> View {
        try await req.view.render("password-forgotten", PageContext(req, title: "Wachtwoord vergeten",
                                                                    data: RequestData(action: AppURL.passwordForgotten.path, sent: false)))
    }

    func request(req: Request) async throws -> View {
        let form = try PostedForm(req)
        try await PasswordResets.request(email: form.trimmed("email"), clock: req.application.clock, on: req.writer)
        return try await req.view.render("password-forgotten", PageContext(req, title: "Wachtwoord vergeten",
                                                                           data: RequestData(action: AppURL.passwordForgotten.path, sent: true)))
    }

    struct ResetData: Encodable {
        var action: String
        var token: String
        var valid: Bool
        var errors: [String: String]
        var hasErrors: Bool
    }

    func resetForm(req: Request) async throws -> View {
        let token = req.query[String.self, at: "token"] ?? ""
        let valid = try await PasswordResets.find(token: token, at: req.now, on: req.db) != nil
        return try await render(req, token: token, valid: valid, errors: [:])
    }

    func render(_ req: Request, token: String, valid: Bool, errors: [String: String]) async throws -> View {
        try await req.view.render("password-reset", PageContext(req, title: "Nieuw wachtwoord kiezen", data: ResetData(
            action: AppURL.passwordReset.path, token: token, valid: valid, errors: errors, hasErrors: !errors.isEmpty)))
    }

    func reset(req: Request) async throws -> Response {
        let form = try PostedForm(req)
        do {
            try await PasswordResets.reset(token: form["token"], new: form["new"], repeated: form["repeat"], clock: req.application.clock,
                                           cost: req.application.zorginkoop.bcryptCost, on: req.writer)
        } catch let problems as AccountProblems {
            let valid = problems.fields["token"] == nil
            return try await render(req, token: form["token"], valid: valid, errors: problems.fields).encodeResponse(status: .unprocessableEntity, for: req)
        }
        return req.redirect(to: AppURL.login(next: nil).path + "?hersteld=1")
    }
}

/// The reset links: only their SHA-256 is stored, each works once and for 30 minutes.
enum PasswordResets {
    static let lifetime: TimeInterval = 30 * 60
    /// At most this many links per account per hour, so the form cannot flood a mailbox.
    static let perHour = 3

    struct Row: Decodable {
        var id: UUID
        var user_id: UUID
    }

    static func request(email rawEmail: String, clock: AppClock, on db: Database) async throws {
        let email = String(rawEmail.lowercased().prefix(254))
        guard email.contains("@"), let user = try await UserRecord.query(on: db).filter(\.$email == email).first(), user.active,
              let userID = user.id else { return }
        let now = clock.now()
        let sql = db as! any SQLDatabase
        struct Count: Decodable { var n: Int }
        let recent = try await sql.raw("SELECT COUNT(*) AS n FROM password_resets WHERE user_id = \(bind: userID) AND expires_at > \(bind: now.addingTimeInterval(lifetime - 3600))")
            .first(decoding: Count.self)?.n ?? 0
        guard recent < perHour else { return }
        let token = Tokens.generate()
        try await db.audited("user.password-reset-requested", subject: email, actor: "anoniem", actorRole: "-", clock: clock) { db in
            try await (db as! any SQLDatabase).insert(into: "password_resets").columns("id", "user_id", "token_hash", "expires_at")
                .values(SQLBind(UUID()), SQLBind(userID), SQLBind(Tokens.digest(token)), SQLBind(now.addingTimeInterval(lifetime))).run()
            try await Outbox.enqueue([Outbox.Mail(
                recipient: email, subject: "Zorginkoop: een nieuw wachtwoord kiezen",
                body: "Iemand (hopelijk u) vroeg om een nieuw wachtwoord voor uw account bij Zorginkoop. Met de link hieronder kiest u er een; "
                    + "de link werkt één keer en 30 minuten lang. Vroeg u niets aan, dan kunt u dit bericht negeren: uw wachtwoord blijft zoals het is.",
                link: AppURL.passwordReset.path + "?token=" + token)], at: now, on: db)
        }
    }

    /// The unused, unexpired link of an active account, if `token` is one.
    static func find(token: String, at now: Date, on db: Database) async throws -> Row? {
        guard token.hasPrefix("zk_"), token.count < 100 else { return nil }
        return try await (db as! any SQLDatabase).raw("""
            SELECT r.id, r.user_id FROM password_resets r JOIN users u ON u.id = r.user_id
            WHERE r.token_hash = \(bind: Tokens.digest(token)) AND r.used_at IS NULL AND r.expires_at > \(bind: now) AND u.active = \(bind: true)
            """).first(decoding: Row.self)
    }

    static func reset(token: String, new: String, repeated: String, clock: AppClock, cost: Int, on db: Database) async throws {
        var problems: [String: String] = [:]
        if new.count < Accounts.minimumPasswordLength { problems["new"] = "Kies een wachtwoord van minstens \(Accounts.minimumPasswordLength) tekens." }
        if problems["new"] == nil && repeated != new { problems["repeat"] = "De twee wachtwoorden zijn niet gelijk." }
        guard problems.isEmpty else { throw AccountProblems(fields: problems) }
        let hash = try Bcrypt.hash(new, cost: cost)
        guard let user = try await find(token: token, at: clock.now(), on: db),
              let email = try await UserRecord.find(user.user_id, on: db)?.email else {
            throw AccountProblems(fields: ["token": "Deze link is verlopen of al gebruikt. Vraag een nieuwe aan."])
        }
        try await db.audited("user.password-reset", subject: email, actor: email, actorRole: "-", clock: clock) { db in
            let now = clock.now()
            // Used once: claimed under the chain's lock, so two tabs cannot both use it.
            guard let still = try await find(token: token, at: now, on: db), still.id == user.id else {
                throw AccountProblems(fields: ["token": "Deze link is verlopen of al gebruikt. Vraag een nieuwe aan."])
            }
            try await (db as! any SQLDatabase).update("password_resets").set("used_at", to: now).where("id", .equal, user.id).run()
            try await UserRecord.query(on: db).filter(\.$id == user.user_id)
                .set(\.$passwordHash, to: hash).set(\.$mustChangePassword, to: false).update()
            _ = try await Accounts.startSessionEpoch(of: user.user_id, on: db)
        }
    }
}
