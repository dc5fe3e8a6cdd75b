import Fluent
import Foundation
import SQLKit
import Vapor
import ZorginkoopCore

/// One version of a tender document as everyone who may see the tender reads it.
struct TenderDocumentVersionInfo: Codable, Sendable {
    var id: UUID
    var version: Int
    var filename: String
    var contentType: String
    var size: Int
    var sha256: String
    var uploadedBy: String
    var uploadedAt: Date
    var correction: Int?
    var reason: String?
}

/// A tender document with all its versions, the newest (current) first.
struct TenderDocumentInfo: Codable, Sendable {
    var id: UUID
    var number: Int
    var title: String
    var kind: TenderDocumentKind
    var versions: [TenderDocumentVersionInfo]

    var current: TenderDocumentVersionInfo { versions[0] }
    var citation: String { TenderDocumentCitation.label(number: number, title: title, version: current.version) }
}

/// What an upload became: the document's number, the version, and after publication the correction's number.
struct StoredTenderDocument: Sendable {
    var document: Int
    var version: Int
    var correction: Int?
    var sha256: String
}

/// The documents of a tender: attached and replaced by officers (after publication only as a
/// numbered correction with a reason, published to every provider), read by everyone who may see
/// the tender. Every version is kept.
enum TenderDocumentService {
    static let chunkTable = "tender_document_chunks"

    /// A refusal of the rules, with the form field it belongs to.
    struct Refused: Error {
        var field: String
        var error: TenderDocumentError
        var status: HTTPStatus {
            switch error {
            case .extensionNotAllowed, .contentDoesNotMatch: .unsupportedMediaType
            case .tooLarge: .payloadTooLarge
            case .closed: .conflict
            case .unknownDocument: .notFound
            default: .unprocessableEntity
            }
        }
        var message: String { error.description }

        init(_ error: TenderDocumentError) {
            self.error = error
            switch error {
            case .missingTitle, .titleTooLong, .titleCharacter: field = "title"
            case .unknownKind: field = "kind"
            case .correctionWithoutReason, .reasonCharacter: field = "reason"
            case .correctionNotConfirmed: field = "confirm"
            default: field = "file"
            }
        }
    }

    /// What an officer sends with a file: for a new document its title and kind, for a replacement
    /// the document's number; after publication a reason and the confirmation.
    struct Upload: Sendable {
        var document: Int?
        var title: String
        var kind: String
        var reason: String
        var confirmed: Bool
    }

    static func chunks(_ version: UUID, _ tender: LoadedTender, _ app: Application) throws -> SealedChunks {
        SealedChunks(table: chunkTable, context: "tender-document", id: version, key: try BidService.tenderKey(tender, app))
    }

    static func stage(_ tender: LoadedTender, at now: Date) -> TenderDocumentChange.Stage {
        guard tender.isPublished else { return .draft }
        return Deadline.isOnTime(now, deadline: tender.timeline.submissionDeadline) ? .published : .closed
    }

    /// The tender's documents, each with its complete versions (newest first), by number.
    static func list(_ tender: LoadedTender, on db: Database) async throws -> [TenderDocumentInfo] {
        let documents = try await TenderDocumentRecord.query(on: db).filter(\.$tender.$id == tender.id).sort(\.$number).all()
        let versions = try await TenderDocumentVersionRecord.query(on: db).filter(\.$tender.$id == tender.id).filter(\.$complete == true)
            .sort(\.$version, .descending).all()
        let byDocument = Dictionary(grouping: versions, by: { $0.$document.id })
        return try documents.compactMap { d in
            let id = try d.requireID()
            let list = (byDocument[id] ?? []).map { v in
                TenderDocumentVersionInfo(id: v.id!, version: v.version, filename: v.filename, contentType: v.contentType, size: v.size, sha256: v.sha256,
                                          uploadedBy: v.uploadedByEmail, uploadedAt: v.uploadedAt, correction: v.correctionNumber, reason: v.correctionReason)
            }
            guard !list.isEmpty else { return nil }
            return TenderDocumentInfo(id: id, number: d.number, title: d.title, kind: TenderDocumentKind(rawValue: d.kind) ?? .other, versions: list)
        }
    }

