import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor
import ZorginkoopCore

/// A tender as the application works with it: the record's values, decoded.
struct LoadedTender: Sendable {
    var id: UUID
    var code: String
    var name: String
    var scope: TenderScope
    var timeline: TenderTimeline
    var publishedAt: Date?
    var openedAt: Date?
    var sealedKey: Data

    init(_ record: TenderRecord) throws {
        try self.init(Row(id: try record.requireID(), code: record.code, name: record.name, scope_digest: record.scopeDigest,
                          timeline: record.timeline, published_at: record.publishedAt, opened_at: record.openedAt, sealed_key: record.sealedKey),
                      scope: try DecodedScopes.shared.cached(id: try record.requireID(), digest: record.scopeDigest)
                        ?? DecodedScopes.shared.decode(id: try record.requireID(), digest: record.scopeDigest, text: record.scope))
    }

    /// The columns a tender is loaded from, read with SQLKit: every bid and tender request loads
    /// its tender, and Fluent's model decoding cost more than the query itself. The scope (about
    /// 60 kB of JSON) is not among them: its digest is, and the scope is read only when this
    /// instance has not decoded that digest's scope yet.
    struct Row: Decodable {
        static let columns = ["id", "code", "name", "scope_digest", "timeline", "published_at", "opened_at", "sealed_key"]
        var id: UUID
        var code: String
        var name: String
        var scope_digest: String?
        var timeline: String
        var published_at: Date?
        var opened_at: Date?
        var sealed_key: Data
    }

    init(_ row: Row, scope: TenderScope) throws {
        id = row.id
        code = row.code
        name = row.name
        self.scope = scope
        timeline = try StoredJSON.decode(TenderTimeline.self, from: row.timeline)
        publishedAt = row.published_at
        openedAt = row.opened_at
        sealedKey = row.sealed_key
    }

    func phase(at now: Date) -> TenderPhase {
        TenderPhase.of(publishedAt: publishedAt, openedAt: openedAt, deadline: timeline.submissionDeadline, now: now)
    }

    /// Published by an officer: the design is frozen and every change is a correction.
    var isPublished: Bool { publishedAt != nil }

    /// Seen by providers: from the instant publication takes effect, not before.
    func isVisible(at now: Date) -> Bool { publishedAt.map { $0 <= now } ?? false }
}

/// What an officer may set on a tender; after publication only the timeline and go/no-go, by correction.
struct TenderSettings: Sendable {
    var name: String
    var subSegments: [String]
    var noGo: [NoGo]
    var timeline: TenderTimeline
    /// The term of the tender's contracts; nil keeps the tender's own, or for a new tender proposes
    /// one from the design's term table (`TenderContractTerm.proposed`).
    var contractTerm: ContractTerm? = nil
}

enum TenderStore {
    /// A tender by code, for a user who may see it: providers see only published tenders.
    static func find(_ code: String, for user: AuthenticatedUser?, at now: Date, on db: Database) async throws -> LoadedTender {
        let sql = db as! any SQLDatabase
        guard let row = try await sql.select().columns(LoadedTender.Row.columns).from(TenderRecord.schema)
            .where("code", .equal, code).first(decoding: LoadedTender.Row.self) else {
            throw Abort(.notFound, reason: "Aanbesteding '\(code)' bestaat niet.")
        }
        var scope = DecodedScopes.shared.cached(id: row.id, digest: row.scope_digest)
        if scope == nil {
            // The text with its own digest: a correction between the two reads must not file one under the other.
            struct Stored: Decodable { var scope: String; var scope_digest: String? }
            let stored = try await sql.select().columns("scope", "scope_digest").from(TenderRecord.schema).where("id", .equal, row.id)
                .first(decoding: Stored.self) ?? Stored(scope: "", scope_digest: nil)
            scope = try DecodedScopes.shared.decode(id: row.id, digest: stored.scope_digest, text: stored.scope)
        }
        let tender = try LoadedTender(row, scope: scope!)
        if user?.role == .provider && !tender.isVisible(at: now) {
            throw Abort(.notFound, reason: "Aanbesteding '\(code)' bestaat niet.")
        }
        return tender
    }

