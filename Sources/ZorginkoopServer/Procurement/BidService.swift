import Crypto
import Fluent
import Foundation
import SQLKit
import Vapor
import ZorginkoopCore

/// A document of a bid as its owner (or, after the opening, an officer) sees it.
struct DocumentInfo: Codable, Sendable, Content {
    var id: UUID
    var purpose: String
    var name: String
    var kind: String
    var size: Int
    var sha256: String
}

/// Exactly what a submission seals and what its digest covers.
struct SealedSubmission: Codable, Sendable {
    var tender: String
    var organisation: UUID
    var organisationName: String
    var version: Int
    var submittedAt: Date
    var content: BidContent
    var documents: [DocumentInfo]

    /// The stored JSON of a submission up to its time and version, which only the transaction
    /// that records it knows. The keys are sorted, so those two come last but one and last:
    /// `complete` gives the same bytes as `StoredJSON.encode` of the whole (a test holds it to that).
    struct Prefix: Sendable {
        let head: Data
        let tender: Data

        /// `contentJSON` is `StoredJSON.encode` of the bid's content.
        init(tender: String, organisation: UUID, organisationName: String, contentJSON: Data, documents: [DocumentInfo]) {
            var head = Data("{\"content\":".utf8)
            head += contentJSON
            head += Data(",\"documents\":".utf8) + StoredJSON.encode(documents)
            head += Data(",\"organisation\":".utf8) + StoredJSON.encode(organisation)
            head += Data(",\"organisationName\":".utf8) + StoredJSON.encode(organisationName)
            head += Data(",\"submittedAt\":".utf8)
            self.head = head
            self.tender = StoredJSON.encode(tender)
        }

        func complete(submittedAt: Date, version: Int) -> Data {
            var bytes = head
            bytes += StoredJSON.encode(submittedAt)
            bytes += Data(",\"tender\":".utf8) + tender
            bytes += Data(",\"version\":\(version)}".utf8)
            return bytes
        }
    }
}

/// The proof a provider gets: the server's time and the SHA-256 of the whole submission and of every document.
struct Receipt: Codable, Sendable, Content {
    struct Document: Codable, Sendable {
        var id: UUID
        var sha256: String
        var size: Int
    }

    var tender: String
    var bid: UUID
    var version: Int
    var submittedAt: Date
    var submittedBy: String
    var digest: String
    var documents: [Document]
    var withdrawnAt: Date?
}

/// A submission refused because it completed at or after the deadline.
struct LateSubmission: Error {
    var deadline: Date
    var at: Date
}

/// Bids, as their owners work on them. Every function takes the provider's own organisation from
/// the signed-in user: no route can name another organisation's bid.
enum BidService {
    static let chunkSize = 512 * 1024

    static func tenderKey(_ tender: LoadedTender, _ app: Application) throws -> SymmetricKey {
        try app.zorginkoop.vault.tenderKey(tender: tender.id, sealed: tender.sealedKey)
    }

    static func organisation(of req: Request) throws -> UUID {
        guard let user = req.auth.get(AuthenticatedUser.self), user.role == .provider, let organisation = user.organisationID else {
            throw Abort(.forbidden, reason: "Alleen een zorgaanbieder met een organisatie kan inschrijven.")
        }
        return organisation
    }

    static func bid(of organisation: UUID, in tender: LoadedTender, on db: Database) async throws -> BidRecord? {
        try await BidRecord.query(on: db).filter(\.$tender.$id == tender.id).filter(\.$organisation.$id == organisation).first()
    }

    static func draft(_ bid: BidRecord?, tender: LoadedTender, app: Application) throws -> BidContent {
        guard let bid, !bid.draft.isEmpty else { return BidContent() }
        let plain = try VaultKeys.open(bid.draft, key: try tenderKey(tender, app), context: "bid-draft:\(try bid.requireID())")
        return try StoredJSON.decode(BidContent.self, from: plain)
    }

