import Crypto
import Fluent
import NIOConcurrencyHelpers
import SQLKit
import Foundation
import Vapor

/// The signed-in person, as requests see it.
public struct AuthenticatedUser: Authenticatable, Sendable {
    public var id: UUID
    public var email: String
    public var name: String
    public var role: Role
    public var municipality: String?
    public var organisationID: UUID?
    /// Must choose a new password before anything else (a one-time password).
    public var mustChangePassword = false
    /// Sessions hold the epoch they began in; a new password (changed or reset) starts a new one,
    /// which ends every session of the old one at its next request.
    var sessionEpoch = 0
    /// Has a confirmed second factor (an authenticator app).
    var hasSecondFactor = false

    /// The columns the hot path reads, with SQLKit: every page needs the signed-in user.
    struct Row: Decodable {
        var id: UUID
        var email: String
        var name: String
        var role: String
        var municipality: String?
        var organisation_id: UUID?
        var active: Bool
        var must_change_password: Bool
        var session_epoch: Int
        var totp_confirmed_at: Date?
    }

    static let columns = ["id", "email", "name", "role", "municipality", "organisation_id", "active", "must_change_password", "session_epoch", "totp_confirmed_at"]

    static func load(_ id: UUID, on db: Database) async throws -> AuthenticatedUser? {
        let row = try await (db as! any SQLDatabase).select().columns(columns)
            .from(UserRecord.schema).where("id", .equal, id).first(decoding: Row.self)
        return row.flatMap(AuthenticatedUser.init)
    }

    /// The holder of an API token that is not revoked, in one query.
    static func load(tokenDigest: String, on db: Database) async throws -> AuthenticatedUser? {
        let row = try await (db as! any SQLDatabase).select().columns(columns.map { SQLColumn($0, table: UserRecord.schema) })
            .from(APITokenRecord.schema)
            .join(UserRecord.schema, on: SQLColumn("user_id", table: APITokenRecord.schema), .equal, SQLColumn("id", table: UserRecord.schema))
            .where(SQLColumn("token_hash", table: APITokenRecord.schema), .equal, SQLBind(tokenDigest))
            .where(SQLColumn("revoked", table: APITokenRecord.schema), .equal, SQLBind(false))
            .first(decoding: Row.self)
        return row.flatMap(AuthenticatedUser.init)
    }

    /// An inactive account, or one with an unknown role, gets no rights at all, not some default.
    private init?(_ row: Row) {
        guard row.active, let role = Role(rawValue: row.role) else { return nil }
        self.init(id: row.id, email: row.email, name: row.name, role: role, municipality: row.municipality, organisationID: row.organisation_id)
        mustChangePassword = row.must_change_password
        sessionEpoch = row.session_epoch
        hasSecondFactor = row.totp_confirmed_at != nil
    }

    init(id: UUID, email: String, name: String, role: Role, municipality: String?, organisationID: UUID?) {
        self.id = id
        self.email = email
        self.name = name
        self.role = role
        self.municipality = municipality
        self.organisationID = organisationID
    }

    init(_ record: UserRecord) throws {
        id = try record.requireID()
        email = record.email
        name = record.name
        guard let role = Role(rawValue: record.role) else {
            throw Abort(.forbidden, reason: "Dit account heeft geen geldige rol; neem contact op met de beheerder.")
        }
        self.role = role
        municipality = record.municipality
        organisationID = record.$organisation.id
    }
}

/// Reads the signed-in user from the session (stored in the database, so any instance can serve).
struct SessionUserAuthenticator: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: AsyncResponder) async throws -> Response {
        if request.hasSession, let text = request.session.data["user"], let id = UUID(uuidString: text),
           let since = request.session.data["since"].flatMap(Double.init),
           request.application.clock.now().timeIntervalSince1970 - since < SessionLifetime.maximum,
           let user = try await AuthenticatedUser.load(id, on: request.db),
           request.session.data["epoch"] == String(user.sessionEpoch) {
            request.auth.login(user)
        }
        return Self.private(try await next.respond(to: request), for: request)
    }

    /// What a signed-in user sees is theirs alone: no browser or proxy may keep it, so Back after
    /// logout shows the login page, not the opened vault.
    static func `private`(_ response: Response, for request: Request) -> Response {
        if request.auth.has(AuthenticatedUser.self) || request.hasSession {
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
            response.headers.replaceOrAdd(name: .pragma, value: "no-cache")
        }
        return response
    }
}

/// Personal access tokens for the API: `Authorization: Bearer <token>`.
struct BearerTokenAuthenticator: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: AsyncResponder) async throws -> Response {
        if let bearer = request.headers.bearerAuthorization {
            let digest = Tokens.digest(bearer.token)
            guard let user = try await AuthenticatedUser.load(tokenDigest: digest, on: request.db) else {
                throw Abort(.unauthorized, reason: "Ongeldig of ingetrokken toegangstoken.")
            }
            request.auth.login(user)
        }
        return SessionUserAuthenticator.private(try await next.respond(to: request), for: request)
    }
}

public enum Tokens {
    /// A random token with 256 bits of entropy, URL-safe.
    public static func generate() -> String {
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255) }
        return "zk_" + Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func digest(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).hex
    }
}

