import Fluent
import Foundation
import Testing
import VaporTesting
@testable import ZorginkoopServer

@Suite("Accounts, sessions and the protections around them")
struct SessionTests {
    @Test("Health answers when ready; metrics are served in Prometheus format")
    func healthAndMetrics() async throws {
        try await withApp { app in
            let health = try await LiveServer.of(app).send(.GET, "/health", headers: [:], body: nil)
            #expect(health.status == .ok)
            #expect(health.body.string.contains("\"ok\""))
            let metrics = try await LiveServer.of(app).send(.GET, "/metrics", headers: [:], body: nil)
            #expect(metrics.status == .ok)
            #expect(metrics.headers.contentType?.subType == "plain")
            #expect(metrics.body.string.contains("http_requests_total"))
        }
    }

    @Test("Login with the right password starts a session with a new id; logout ends it")
    func loginAndLogout() async throws {
        try await withApp { app in
            let email = try await makeUser(app, .procurementOfficer)
            let browser = Browser(app)
            #expect(try await browser.get("/").status == .seeOther)
            try await browser.get("/inloggen")
            let anonymousCookie = browser.cookie
            let login = try await browser.post("/inloggen", form: ["email": email, "password": testPassword])
            #expect(login.status == .seeOther)
            #expect(login.headers.first(name: .location) == "/")
            #expect(browser.cookie != nil && browser.cookie != anonymousCookie)
            // An officer sets up the second factor first (SecondFactorTests hold that step).
            let first = try await browser.get("/")
            #expect(first.status == .seeOther && first.headers.first(name: .location) == "/account/tweestapsverificatie")
            try await browser.setUpAuthenticator(email)
            let home = try await browser.get("/")
            #expect(home.status == .ok)
            #expect(home.body.string.contains("Test Inkoper (penvoerder)"))
            #expect(home.body.string.contains("Sociaal Domein Achterhoek"))
            #expect(try await browser.post("/uitloggen", form: [:]).status == .seeOther)
            #expect(try await browser.get("/").status == .seeOther)
        }
    }

    @Test("A wrong password is refused with a Dutch message and audited")
    func wrongPassword() async throws {
        try await withApp { app in
            let email = try await makeUser(app, .auditor)
            let browser = Browser(app)
            let response = try await browser.login(email, password: "wrong-password-here")
            #expect(response.status == .unauthorized)
            #expect(response.body.string.contains("Het e-mailadres of het wachtwoord klopt niet."))
            let failures = try await AuditEntryRecord.query(on: app.db).filter(\.$action == "login.failed").count()
            #expect(failures == 1)
        }
    }

    @Test("After five failures in a quarter of an hour even the right password is refused (429)")
    func loginThrottled() async throws {
        try await withApp { app in
            let email = try await makeUser(app, .auditor)
            let browser = Browser(app)
            for _ in 1...5 {
                #expect(try await browser.login(email, password: "wrong-password-here").status == .unauthorized)
            }
            let blocked = try await browser.login(email)
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.body.string.contains("Te veel mislukte pogingen"))
            // A quarter of an hour later the account opens again.
            app.clock = AppClock { Date().addingTimeInterval(16 * 60) }
            #expect(try await browser.login(email).status == .seeOther)
        }
    }

    @Test("Parallel wrong passwords are counted one by one: no more than five are tried before the block")
    func parallelAttemptsThrottled() async throws {
        try await withApp { app in
            let email = try await makeUser(app, .auditor)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        let browser = Browser(app)
                        _ = try await browser.login(email, password: "wrong-password-here")
                    }
                }
                try await group.waitForAll()
            }
            let failures = try await LoginAttemptRecord.query(on: app.db).filter(\.$succeeded == false).count()
            #expect(failures == 5)
            let throttled = try await AuditEntryRecord.query(on: app.db).filter(\.$action == "login.throttled").count()
            #expect(throttled == 5)
            #expect(try await AuditChain.verify(on: app.db).firstBroken == nil)
        }
    }

    @Test("Forms without the session's CSRF token are refused")
    func csrfRequired() async throws {
        try await withApp { app in
            let email = try await makeUser(app, .auditor)
            let browser = Browser(app)
            try await browser.get("/inloggen")
            let missing = try await browser.post("/inloggen", form: ["email": email, "password": testPassword], includeCSRF: false)
            #expect(missing.status == .forbidden)
            let wrong = try await browser.post("/inloggen", form: ["email": email, "password": testPassword, "_csrf": "forged"])
            #expect(wrong.status == .forbidden)
            #expect(wrong.body.string.contains("Dit formulier is verlopen"))
            #expect(try await browser.login(email).status == .seeOther)
            let logoutWithoutToken = try await browser.post("/uitloggen", form: [:], includeCSRF: false)
            #expect(logoutWithoutToken.status == .forbidden)
        }
    }

    @Test("Security headers on every response; the session cookie is HttpOnly and SameSite")
    func securityHeadersAndCookie() async throws {
        try await withApp { app in
            let response = try await Browser(app).get("/inloggen")
            let csp = response.headers.first(name: "Content-Security-Policy") ?? ""
            #expect(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"))
            #expect(csp.contains("frame-ancestors 'none'"))
            #expect(response.headers.first(name: "X-Frame-Options") == "DENY")
            #expect(response.headers.first(name: "X-Content-Type-Options") == "nosniff")
            let cookie = try #require(response.headers.setCookie?["zorginkoop-sessie"])
            #expect(cookie.isHTTPOnly)
            #expect(cookie.sameSite == .lax)
            #expect(!cookie.isSecure)
        }
        try await withApp(secureCookies: true) { app in
            let cookie = try #require(try await Browser(app).get("/inloggen").headers.setCookie?["zorginkoop-sessie"])
            #expect(cookie.isSecure)
        }
    }

    @Test("A login link never sends people to another site")
    func safeRedirect() async throws {
        try await withApp { app in
            let email = try await makeUser(app, .auditor)
            let browser = Browser(app)
            try await browser.get("/inloggen")
            for target in ["//evil.example/", "/\t/evil.example", "/\\evil.example", "https://evil.example/"] {
                let fresh = Browser(app)
                try await fresh.get("/inloggen")
                let response = try await fresh.post("/inloggen", form: ["email": email, "password": testPassword, "verder": target])
                #expect(response.headers.first(name: .location) == "/", "\(target)")
            }
            try await browser.get("/inloggen")
            let local = try await browser.post("/inloggen", form: ["email": email, "password": testPassword, "verder": "/audit?action=login"])
            #expect(local.headers.first(name: .location) == "/audit?action=login")
        }
    }

    @Test("Sessions live in the database: a second instance on the same database knows the user")
    func sessionsSharedBetweenInstances() async throws {
        try await withApp { app in
            let email = try await makeUser(app, .auditor)
            let browser = Browser(app)
            #expect(try await browser.login(email).status == .seeOther)
            let session = try #require(browser.cookie)
            let records = try await SessionRecord.query(on: app.db).count()
            #expect(records >= 1)
            // A second application on the same database: nothing is kept in the first process.
            let second = try await Application.make(.testing)
            second.logger.logLevel = .warning
            do {
                try await configure(second, app.zorginkoop)
                try await LiveServer.start(second)
                let other = Browser(second)
                other.cookie = session
                #expect(try await other.get("/").status == .ok)
                #expect(try await other.get("/account").body.string.contains(email))
            } catch {
                await LiveServer.stop(second)
                try? await second.asyncShutdown()
                throw error
            }
            await LiveServer.stop(second)
            try await second.asyncShutdown()
        }
    }
}