    static func all(for user: AuthenticatedUser, at now: Date, on db: Database) async throws -> [LoadedTender] {
        let query = TenderRecord.query(on: db).sort(\.$submissionDeadline)
        if user.role == .provider { query.filter(\.$publishedAt <= now) }
        return try await query.all().map(LoadedTender.init)
    }

    /// A new tender in preparation, from a tender of the region's design.
    static func create(designTender: String, settings: TenderSettings, on req: Request) async throws -> LoadedTender {
        let region = try await DesignStore.region(on: req.db)
        let unset = TenderScope(design: region.design, tender: designTender, subSegments: settings.subSegments, noGo: settings.noGo)
        var problems = unset.validate() + settings.timeline.validate().map { Problem("timeline.\($0.path)", $0.message) }
            + (settings.name.isBlank ? [Problem("name", "geef de aanbesteding een naam")] : [])
        let term = unset.contractTerm.map { settings.contractTerm ?? TenderContractTerm.proposed(from: $0, opening: settings.timeline.opening) }
        if let term { problems += TenderContractTerm.validate(term, timeline: settings.timeline) }
        let scope = term.map { unset.with(contractTerm: $0) } ?? unset
        guard problems.isEmpty else { throw ProblemList(problems: problems) }
        let year = Amsterdam.day(of: settings.timeline.publication).year
        let vault = req.application.zorginkoop.vault
        return try await req.audited("tender.created") { db in
            var code = "\(designTender)-\(year)"
            var suffix = 2
            while try await TenderRecord.query(on: db).filter(\.$code == code).count() > 0 {
                code = "\(designTender)-\(year)-\(suffix)"
                suffix += 1
            }
            let record = TenderRecord()
            let id = UUID()
            record.id = id
            record.code = code
            record.name = settings.name.trimmingCharacters(in: .whitespacesAndNewlines)
            record.setScope(scope)
            record.timeline = StoredJSON.string(settings.timeline)
            record.submissionDeadline = settings.timeline.submissionDeadline
            record.sealedKey = try vault.newTenderKey(tender: id).sealed
            try await record.create(on: db)
            return (try LoadedTender(record), code, ["ontwerp": region.design.code, "aanbesteding": designTender,
                                                     "subsegmenten": settings.subSegments.joined(separator: ", ")])
        }
    }