    /// Refuses anything but work on an open tender: bids change only between publication and deadline.
    static func requireOpen(_ tender: LoadedTender, now: Date) throws {
        switch tender.phase(at: now) {
        case .open: return
        case .draft, .scheduled: throw Abort(.notFound, reason: "Aanbesteding '\(tender.code)' bestaat niet.")
        case .closed, .opened:
            throw Abort(.conflict, reason: "De inschrijvingstermijn is gesloten op \(DutchTime.dateTime(tender.timeline.submissionDeadline)); wijzigen kan niet meer.")
        }
    }

    /// The bid of the organisation, created empty when it has none yet.
    static func bidForWriting(_ organisation: UUID, _ tender: LoadedTender, on db: Database) async throws -> BidRecord {
        if let existing = try await bid(of: organisation, in: tender, on: db) { return existing }
        let record = BidRecord()
        record.$tender.id = tender.id
        record.$organisation.id = organisation
        record.status = "draft"
        record.draft = Data()
        record.version = 0
        try await record.create(on: db)
        return record
    }

    /// The bid documents are uploaded to, created (through the writer) when there is none yet.
    static func bidForUpload(_ organisation: UUID, _ tender: LoadedTender, on req: Request) async throws -> BidRecord {
        if let existing = try await bid(of: organisation, in: tender, on: req.db) { return existing }
        return try await req.application.decisions.transaction { try await bidForWriting(organisation, tender, on: $0) }
    }

    /// Saves the draft as the provider types: sealed, not audited (nothing is decided yet).
    static func saveDraft(_ content: BidContent, tender: LoadedTender, on req: Request) async throws {
        let organisation = try organisation(of: req)
        try requireOpen(tender, now: req.now)
        let key = try tenderKey(tender, req.application)
        try await req.application.decisions.transaction { db in
            let bid = try await bidForWriting(organisation, tender, on: db)
            bid.draft = try VaultKeys.seal(StoredJSON.encode(content), key: key, context: "bid-draft:\(try bid.requireID())")
            if bid.status == "withdrawn" { bid.status = "draft" }
            try await bid.update(on: db)
        }
    }

    static func documents(of bid: BidRecord, tender: LoadedTender, app: Application, on db: Database, includeRemoved: Bool = false) async throws -> [DocumentInfo] {
        try await documents(ofBid: try bid.requireID(), tender: tender, app: app, on: db, includeRemoved: includeRemoved)
    }

    /// A document's columns as SQLKit reads them, on their own or next to their bid's.
    struct DocumentRow: Decodable {
        var document_id: UUID
        var purpose: String
        var sealed_name: Data
        var kind: String
        var size: Int
        var sha256: String

        static let columns: [any SQLExpression] = [
            SQLAlias(SQLColumn("id", table: BidDocumentRecord.schema), as: SQLIdentifier("document_id")),
        ] + ["purpose", "sealed_name", "kind", "size", "sha256"].map { SQLColumn($0, table: BidDocumentRecord.schema) }

        func info(key: SymmetricKey) throws -> DocumentInfo {
            let name = String(decoding: try VaultKeys.open(sealed_name, key: key, context: "document-name:\(document_id)"), as: UTF8.self)
            return DocumentInfo(id: document_id, purpose: purpose, name: name, kind: kind, size: size, sha256: sha256)
        }
    }

    /// The join of a bid (`bids`) to its standing documents: complete and not removed. A left join
    /// on it gives a bid without documents one row whose document columns are null.
    static let standingDocumentOfBid = SQLBinaryExpression(
        SQLBinaryExpression(SQLColumn("bid_id", table: BidDocumentRecord.schema), .equal, SQLColumn("id", table: BidRecord.schema)), .and,
        SQLBinaryExpression(SQLBinaryExpression(SQLColumn("complete", table: BidDocumentRecord.schema), .equal, SQLBind(true)), .and,
                            SQLBinaryExpression(SQLColumn("removed", table: BidDocumentRecord.schema), .equal, SQLBind(false))))

