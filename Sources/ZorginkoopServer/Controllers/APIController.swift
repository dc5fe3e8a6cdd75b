import Fluent
import Foundation
import Vapor
import ZorginkoopCatalog
import ZorginkoopCore

/// The JSON API under /api/v1, following the Dutch API design rules: resources, problem+json
/// errors, personal access tokens. Documented in Resources/Public/openapi.json.
struct APIController {
    func boot(_ api: RoutesBuilder) {
        api.get("openapi.json") { _ -> Response in
            let response = Response(status: .ok, body: .init(data: try Data(contentsOf: Resources.openAPIDocument)))
            response.headers.contentType = .json
            return response
        }
        api.on(.GET, "me", permission: .manageOwnAccount, use: me)
        api.on(.GET, "region", permission: .viewRegion, use: region)
        api.on(.GET, "designs", permission: .viewDesigns, use: designs)
        api.on(.GET, "designs", ":code", permission: .viewDesigns, use: design)
        api.on(.POST, "designs", ":code", "copies", permission: .editDesigns, use: copy)
        api.on(.PUT, "designs", ":code", permission: .editDesigns, use: replace)
        api.on(.GET, "audit", permission: .readAudit, use: audit)
    }

    struct Me: Content {
        var email: String
        var name: String
        var role: String
        var municipality: String?
    }

    func me(req: Request) async throws -> Me {
        let user = try req.auth.require(AuthenticatedUser.self)
        return Me(email: user.email, name: user.name, role: user.role.rawValue, municipality: user.municipality)
    }

    struct RegionResource: Content {
        struct MunicipalityResource: Codable {
            var code: String
            var name: String
            var cbsCode: String
            var clients: Int
            var clientsYear: Int
            var lead: Bool
        }

        var code: String
        var name: String
        var leadMunicipality: String
        var totalClients: Int
        var design: String
        var municipalities: [MunicipalityResource]
    }

    func region(req: Request) async throws -> RegionResource {
        let design = try await DesignStore.region(on: req.db).design
        let region = design.region
        return RegionResource(code: region.code, name: region.name, leadMunicipality: region.leadMunicipality,
                              totalClients: region.totalClients, design: design.code,
                              municipalities: region.municipalities.map {
                                  .init(code: $0.code, name: $0.name, cbsCode: $0.cbsCode, clients: $0.clients,
                                        clientsYear: $0.clientsYear, lead: $0.code == region.leadMunicipality)
                              })
    }

    struct DesignSummary: Content {
        var code: String
        var name: String
        var status: String
        var basedOn: String?
        var updatedAt: Date?
    }

    func designs(req: Request) async throws -> [DesignSummary] {
        try await DesignStore.all(on: req.db).map {
            DesignSummary(code: $0.code, name: $0.design.name, status: $0.status.rawValue, basedOn: $0.basedOn, updatedAt: $0.updatedAt)
        }
    }

    func design(req: Request) async throws -> Response {
        let (_, stored) = try await DesignStore.find(try req.parameters.require("code"), on: req.db)
        return designResponse(stored.design, status: .ok)
    }

    func copy(req: Request) async throws -> Response {
        let (_, source) = try await DesignStore.find(try req.parameters.require("code"), on: req.db)
        let copy = try await DesignStore.copy(source, on: req)
        let response = designResponse(copy.design, status: .created)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/designs/\(copy.code)")
        return response
    }

    /// Replaces a draft with the design in the body, after the same validation as `design validate`.
    func replace(req: Request) async throws -> Response {
        let code = try req.parameters.require("code")
        let (record, stored) = try await DesignStore.find(code, on: req.db)
        guard let body = req.body.data else { throw Abort(.badRequest, reason: "Het verzoek heeft geen inhoud; stuur het ontwerp als JSON.") }
        let design: Design = try Catalog.decode(Data(buffer: body), file: "body")
        if design.code != code {
            throw ValidationProblems(detail: "De code in het ontwerp hoort bij de URL.", problems: [Problem("code", "verwacht '\(code)', niet '\(design.code)'")])
        }
        let problems = design.validate()
        guard problems.isEmpty else { throw ValidationProblems(detail: "Het ontwerp bevat \(problems.count) fout(en).", problems: problems) }
        guard stored.status == .draft else { throw Abort(.conflict, reason: "Alleen een concept kan worden gewijzigd; maak eerst een kopie.") }
        var changes = stored.design.changes(to: design)
        if !changes.isEmpty {
            changes["via"] = "api"
            try await DesignStore.save(design, over: record, changes: changes, on: req)
        }
        return designResponse(design, status: .ok)
    }

    func designResponse(_ design: Design, status: HTTPStatus) -> Response {
        let response = Response(status: status, body: .init(string: DesignStore.encode(design)))
        response.headers.contentType = .json
        return response
    }

    func audit(req: Request) async throws -> [AuditEntry] {
        let limit = min(max(req.query[Int.self, at: "limit"] ?? 200, 1), 5000)
        return try await AuditController.entries(req, limit: limit)
    }
}
