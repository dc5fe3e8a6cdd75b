import Fluent
import Foundation
import Testing
import VaporTesting
@testable import ZorginkoopServer

@Suite("Authorisation: every route, every role")
struct AuthorizationTests {
    /// A value for each path parameter, so every route can be called.
    static func concretePath(_ route: Route) -> String {
        "/" + route.path.map { component -> String in
            switch component {
            case let .constant(value): value
            case let .parameter(name): name == "code" ? "achterhoek-2026" : UUID().uuidString
            case .anything, .catchall: "x"
            }
        }.joined(separator: "/")
    }

    @Test("Each role gets exactly what the policy allows on every protected route, and never a 500")
    func roleRouteMatrix() async throws {
        try await withApp { app in
            let routes = app.routes.all.filter { $0.permission != nil }
            #expect(routes.count >= 15)
            for role in Role.allCases {
                let email = try await makeUser(app, role)
                let browser = Browser(app)
                #expect(try await browser.login(email).status == .seeOther)
                let token = try await makeToken(app, role)
                for route in routes {
                    let permission = route.permission!
                    let path = Self.concretePath(route)
                    let allowed = Policy.allows(role, permission)
                    let response: WebResponse
                    if path.hasPrefix("/api/") {
                        response = try await apiRequest(app, route.method, path, token: token, json: route.method == .GET ? nil : "{}")
                    } else if route.method == .GET {
                        response = try await browser.get(path)
                    } else {
                        response = try await browser.post(path, form: [:])
                    }
                    let where_ = "\(role.rawValue) \(route.method) \(path): \(response.status.code)"
                    if allowed {
                        #expect(response.status != .forbidden && response.status != .unauthorized, "\(where_) should be allowed")
                        if path != "/uitloggen" {
                            #expect(response.headers.first(name: .location)?.hasPrefix("/inloggen") != true, "\(where_) sent to login")
                        }
                    } else {
                        #expect(response.status == .forbidden, "\(where_) should be forbidden")
                    }
                    #expect(response.status.code < 500, "\(where_)")
                    if path == "/uitloggen" && allowed {
                        #expect(try await browser.login(email).status == .seeOther)
                    }
                }
            }
        }
    }

    @Test("Every route names a permission, except the few that must be public")
    func noRouteForgotten() async throws {
        try await withApp { app in
            let publicRoutes: Set<String> = ["GET /health", "GET /health/live", "GET /metrics", "GET /app.css",
                                             "GET /inloggen", "POST /inloggen", "GET /api/v1/openapi.json",
                                             "GET /contactverbod", "GET /aanbieders/registreren", "POST /aanbieders/registreren",
                                             // A forgotten password: asked for and used without a session.
                                             "GET /wachtwoord-vergeten", "POST /wachtwoord-vergeten",
                                             "GET /wachtwoord-herstellen", "POST /wachtwoord-herstellen",
                                             // The code step of the login: the password was right, the session not yet begun.
                                             "GET /inloggen/code", "POST /inloggen/code",
                                             // The public list of contracted providers, as on the region's website.
                                             "GET /gecontracteerd", "GET /gecontracteerd.json", "GET /gecontracteerd.csv"]
            let unprotected = Set(app.routes.all.filter { $0.permission == nil }.map { route in
                "\(route.method.rawValue) /" + route.path.map(\.description).joined(separator: "/")
            })
            #expect(unprotected == publicRoutes)
        }
    }

    @Test("Without a session, pages send people to the login page and the API answers 401 problem+json")
    func anonymous() async throws {
        try await withApp { app in
            for route in app.routes.all where route.permission != nil {
                let path = Self.concretePath(route)
                let response = try await LiveServer.of(app).send(route.method, path, headers: [:], body: nil)
                if path.hasPrefix("/api/") {
                    #expect(response.status == .unauthorized, "\(path)")
                    #expect(response.headers.contentType?.subType == "problem+json")
                } else if route.method == .GET {
                    #expect(response.status == .seeOther, "\(path)")
                    #expect(response.headers.first(name: .location)?.hasPrefix("/inloggen") == true)
                } else {
                    // No session, so no form token either.
                    #expect(response.status == .forbidden, "\(path)")
                }
            }
        }
    }

    @Test("The policy: providers never see draft designs; only officers edit; only auditors and administrators read the audit trail")
    func policy() {
        #expect(!Policy.allows(.provider, .viewDesigns))
        #expect(Policy.allows(.provider, .viewRegion))
        #expect(Role.allCases.filter { Policy.allows($0, .editDesigns) } == [.procurementOfficer])
        #expect(Set(Role.allCases.filter { Policy.allows($0, .readAudit) }) == [.auditor, .administrator])
        #expect(Role.allCases.filter { Policy.allows($0, .manageUsers) } == [.administrator])
    }
}