    /// The bid's complete documents in upload order, names unsealed. SQLKit: read on every submission.
    static func documents(ofBid bid: UUID, tender: LoadedTender, app: Application, on db: Database, includeRemoved: Bool = false) async throws -> [DocumentInfo] {
        let key = try tenderKey(tender, app)
        let query = (db as! any SQLDatabase).select().columns(DocumentRow.columns).from(BidDocumentRecord.schema)
            .where("bid_id", .equal, bid).where("complete", .equal, true)
        if !includeRemoved { query.where("removed", .equal, false) }
        return try await query.orderBy("created_at").all(decoding: DocumentRow.self).map { try $0.info(key: key) }
    }

    static func info(_ d: BidDocumentRecord, key: SymmetricKey) throws -> DocumentInfo {
        try DocumentRow(document_id: try d.requireID(), purpose: d.purpose, sealed_name: d.sealedName, kind: d.kind, size: d.size,
                        sha256: d.sha256).info(key: key)
    }

    static func removeDocument(_ id: UUID, tender: LoadedTender, on req: Request) async throws {
        let organisation = try organisation(of: req)
        try requireOpen(tender, now: req.now)
        guard let bid = try await bid(of: organisation, in: tender, on: req.db),
              let document = try await BidDocumentRecord.query(on: req.db).filter(\.$id == id).filter(\.$bid.$id == (try bid.requireID())).first() else {
            throw Abort(.notFound, reason: "Dit document hoort niet bij uw inschrijving.")
        }
        document.removed = true
        try await req.application.decisions.transaction { try await document.update(on: $0) }
    }

    // MARK: Submission

    /// What a submission starts from, in one query: the bid, its draft, its organisation's name
    /// and its standing documents (one row per document; the bid's columns repeat).
    private struct SubmissionStart: Decodable {
        var id: UUID
        var draft: Data
        var organisation_name: String
        var document: DocumentRow?

        enum CodingKeys: String, CodingKey { case id, draft, organisation_name, document_id }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decode(UUID.self, forKey: .id)
            draft = try c.decode(Data.self, forKey: .draft)
            organisation_name = try c.decode(String.self, forKey: .organisation_name)
            document = try c.decodeNil(forKey: .document_id) ? nil : try DocumentRow(from: decoder)
        }

