import Fluent
import NIOConcurrencyHelpers
import Foundation
import Vapor
import ZorginkoopCatalog
import ZorginkoopCore

/// A stored design with its decoded value.
struct StoredDesign: Sendable {
    var id: UUID
    var code: String
    var status: DesignStatus
    var basedOn: String?
    var updatedAt: Date?
    var design: Design
}

enum DesignStatus: String, Sendable, Codable {
    /// The design the region runs on: bundled, read-only.
    case region
    /// An official's editable copy.
    case draft

    var dutchName: String {
        switch self {
        case .region: "In gebruik voor de regio"
        case .draft: "Concept"
        }
    }
}

/// Reading and writing designs; the domain only ever sees `Design` values.
enum DesignStore {
    static func encode(_ design: Design) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try! encoder.encode(design), as: UTF8.self)
    }

    static func stored(_ record: DesignRecord) throws -> StoredDesign {
        let id = try record.requireID()
        let design = try DecodedDesigns.shared.design(id: id, version: record.updatedAt, document: record.document) {
            try Catalog.decode(Data(record.document.utf8), file: "designs/\(record.code)")
        }
        return StoredDesign(id: id, code: record.code, status: DesignStatus(rawValue: record.status) ?? .draft,
                            basedOn: record.basedOn, updatedAt: record.updatedAt, design: design)
    }

    /// The design the region runs on. Read on every page, so the 60 kB document is fetched only
    /// when the decoded copy is missing or older than the row's `updated_at`.
    static func region(on db: Database) async throws -> StoredDesign {
        guard let head = try await DesignRecord.query(on: db).filter(\.$status == DesignStatus.region.rawValue)
            .field(\.$id).field(\.$code).field(\.$status).field(\.$basedOn).field(\.$updatedAt).first(),
            let id = head.id else {
            throw Abort(.serviceUnavailable, reason: "De regio is nog niet geladen.")
        }
        if let design = DecodedDesigns.shared.design(id: id, version: head.updatedAt) {
            return StoredDesign(id: id, code: head.code, status: .region, basedOn: head.basedOn, updatedAt: head.updatedAt, design: design)
        }
        guard let record = try await DesignRecord.find(id, on: db) else { throw Abort(.serviceUnavailable, reason: "De regio is nog niet geladen.") }
        return try stored(record)
    }

    static func all(on db: Database) async throws -> [StoredDesign] {
        try await DesignRecord.query(on: db).sort(\.$status, .descending).sort(\.$code).all().map(stored)
    }

    static func find(_ code: String, on db: Database) async throws -> (DesignRecord, StoredDesign) {
        guard let record = try await DesignRecord.query(on: db).filter(\.$code == code).first() else {
            throw Abort(.notFound, reason: "Ontwerp '\(code)' bestaat niet.")
        }
        return (record, try stored(record))
    }

    /// Loads the region from the bundled design the first time the application starts.
    static func loadRegionIfEmpty(_ app: Application) async throws -> Bool {
        if try await DesignRecord.query(on: app.db).filter(\.$status == DesignStatus.region.rawValue).count() > 0 { return false }
        let design = try Catalog.bundledDesign(app.zorginkoop.regionDesign)
        do {
            try await app.db.audited("region.loaded", subject: design.code, actor: "systeem", clock: app.clock,
                                     details: ["design": design.code, "municipalities": "\(design.region.municipalities.count)"]) { db in
                // Checked again under the chain's lock: instances starting together load the region once.
                guard try await DesignRecord.query(on: db).filter(\.$status == DesignStatus.region.rawValue).count() == 0 else {
                    throw AlreadyLoaded()
                }
                try await DesignRecord(code: design.code, name: design.name, status: DesignStatus.region.rawValue, basedOn: nil,
                                       document: encode(design)).create(on: db)
            }
        } catch is AlreadyLoaded {
            return false
        }
        return true
    }

    private struct AlreadyLoaded: Error {}

    /// A draft copy of a design, with a fresh code.
    static func copy(_ source: StoredDesign, on request: Request) async throws -> StoredDesign {
        // Numbered inside the audited transaction, after its lock: two copies at once get two numbers.
        let record = try await request.audited("design.draft.created") { db in
            let existing = try await DesignRecord.query(on: db).filter(\.$basedOn == source.code).count()
            var design = source.design
            design.code = "\(source.code)-concept-\(existing + 1)"
            design.name = "\(source.design.name) (concept \(existing + 1))"
            let record = DesignRecord(code: design.code, name: design.name, status: DesignStatus.draft.rawValue,
                                      basedOn: source.code, document: encode(design))
            try await record.create(on: db)
            return (record, subject: design.code, details: ["basedOn": source.code])
        }
        return try stored(record)
    }

    /// Saves a changed draft after validation; the audit entry names what changed.
    static func save(_ design: Design, over record: DesignRecord, changes: [String: String], on request: Request) async throws {
        guard record.status == DesignStatus.draft.rawValue else {
            throw Abort(.conflict, reason: "Alleen een concept kan worden gewijzigd; maak eerst een kopie.")
        }
        let document = encode(design)
        let basedOn = record.document
        let id = try record.requireID()
        try await request.audited("design.changed", subject: record.code, details: changes) { db in
            // The changes were worked out against what the editor saw; if someone saved in between,
            // saving now would silently undo their change.
            guard let fresh = try await DesignRecord.find(id, on: db) else { throw Abort(.notFound) }
            guard fresh.document == basedOn else {
                throw Abort(.conflict, reason: "Dit concept is intussen door iemand anders gewijzigd. Laad het opnieuw en breng uw wijziging dan aan.")
            }
            fresh.document = document
            fresh.name = design.name
            try await fresh.update(on: db)
        }
    }
}

