import Fluent
import Foundation
import Vapor
import ZorginkoopInterop
import ZorginkoopCore

struct AuditController {
    func boot(_ routes: RoutesBuilder) {
        routes.on(.GET, "audit", permission: .readAudit, use: page)
        routes.on(.GET, "audit.csv", permission: .readAudit, use: csv)
    }

    /// Filters shared by the page, the CSV export and the API.
    struct Filter: Content {
        var action: String?
        var actor: String?
        var van: String?
        var tot: String?

        func apply(_ query: QueryBuilder<AuditEntryRecord>) throws -> QueryBuilder<AuditEntryRecord> {
            if let action, !action.isEmpty { query.filter(\.$action ~~ action) }
            if let actor, !actor.isEmpty { query.filter(\.$actor ~~ actor.lowercased()) }
            if let from = try day(van, field: "van") { query.filter(\.$at >= DutchTime.startOfDay(from)) }
            // Up to the start of the next calendar day: 23 or 25 hours on the days the clocks change.
            if let to = try day(tot, field: "tot") { query.filter(\.$at < DutchTime.startOfDay(to.dayAfter())) }
            return query
        }

        func day(_ text: String?, field: String) throws -> CalendarDate? {
            guard let text, !text.isEmpty else { return nil }
            guard let date = CalendarDate(iso: text) else {
                throw Abort(.badRequest, reason: "'\(text)' is geen geldige datum voor '\(field)'; gebruik JJJJ-MM-DD.")
            }
            return date
        }
    }

    static func entries(_ req: Request, limit: Int?) async throws -> [AuditEntry] {
        let filter = try req.query.decode(Filter.self)
        var query = try filter.apply(AuditEntryRecord.query(on: req.db)).sort(\.$seq, .descending)
        if let limit { query = query.limit(limit) }
        return try await query.all().map(AuditChain.entry)
    }

    struct Row: Encodable {
        var seq: Int
        var at: String
        var actor: String
        var role: String
        var action: String
        var actionCode: String
        var subject: String
        var details: [AuditLabels.Detail]
        var hash: String
    }

    struct PageData: Encodable {
        var rows: [Row]
        var filter: Filter
        var csvHref: String
        var chainIntact: Bool
        var chainMessage: String
        var shown: Int
    }

    func page(req: Request) async throws -> View {
        let entries = try await Self.entries(req, limit: 500)
        let verification = try await AuditChain.verify(on: req.db)
        let filter = try req.query.decode(Filter.self)
        let query = req.url.query.map { "?\($0)" } ?? ""
        let data = PageData(
            rows: entries.map { e in
                Row(seq: e.seq, at: DutchTime.dateTime(e.at), actor: e.actor, role: Role(rawValue: e.actorRole)?.dutchName ?? e.actorRole,
                    action: AuditLabels.action(e.action), actionCode: e.action, subject: e.subject, details: AuditLabels.details(e.details),
                    hash: String(e.hash.prefix(12)))
            },
            filter: filter, csvHref: AppURL.auditCSV.path + query,
            chainIntact: verification.firstBroken == nil,
            chainMessage: verification.firstBroken.map { "De keten is verbroken bij regel \($0.seq): \($0.reason)." }
                ?? "De keten van \(verification.entries) regels is intact: elke hash klopt.",
            shown: entries.count)
        return try await req.view.render("audit", PageContext(req, title: "Audittrail", data: data))
    }

    func csv(req: Request) async throws -> Response {
        let entries = try await Self.entries(req, limit: nil)
        let sheet = Sheet(name: "Audittrail", columns: ["volgnummer", "tijdstip", "actor", "rol", "actie", "onderwerp", "details", "vorige_hash", "hash"],
                          rows: entries.reversed().map { e in
                              [.integer(e.seq), .text(DutchTime.dateTime(e.at)), .text(e.actor), .text(e.actorRole), .text(e.action),
                               .text(e.subject), .text(e.details), .text(e.previousHash), .text(e.hash)]
                          })
        return Download.csv(sheet, filename: "audittrail.csv")
    }
}