    /// Changes a tender. Before publication anything may change; after it the design is frozen and a
    /// change of timeline or go/no-go is a numbered correction, published to all with its explanation.
    static func update(_ code: String, settings: TenderSettings, explanation: String, on req: Request) async throws {
        let user = req.auth.get(AuthenticatedUser.self)
        let clock = req.application.clock
        try await req.audited("tender.changed") { db in
            guard let record = try await TenderRecord.query(on: db).filter(\.$code == code).first() else {
                throw Abort(.notFound, reason: "Aanbesteding '\(code)' bestaat niet.")
            }
            let tender = try LoadedTender(record)
            var scope = tender.scope
            var problems: [Problem] = []
            if tender.isPublished {
                if Set(settings.subSegments) != Set(scope.subSegments) || settings.name != tender.name {
                    problems.append(Problem("subSegments", "na publicatie liggen de naam en de subsegmenten vast"))
                }
                if explanation.isBlank { problems.append(Problem("explanation", "licht de rectificatie toe: iedereen ziet deze tekst")) }
                if tender.phase(at: clock.now()) != .open {
                    problems.append(Problem("timeline", "na het sluiten van de inschrijvingstermijn kan de aanbesteding niet meer wijzigen"))
                } else if settings.timeline.submissionDeadline < tender.timeline.submissionDeadline {
                    // Providers plan on the published deadline: it may move later, never earlier.
                    problems.append(Problem("timeline.submissionDeadline", "na publicatie kan de sluiting alleen later worden, niet eerder"))
                }
            }
            scope.subSegments = settings.subSegments
            scope.noGo = settings.noGo
            if let term = settings.contractTerm { scope = scope.with(contractTerm: term) }
            problems += scope.validate() + settings.timeline.validate().map { Problem("timeline.\($0.path)", $0.message) }
            if let term = scope.contractTerm, term != tender.scope.contractTerm || settings.timeline.opening != tender.timeline.opening {
                problems += TenderContractTerm.validate(term, timeline: settings.timeline)
            }
            if settings.name.isBlank { problems.append(Problem("name", "geef de aanbesteding een naam")) }
            guard problems.isEmpty else { throw ProblemList(problems: problems) }
            let changes = describeChanges(from: tender, to: settings, scope: scope)
            guard !changes.isEmpty else { return ((), code, ["wijzigingen": "geen"]) }
            record.name = settings.name
            record.setScope(scope)
            record.timeline = StoredJSON.string(settings.timeline)
            record.submissionDeadline = settings.timeline.submissionDeadline
            try await record.update(on: db)
            var details = Dictionary(changes.map { ($0.field, "\($0.old) → \($0.new)") }, uniquingKeysWith: { a, _ in a })
            if tender.isPublished {
                let number = try await TenderCorrectionRecord.query(on: db).filter(\.$tender.$id == tender.id).count() + 1
                let correction = TenderCorrectionRecord()
                correction.$tender.id = tender.id
                correction.number = number
                correction.explanation = explanation
                correction.changes = StoredJSON.string(changes)
                correction.publishedAt = clock.now()
                correction.publishedBy = user?.email ?? "systeem"
                try await correction.create(on: db)
                // Before publication takes effect, the correction is news from that instant on.
                try await Notifications.toAllProviders("Rectificatie \(number) bij \(tender.name) is gepubliceerd.",
                                                       link: AppURL.tender(code).path, at: max(clock.now(), tender.publishedAt ?? clock.now()), on: db)
                details["rectificatie"] = "\(number): \(explanation)"
            }
            return ((), code, details)
        }
    }

    struct Change: Codable, Sendable, Equatable {
        var field: String
        var old: String
        var new: String
    }

    static func describeChanges(from tender: LoadedTender, to settings: TenderSettings, scope: TenderScope) -> [Change] {
        var changes: [Change] = []
        func note(_ field: String, _ old: String, _ new: String) { if old != new { changes.append(Change(field: field, old: old, new: new)) } }
        note("naam", tender.name, settings.name)
        note("subsegmenten", tender.scope.subSegments.joined(separator: ", "), settings.subSegments.joined(separator: ", "))
        let noGo = { (list: [NoGo]) in list.map { "\($0.municipality) niet in \($0.segment)" }.sorted().joined(separator: "; ") }
        note("no-go", noGo(tender.scope.noGo), noGo(settings.noGo))
        let t = tender.timeline, n = settings.timeline
        note("publicatie", DutchTime.dateTime(t.publication), DutchTime.dateTime(n.publication))
        note("vragenrondes", t.questionDeadlines.map(DutchTime.dateTime).joined(separator: ", "),
             n.questionDeadlines.map(DutchTime.dateTime).joined(separator: ", "))
        note("sluiting inschrijving", DutchTime.dateTime(t.submissionDeadline), DutchTime.dateTime(n.submissionDeadline))
        note("opening", DutchTime.dateTime(t.opening), DutchTime.dateTime(n.opening))
        note("looptijd overeenkomst", tender.scope.contractTerm.map(TenderContractTerm.dutch) ?? "", scope.contractTerm.map(TenderContractTerm.dutch) ?? "")
        return changes
    }