/// Decoding a design's JSON costs more than the rest of a page; the decoded value is kept per
/// design id, its `updated_at` and its text. The database stays the only state: every request
/// reads the row's version, so every instance serves what the database holds now.
final class DecodedDesigns: Sendable {
    static let shared = DecodedDesigns()
    private let entries = NIOLockedValueBox<[UUID: (version: Date?, document: String, design: Design)]>([:])

    /// The decoded design when the cached copy has this version.
    func design(id: UUID, version: Date?) -> Design? {
        entries.withLockedValue { entries in
            guard let entry = entries[id], entry.version == version, version != nil else { return nil }
            return entry.design
        }
    }

    func design(id: UUID, version: Date?, document: String, decode: () throws -> Design) throws -> Design {
        if let cached = entries.withLockedValue({ $0[id] }), cached.document == document {
            if cached.version != version { remember(id, version, document, cached.design) }
            return cached.design
        }
        let design = try decode()
        remember(id, version, document, design)
        return design
    }

    private func remember(_ id: UUID, _ version: Date?, _ document: String, _ design: Design) {
        entries.withLockedValue { entries in
            if entries.count > 256 { entries.removeAll() }
            entries[id] = (version, document, design)
        }
    }
}

/// Parts of pages that depend only on a design, rendered by Leaf once per design version. The
/// overview is the most visited page; rendering its tables for every visit cost more than all its
/// database reads together. The key holds the design's id and `updated_at`, read from the
/// database on every request, so an edit shows at once on every instance.
final class RenderedFragments: Sendable {
    static let shared = RenderedFragments()
    private let entries = NIOLockedValueBox<[String: String]>([:])

    func fragment<Context: Encodable>(_ template: String, of design: StoredDesign, on request: Request,
                                      context: () -> Context) async throws -> String {
        let key = "\(template)|\(design.id)|\(design.updatedAt?.timeIntervalSince1970 ?? 0)"
        if let cached = entries.withLockedValue({ $0[key] }) { return cached }
        let html = String(buffer: try await request.view.render(template, FragmentContext(data: context())).data)
        entries.withLockedValue { entries in
            if entries.count > 256 { entries.removeAll() }
            entries[key] = html
        }
        return html
    }
}

/// A fragment's context has the same shape as a page's, so templates read `data.…` alike.
struct FragmentContext<Data: Encodable>: Encodable {
    var data: Data
}