        static func load(tender: UUID, organisation: UUID, on db: Database) async throws -> [SubmissionStart] {
            let bids = BidRecord.schema
            return try await (db as! any SQLDatabase).select()
                .columns([SQLColumn("id", table: bids), SQLColumn("draft", table: bids),
                          SQLAlias(SQLColumn("name", table: OrganisationRecord.schema), as: SQLIdentifier("organisation_name"))] + DocumentRow.columns)
                .from(bids)
                .join(OrganisationRecord.schema, on: SQLColumn("organisation_id", table: bids), .equal, SQLColumn("id", table: OrganisationRecord.schema))
                .join(BidDocumentRecord.schema, method: SQLJoinMethod.left, on: standingDocumentOfBid)
                .where(SQLColumn("tender_id", table: bids), .equal, SQLBind(tender))
                .where(SQLColumn("organisation_id", table: bids), .equal, SQLBind(organisation))
                .orderBy(SQLColumn("created_at", table: BidDocumentRecord.schema))
                .all(decoding: SubmissionStart.self)
        }
    }

    /// Submits the current draft: everything checked, sealed and receipted in one transaction, on
    /// the server's time. The last submitted version counts. Every statement is SQLKit and the
    /// submissions waiting for the writer commit as one batch (`PendingSubmission`): this is the
    /// path of the rush before a deadline, and Fluent's model reflection and one statement after
    /// another per bid cost more than the disk (measured with perf and wrk; docs/performance.md).
    static func submit(tender: LoadedTender, on req: Request) async throws -> Receipt {
        let organisation = try organisation(of: req)
        let user = req.auth.get(AuthenticatedUser.self)!
        let clock = req.application.clock
        try requireOpen(tender, now: req.now)
        let rows = try await SubmissionStart.load(tender: tender.id, organisation: organisation, on: req.db)
        guard let start = rows.first, !start.draft.isEmpty else {
            throw ProblemList(problems: [Problem("subSegments", "u heeft nog niets ingevuld voor deze inschrijving")])
        }
        let bidID = start.id
        let key = try tenderKey(tender, req.application)
        let draft = try VaultKeys.open(start.draft, key: key, context: "bid-draft:\(bidID)")
        let content = try StoredJSON.decode(BidContent.self, from: draft)
        let documents = try rows.compactMap { try $0.document?.info(key: key) }
        let problems = content.submissionProblems(in: tender.scope, attachedTo: Set(documents.map(\.purpose)))
        guard problems.isEmpty else { throw ProblemList(problems: problems) }
        do {
            return try await req.application.decisions.commit(PendingSubmission(
                tenderCode: tender.code, bid: bidID, organisation: organisation, organisationName: start.organisation_name,
                submittedBy: user.email, submitterRole: user.role.rawValue, draftSeen: start.draft, contentJSON: draft,
                documents: documents, key: key, clock: clock))
        } catch let late as LateSubmission {
            req.logger.warning("Late submission refused", metadata: ["tender": .string(tender.code), "bid": .string(bidID.uuidString),
                                                                     "at": .string(DutchTime.preciseDateTime(late.at))])
            try await req.audited("bid.refused-late", subject: tender.code,
                                  details: ["inschrijving": bidID.uuidString, "tijdstip": DutchTime.preciseDateTime(late.at),
                                            "sluiting": DutchTime.preciseDateTime(late.deadline)]) { _ in }
            throw Abort(.conflict, reason: "Uw inschrijving is geweigerd: zij was compleet op \(DutchTime.preciseDateTime(late.at)), na de sluiting van \(DutchTime.preciseDateTime(late.deadline)). De servertijd is bepalend.")
        }
    }

    /// Withdraws the submitted bid before the deadline; the receipts stay, marked withdrawn.
    static func withdraw(tender: LoadedTender, on req: Request) async throws {
        let organisation = try organisation(of: req)
        let clock = req.application.clock
        try requireOpen(tender, now: clock.now())
        try await req.audited("bid.withdrawn", subject: tender.code) { db in
            guard let bid = try await bid(of: organisation, in: tender, on: db), bid.status == "submitted" else {
                throw Abort(.conflict, reason: "Er is geen ingediende inschrijving om in te trekken.")
            }
            let now = clock.now()
            guard Deadline.isOnTime(now, deadline: tender.timeline.submissionDeadline) else {
                throw Abort(.conflict, reason: "Na de sluiting kan een inschrijving niet meer worden ingetrokken.")
            }
            guard let last = try await BidSubmissionRecord.query(on: db).filter(\.$bid.$id == (try bid.requireID()))
                .filter(\.$version == bid.version).first() else { throw Abort(.internalServerError) }
            last.withdrawnAt = now
            var receipt = try StoredJSON.decode(Receipt.self, from: last.receipt)
            receipt.withdrawnAt = now
            last.receipt = StoredJSON.string(receipt)
            try await last.update(on: db)
            bid.status = "withdrawn"
            try await bid.update(on: db)
        }
    }

    static func receipts(of bid: BidRecord, on db: Database) async throws -> [Receipt] {
        try await BidSubmissionRecord.query(on: db).filter(\.$bid.$id == (try bid.requireID())).sort(\.$version, .descending).all()
            .map { try StoredJSON.decode(Receipt.self, from: $0.receipt) }
    }
}
