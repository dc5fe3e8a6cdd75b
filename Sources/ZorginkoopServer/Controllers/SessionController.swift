import Fluent
import Vapor

struct SessionController {
    func boot(_ routes: RoutesBuilder) {
        routes.get("inloggen", use: form)
        routes.post("inloggen", use: login)
        routes.on(.POST, "uitloggen", permission: .manageOwnAccount, use: logout)
    }

    struct LoginData: Encodable {
        var email: String
        var next: String
        var error: String?
        var registrationHref = AppURL.providerRegistration.path
        var forgottenHref = AppURL.passwordForgotten.path
        var restored = false
        var expired = false
    }

    struct LoginForm: Content {
        var email: String?
        var password: String?
        var verder: String?
    }

    func form(req: Request) async throws -> Response {
        if req.auth.has(AuthenticatedUser.self) { return req.redirect(to: AppURL.home.path) }
        let next = safeNext(req.query[String.self, at: "verder"])
        return try await req.view.render("login", PageContext(req, title: "Inloggen", data: LoginData(email: "", next: next, restored: req.query[String.self, at: "hersteld"] != nil,
                                                                                         expired: req.query[String.self, at: "verlopen"] != nil)))
            .encodeResponse(for: req)
    }

    func login(req: Request) async throws -> Response {
        let form = try req.content.decode(LoginForm.self)
        let email = form.email ?? ""
        let next = safeNext(form.verder)
        let address = req.remoteAddress?.ipAddress ?? "onbekend"
        switch try await LoginService.attempt(email: email, password: form.password ?? "", address: address, on: req) {
        case let .success(user):
            if user.secondFactorConfirmedAt != nil {
                // The password is right; the session begins once the code from the app is too.
                try await Self.renew(req)
                req.session.data["pending"] = try user.requireID().uuidString
                req.session.data["pending-at"] = String(req.now.timeIntervalSince1970)
                req.session.data["csrf"] = Tokens.generate()
                return req.redirect(to: AppURL.loginCode.path + "?verder=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"))
            }
            try await Self.begin(req, user: user)
            return req.redirect(to: next)
        case .invalid:
            return try await render(req, email: email, next: next, error: "Het e-mailadres of het wachtwoord klopt niet.", status: .unauthorized)
        case .throttled:
            return try await render(req, email: email, next: next,
                                    error: "Te veel mislukte pogingen. Wacht een kwartier en probeer het dan opnieuw.", status: .tooManyRequests)
        }
    }

    /// The signed-in session, in a new session id.
    static func begin(_ req: Request, user: UserRecord) async throws {
        try await renew(req)
        req.session.data["user"] = try user.requireID().uuidString
        req.session.data["since"] = String(req.now.timeIntervalSince1970)
        req.session.data["epoch"] = String(user.sessionEpoch)
        req.session.data["csrf"] = Tokens.generate()
    }

    /// A new session id at each step of the login: a session id fixed before it is worth nothing after it.
    static func renew(_ req: Request) async throws {
        if let old = req.session.id {
            try await req.application.sessions.driver.deleteSession(old, for: req).get()
            req.session.id = nil
        }
        req.session.data = SessionData()
    }

    func render(_ req: Request, email: String, next: String, error: String, status: HTTPStatus) async throws -> Response {
        try await req.view.render("login", PageContext(req, title: "Inloggen", data: LoginData(email: email, next: next, error: error)))
            .encodeResponse(status: status, for: req)
    }

    func logout(req: Request) async throws -> Response {
        let user = req.auth.get(AuthenticatedUser.self)
        try await req.audited("logout", subject: user?.email ?? "-") { _ in }
        req.auth.logout(AuthenticatedUser.self)
        req.session.destroy()
        return req.redirect(to: AppURL.login(next: nil).path)
    }

    /// Only local paths: a login link must not send people to another site. Browsers drop tabs and
    /// newlines from addresses, so "/<tab>/elders.example" would become "//elders.example": no
    /// control characters, spaces or backslashes at all.
    func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"),
              next.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F && $0 != "\\" }) else { return AppURL.home.path }
        return next
    }
}