/// Cross-site request forgery: every form carries the session's token, and every state-changing
/// request from a browser must return it.
/// (A plain `Middleware`, like the headers below: it does no I/O, and an async middleware would
/// cost two executor hops on every request.)
struct CSRFMiddleware: Middleware {
    static let field = "_csrf"

    func respond(to request: Request, chainingTo next: Responder) -> EventLoopFuture<Response> {
        if ![.GET, .HEAD, .OPTIONS].contains(request.method) {
            // A streamed upload has not arrived yet: its handler checks the token, which the form
            // sends before the file (`verifyStreamedFormToken`), and stores nothing without it.
            if request.route?.streamsBody == true, request.headers.contentType?.subType == "form-data" {
                return next.respond(to: request)
            }
            let sent = (try? request.content.get(String.self, at: CSRFMiddleware.field)) ?? request.headers.first(name: "X-CSRF-Token")
            // Without a session there is no token to match, and no reason to create an empty session.
            guard request.hasSession, let sent, sent == request.session.data["csrf"] else {
                return request.eventLoop.makeFailedFuture(Abort(.forbidden, reason: "Dit formulier is verlopen of niet van deze site afkomstig. Laad de pagina opnieuw en probeer het nog eens."))
            }
        }
        return next.respond(to: request)
    }
}

extension Request {
    /// The form-token check for a streamed multipart form, once its leading fields are read.
    func verifyStreamedFormToken(_ sent: String?) throws {
        guard hasSession, let sent, sent == session.data["csrf"] else {
            throw Abort(.forbidden, reason: "Dit formulier is verlopen of niet van deze site afkomstig. Laad de pagina opnieuw en probeer het nog eens.")
        }
    }

    /// The session's form token, made when the first form is shown: a visitor who only gets
    /// redirected gets no session row.
    var csrfToken: String {
        if let token = session.data["csrf"] { return token }
        let token = Tokens.generate()
        session.data["csrf"] = token
        return token
    }
}

/// Headers that make the browser refuse framing, sniffing and inline script.
struct SecurityHeadersMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: Responder) -> EventLoopFuture<Response> {
        next.respond(to: request).map { response in
        response.headers.replaceOrAdd(name: "Content-Security-Policy",
                                      value: "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
        response.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
        return response
        }
    }
}

/// Password checks and the throttle on failed logins, kept in the database so every instance sees it.
enum LoginService {
    static let maxFailures = 5
    static let window: TimeInterval = 15 * 60

    enum Outcome {
        case success(UserRecord)
        case invalid
        case throttled
    }

    static func attempt(email rawEmail: String, password: String, address: String, on request: Request) async throws -> Outcome {
        // Bounded, so nobody fills the audit trail with long texts through the login form.
        let email = String(rawEmail.trimmingCharacters(in: .whitespacesAndNewlines).lowercased().prefix(254))
        guard email.contains("@"), !email.contains(where: { $0.isNewline || $0.asciiValue.map { $0 < 0x20 } == true }) else {
            return .invalid
        }
        let user = try await UserRecord.query(on: request.db).filter(\.$email == email).first()
        // Always one bcrypt check, so the time taken does not tell whether the address has an account.
        let activeHash = user?.active == true ? user?.passwordHash : nil
        let matches = try Bcrypt.verify(password, created: activeHash ?? dummyHash(cost: request.application.zorginkoop.bcryptCost))
        let valid = matches && activeHash != nil
        let clock = request.application.clock
        let forwarded = request.headers.first(name: "X-Forwarded-For") ?? ""
        // Counting and recording happen under the audit chain's lock, so parallel attempts queue and
        // each one sees the failures before it. A refused attempt is audited but not counted, so the
        // block ends when the window has passed.
        return try await request.application.decisions.transaction { db in
            try await AuditChain.lock(db)
            let now = clock.now()
            let recentFailures = try await LoginAttemptRecord.query(on: db)
                .filter(\.$email == email).filter(\.$succeeded == false)
                .filter(\.$at >= now.addingTimeInterval(-window)).count()
            let outcome: Outcome
            if recentFailures >= maxFailures {
                outcome = .throttled
            } else {
                try await LoginAttemptRecord(email: email, address: address, succeeded: valid, at: now).create(on: db)
                outcome = valid ? .success(user!) : .invalid
            }
            // With a second factor the password is only the first step: the code's entry says "logged in".
            let action = switch outcome {
            case let .success(user): user.secondFactorConfirmedAt != nil ? "login.password-accepted" : "login.succeeded"
            case .invalid: "login.failed"
            case .throttled: "login.throttled"
            }
            try await AuditChain.append(db, clock: clock, actor: valid ? email : "anoniem", actorRole: valid ? (user?.role ?? "-") : "-",
                                        action: action, subject: email, details: ["address": address, "forwardedFor": forwarded])
            return outcome
        }
    }

    private static let dummyHashes = NIOLockedValueBox<[Int: String]>([:])

    /// A bcrypt hash of nothing in particular, at the configured cost, to check against when there is no account.
    static func dummyHash(cost: Int) throws -> String {
        if let known = dummyHashes.withLockedValue({ $0[cost] }) { return known }
        let hash = try Bcrypt.hash("geen-account-\(cost)", cost: cost)
        dummyHashes.withLockedValue { $0[cost] = hash }
        return hash
    }
}