    /// Checks what can be checked before a byte is stored (title, kind, reason, confirmation, type by name).
    static func precheck(_ tender: LoadedTender, _ upload: Upload, filename: String, on req: Request) async throws {
        if upload.document == nil {
            if case let .failure(error) = TenderDocumentRules.title(upload.title) { throw Refused(error) }
            if case let .failure(error) = TenderDocumentRules.kind(upload.kind) { throw Refused(error) }
        } else if let number = upload.document,
                  try await TenderDocumentRecord.query(on: req.db).filter(\.$tender.$id == tender.id).filter(\.$number == number).first() == nil {
            throw Refused(.unknownDocument(number: number))
        }
        if case let .failure(error) = TenderDocumentChange.plan(stage: stage(tender, at: req.now), versions: [], corrections: [],
                                                                reason: upload.reason, confirmed: upload.confirmed) {
            throw Refused(error)
        }
        if case let .failure(error) = TenderDocumentRules.expectedKind(filename: filename) { throw Refused(error) }
    }

    /// Stores a new document, or a new version of one: the bytes first (sealed chunks, hashed as they
    /// arrive, checked by name and content), then, in one audited transaction, its number, version,
    /// and after publication the correction with its notification to every provider. On any refusal
    /// nothing of it remains.
    static func store<Bytes: AsyncSequence>(_ tender: LoadedTender, _ upload: Upload, filename: String, bytes: Bytes, on req: Request) async throws
        -> StoredTenderDocument where Bytes.Element == ByteBuffer {
        try await precheck(tender, upload, filename: filename, on: req)
        let user = try req.auth.require(AuthenticatedUser.self)
        let versionID = UUID.timeOrdered()
        let record = TenderDocumentVersionRecord()
        record.id = versionID
        record.$tender.id = tender.id
        record.version = 0
        record.filename = filename
        record.contentType = ""
        record.size = 0
        record.sha256 = ""
        record.chunks = 0
        record.complete = false
        record.uploadedBy = user.id
        record.uploadedByEmail = user.email
        record.uploadedAt = req.now
        try await SealedChunks.bulkWrite(req) { try await record.create(on: $0) }
        let storage = try chunks(versionID, tender, req.application)
        let limit = req.application.tenderDocumentLimit
        do {
            var kind: DocumentKind?
            let received = try await storage.receive(bytes, on: req, inspect: { prefix in
                switch TenderDocumentRules.kind(filename: filename, prefix: prefix) {
                case let .success(k): kind = k
                case let .failure(error): throw Refused(error)
                }
            }, checkSize: { size in
                if let error = TenderDocumentRules.checkSize(size, filename: filename, limit: limit) { throw Refused(error) }
            })
            guard received.size > 0, let kind else { throw Refused(.empty(filename: filename)) }
            return try await commit(tender, upload, version: record, kind: kind, received: received, on: req)
        } catch {
            try? await SealedChunks.bulkWrite(req) { db in
                try await storage.delete(on: db)
                try await TenderDocumentVersionRecord.query(on: db).filter(\.$id == versionID).delete()
            }
            throw error
        }
    }

