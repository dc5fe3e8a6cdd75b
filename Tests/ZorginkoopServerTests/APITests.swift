import Fluent
import Foundation
import Testing
import VaporTesting
@testable import ZorginkoopServer

@Suite("The JSON API under /api/v1")
struct APITests {
    @Test("A personal access token reads the region; a revoked token is refused")
    func tokenAuthentication() async throws {
        try await withApp { app in
            let token = try await makeToken(app, .financeConsultant)
            let region = try await apiRequest(app, .GET, "/api/v1/region", token: token)
            #expect(region.status == .ok)
            let body = try JSONSerialization.jsonObject(with: Data(region.body.string.utf8)) as! [String: Any]
            #expect(body["leadMunicipality"] as? String == "doetinchem")
            #expect(body["totalClients"] as? Int == 10_437)
            #expect((body["municipalities"] as? [Any])?.count == 8)
            let record = try #require(try await APITokenRecord.query(on: app.db).first())
            record.revoked = true
            try await record.update(on: app.db)
            let refused = try await apiRequest(app, .GET, "/api/v1/region", token: token)
            #expect(refused.status == .unauthorized)
            #expect(refused.headers.contentType?.subType == "problem+json")
        }
    }

    @Test("Errors are problem+json with status and a clear detail, never a 500", arguments: [
        ("GET", "/api/v1/designs/bestaat-niet", 404), ("GET", "/api/v1/nergens", 404),
        ("PUT", "/api/v1/designs/achterhoek-2026", 400), ("POST", "/api/v1/designs/bestaat-niet/copies", 404),
    ])
    func problemShape(method: String, path: String, status: Int) async throws {
        try await withApp { app in
            let token = try await makeToken(app, .procurementOfficer)
            let response = try await apiRequest(app, HTTPMethod(rawValue: method), path, token: token, json: method == "PUT" ? "{ not json" : nil)
            #expect(Int(response.status.code) == status)
            #expect(response.headers.contentType?.type == "application")
            #expect(response.headers.contentType?.subType == "problem+json")
            let problem = try JSONSerialization.jsonObject(with: Data(response.body.string.utf8)) as! [String: Any]
            #expect(problem["status"] as? Int == status)
            #expect(!((problem["detail"] as? String) ?? "").isEmpty)
            #expect(problem["title"] is String)
        }
    }

    @Test("PUT of an invalid design answers 422 with every problem and its path")
    func invalidDesign422() async throws {
        try await withApp { app in
            let token = try await makeToken(app, .procurementOfficer)
            let copy = try await apiRequest(app, .POST, "/api/v1/designs/achterhoek-2026/copies", token: token)
            #expect(copy.status == .created)
            #expect(copy.headers.first(name: .location) == "/api/v1/designs/achterhoek-2026-concept-1")
            var design = try JSONSerialization.jsonObject(with: Data(copy.body.string.utf8)) as! [String: Any]
            var lots = design["lots"] as! [[String: Any]]
            var segments = lots[0]["segments"] as! [[String: Any]]
            var weights = segments[0]["weights"] as! [String: Any]
            weights["LOKAAL"] = 99
            segments[0]["weights"] = weights
            lots[0]["segments"] = segments
            design["lots"] = lots
            let json = String(decoding: try JSONSerialization.data(withJSONObject: design), as: UTF8.self)
            let response = try await apiRequest(app, .PUT, "/api/v1/designs/achterhoek-2026-concept-1", token: token, json: json)
            #expect(response.status == .unprocessableEntity)
            let problem = try JSONSerialization.jsonObject(with: Data(response.body.string.utf8)) as! [String: Any]
            let errors = problem["errors"] as? [[String: Any]] ?? []
            #expect(errors.contains { ($0["path"] as? String) == "lots[0].segments[0].weights" })
            // And a valid one is saved.
            weights["LOKAAL"] = 20
            segments[0]["weights"] = weights
            lots[0]["segments"] = segments
            design["lots"] = lots
            let valid = String(decoding: try JSONSerialization.data(withJSONObject: design), as: UTF8.self)
            #expect(try await apiRequest(app, .PUT, "/api/v1/designs/achterhoek-2026-concept-1", token: token, json: valid).status == .ok)
        }
    }

    @Test("Every route in the OpenAPI document exists, and every API route is documented")
    func openAPIMatchesRoutes() async throws {
        try await withApp { app in
            let response = try await LiveServer.of(app).send(.GET, "/api/v1/openapi.json", headers: [:], body: nil)
            #expect(response.status == .ok)
            let document = try JSONSerialization.jsonObject(with: Data(response.body.string.utf8)) as! [String: Any]
            #expect((document["openapi"] as? String)?.hasPrefix("3.") == true)
            let paths = document["paths"] as! [String: [String: Any]]
            var documented: Set<String> = []
            for (path, operations) in paths {
                for method in operations.keys {
                    let normalised = path.replacingOccurrences(of: #"\{[^}]+\}"#, with: ":p", options: .regularExpression)
                    documented.insert("\(method.uppercased()) /api/v1\(normalised)")
                }
            }
            let served = Set(app.routes.all.compactMap { route -> String? in
                let path = "/" + route.path.map { component -> String in
                    if case .parameter = component { return ":p" }
                    return component.description
                }.joined(separator: "/")
                return path.hasPrefix("/api/v1") ? "\(route.method.rawValue) \(path)" : nil
            })
            #expect(documented == served)
        }
    }

    @Test("The API lists designs for officials and refuses them to providers")
    func designsForOfficialsOnly() async throws {
        try await withApp { app in
            let official = try await makeToken(app, .municipalityOfficial)
            let list = try await apiRequest(app, .GET, "/api/v1/designs", token: official)
            #expect(list.status == .ok)
            #expect(list.body.string.contains("achterhoek-2026"))
            let provider = try await makeToken(app, .provider)
            #expect(try await apiRequest(app, .GET, "/api/v1/designs", token: provider).status == .forbidden)
        }
    }
}