    /// Publishes a tender: from now on providers see it and its design is frozen.
    static func publish(_ code: String, on req: Request) async throws {
        let clock = req.application.clock
        try await req.audited("tender.published") { db in
            guard let record = try await TenderRecord.query(on: db).filter(\.$code == code).first() else {
                throw Abort(.notFound, reason: "Aanbesteding '\(code)' bestaat niet.")
            }
            let tender = try LoadedTender(record)
            guard !tender.isPublished else { throw Abort(.conflict, reason: "Deze aanbesteding is al gepubliceerd.") }
            let now = clock.now()
            guard Deadline.isOnTime(now, deadline: tender.timeline.questionDeadlines.first ?? tender.timeline.submissionDeadline) else {
                throw ProblemList(problems: [Problem("timeline", "de eerste vragenronde is al gesloten; pas de planning aan voor u publiceert")])
            }
            // Publication takes effect at the published time, or now when that has passed; providers
            // see the tender, and its notification, from that instant.
            let effective = max(now, tender.timeline.publication)
            record.publishedAt = effective
            try await record.update(on: db)
            try await Notifications.toAllProviders("Nieuwe aanbesteding gepubliceerd: \(tender.name).", link: AppURL.tender(code).path, at: effective, on: db)
            return ((), code, ["publicatie": DutchTime.dateTime(effective)])
        }
    }

    static func corrections(_ tender: LoadedTender, on db: Database) async throws -> [TenderCorrectionRecord] {
        try await TenderCorrectionRecord.query(on: db).filter(\.$tender.$id == tender.id).sort(\.$number).all()
    }
}

enum Notifications {
    /// The same message to every registered provider organisation, in the caller's transaction.
    static func toAllProviders(_ text: String, link: String, at: Date, on db: Database) async throws {
        let organisations = try await OrganisationRecord.query(on: db).field(\.$id).all()
        try await send(text, link: link, at: at, to: organisations.map { try $0.requireID() }, on: db)
    }

    /// The same message to the organisations of these bidders (by name, as the award names them).
    /// In the app and by e-mail to every active account of the organisations, both from `at` on.
    static func send(_ text: String, link: String, at: Date, to organisations: [UUID], on db: Database) async throws {
        let addresses = try await Outbox.addresses(ofOrganisations: organisations, on: db)
        try await Outbox.enqueue(addresses.map { Outbox.Mail(recipient: $0, subject: "Zorginkoop: " + text.prefix(120), body: text, link: link) },
                                 at: at, on: db)
        let notes = organisations.map { organisation in
            let n = NotificationRecord()
            n.$organisation.id = organisation
            n.text = text
            n.link = link
            n.createdAt = at
            return n
        }
        if !notes.isEmpty { try await notes.create(on: db) }
    }
}

/// Decoded tender scopes: each holds a copy of the design (about 60 kB of JSON), and reading and
/// decoding it cost more than the rest of a bid submission. A scope is kept under the digest of its
/// stored text (`TenderRecord.setScope` writes both), so every instance serves what the database
/// holds; a tender without a digest is read and decoded every time.
final class DecodedScopes: Sendable {
    static let shared = DecodedScopes()
    private let entries = NIOLockedValueBox<[UUID: (digest: String, scope: TenderScope)]>([:])

    /// The decoded scope of this digest, if this instance has it.
    func cached(id: UUID, digest: String?) -> TenderScope? {
        guard let digest, let cached = entries.withLockedValue({ $0[id] }), cached.digest == digest else { return nil }
        return cached.scope
    }

    /// Decodes the stored text, and keeps it when it has a digest.
    func decode(id: UUID, digest: String?, text: String) throws -> TenderScope {
        let scope = try StoredJSON.decode(TenderScope.self, from: text)
        if let digest {
            entries.withLockedValue { entries in
                if entries.count > 256 { entries.removeAll() }
                entries[id] = (digest, scope)
            }
        }
        return scope
    }
}