    private static func commit(_ tender: LoadedTender, _ upload: Upload, version record: TenderDocumentVersionRecord, kind: DocumentKind,
                               received: SealedChunks.Received, on req: Request) async throws -> StoredTenderDocument {
        let clock = req.application.clock
        let user = try req.auth.require(AuthenticatedUser.self)
        let action = tender.isPublished ? "tender.document.corrected" : "tender.document.uploaded"
        return try await req.audited(action) { db in
            guard let tenderRecord = try await TenderRecord.find(tender.id, on: db) else { throw Abort(.notFound) }
            let current = try LoadedTender(tenderRecord)
            let now = clock.now()
            let document: TenderDocumentRecord
            var previous: TenderDocumentVersionRecord?
            if let number = upload.document {
                guard let found = try await TenderDocumentRecord.query(on: db).filter(\.$tender.$id == tender.id).filter(\.$number == number).first() else {
                    throw Refused(.unknownDocument(number: number))
                }
                document = found
                let foundID = try found.requireID()
                previous = try await TenderDocumentVersionRecord.query(on: db).filter(\.$document.$id == foundID)
                    .filter(\.$complete == true).sort(\.$version, .descending).first()
            } else {
                let numbers = try await TenderDocumentRecord.query(on: db).filter(\.$tender.$id == tender.id).all().map(\.number)
                guard case let .success(title) = TenderDocumentRules.title(upload.title) else { throw Refused(.missingTitle) }
                document = TenderDocumentRecord()
                document.$tender.id = tender.id
                document.number = TenderDocumentRules.nextNumber(after: numbers)
                document.title = title
                document.kind = (TenderDocumentKind(rawValue: upload.kind) ?? .other).rawValue
                document.createdAt = now
                try await document.create(on: db)
            }
            let corrections = try await TenderCorrectionRecord.query(on: db).filter(\.$tender.$id == tender.id).all().map(\.number)
            let plan: TenderDocumentChange
            switch TenderDocumentChange.plan(stage: stage(current, at: now), versions: previous.map { [$0.version] } ?? [],
                                             corrections: corrections, reason: upload.reason, confirmed: upload.confirmed) {
            case let .success(p): plan = p
            case let .failure(error): throw Refused(error)
            }
            record.$document.id = try document.requireID()
            record.version = plan.version
            record.contentType = kind.mediaType
            record.size = received.size
            record.sha256 = received.sha256
            record.chunks = received.chunks
            record.complete = true
            record.uploadedAt = now
            record.uploadedBy = user.id
            record.correctionNumber = plan.correction
            record.correctionReason = plan.reason
            try await record.update(on: db)
            let citation = TenderDocumentCitation.label(number: document.number, title: document.title, version: plan.version)
            var details = ["document": citation, "bestand": record.filename, "sha256": received.sha256, "grootte": String(received.size)]
            if let number = plan.correction, let reason = plan.reason {
                let correction = TenderCorrectionRecord()
                correction.$tender.id = tender.id
                correction.number = number
                correction.explanation = reason
                let old = previous.map { "versie \($0.version) (\($0.filename))" } ?? "(nieuw document)"
                correction.changes = StoredJSON.string([TenderStore.Change(field: "document \(document.number) – \(document.title)", old: old,
                                                                           new: "versie \(plan.version) (\(record.filename))")])
                correction.publishedAt = now
                correction.publishedBy = user.email
                try await correction.create(on: db)
                let text = previous == nil
                    ? "Rectificatie \(number) bij \(tender.name): document \(citation) is toegevoegd. Reden: \(reason)"
                    : "Rectificatie \(number) bij \(tender.name): document \(citation) vervangt versie \(previous!.version). Reden: \(reason)"
                try await Notifications.toAllProviders(text, link: AppURL.tender(tender.code).path + "#documenten",
                                                       at: max(now, current.publishedAt ?? now), on: db)
                details["rectificatie"] = "\(number): \(reason)"
            }
            return (StoredTenderDocument(document: document.number, version: plan.version, correction: plan.correction, sha256: received.sha256),
                    tender.code, details)
        }
    }

    /// One complete version of a document, for a download.
    static func version(_ tender: LoadedTender, number: Int, version: Int?, on db: Database) async throws -> (TenderDocumentInfo, TenderDocumentVersionInfo) {
        guard let document = try await list(tender, on: db).first(where: { $0.number == number }),
              let found = version.map({ v in document.versions.first { $0.version == v } }) ?? document.versions.first else {
            throw Abort(.notFound, reason: "Dit document of deze versie bestaat niet in deze aanbesteding.")
        }
        return (document, found)
    }

    /// The download: the right type, the file name, and the SHA-256 of the bytes in a header.
    static func response(_ tender: LoadedTender, _ version: TenderDocumentVersionInfo, on req: Request) throws -> Response {
        let response = try chunks(version.id, tender, req.application)
            .response(name: version.filename, kind: TenderDocumentRules.allowed.first { $0.mediaType == version.contentType }, size: version.size, on: req)
        response.headers.replaceOrAdd(name: "X-Content-SHA256", value: version.sha256)
        if let bytes = Array(hex: version.sha256) {
            response.headers.replaceOrAdd(name: "Repr-Digest", value: "sha-256=:\(Data(bytes).base64EncodedString()):")
        }
        return response
    }
}

extension Application {
    private struct TenderDocumentLimitKey: StorageKey { typealias Value = Int }

    /// The largest tender document accepted: the core's 50 MB. Tests lower it to prove the refusal
    /// while streaming without sending 50 MB through a debug build.
    var tenderDocumentLimit: Int {
        get { storage[TenderDocumentLimitKey.self] ?? TenderDocumentRules.maximumSize }
        set { storage[TenderDocumentLimitKey.self] = newValue }
    }
}

extension Array where Element == UInt8 {
    /// The bytes a hexadecimal text spells, or nil when it is not one.
    init?(hex: String) {
        guard hex.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self = bytes
    }
}
