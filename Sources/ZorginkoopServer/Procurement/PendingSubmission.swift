import Crypto
import Fluent
import Foundation
import SQLKit
import Vapor
import ZorginkoopCore

/// A bid submission, checked by its provider's request and waiting for the writer. Submissions
/// that wait together commit together: two reads, one insert of all submissions, one update of
/// all bids and one insert of all audit entries, whatever the number of bids. Each is still
/// judged alone, on the server's time read inside the transaction: a late or outdated one gets
/// its own error and writes nothing.
struct PendingSubmission: BatchedDecision {
    var tenderCode: String
    var bid: UUID
    var organisation: UUID
    var organisationName: String
    var submittedBy: String
    var submitterRole: String
    /// The sealed draft the provider's checks ran on; a submission of anything else is refused.
    var draftSeen: Data
    /// The bid's content as `StoredJSON` encodes it: the opened draft, which `saveDraft` wrote so,
    /// sealed as it is instead of being encoded a second time.
    var contentJSON: Data
    var documents: [DocumentInfo]
    var key: SymmetricKey
    var clock: AppClock
    private let prefix: SealedSubmission.Prefix

    init(tenderCode: String, bid: UUID, organisation: UUID, organisationName: String, submittedBy: String, submitterRole: String,
         draftSeen: Data, contentJSON: Data, documents: [DocumentInfo], key: SymmetricKey, clock: AppClock) {
        (self.tenderCode, self.bid, self.organisation, self.organisationName) = (tenderCode, bid, organisation, organisationName)
        (self.submittedBy, self.submitterRole, self.draftSeen) = (submittedBy, submitterRole, draftSeen)
        (self.contentJSON, self.documents, self.key, self.clock) = (contentJSON, documents, key, clock)
        prefix = SealedSubmission.Prefix(tender: tenderCode, organisation: organisation, organisationName: organisationName,
                                         contentJSON: contentJSON, documents: documents)
    }

    /// The bid as it stands inside the transaction, with its tender's deadline: one row per
    /// standing document (or one without, when it has none).
    private struct Standing: Decodable {
        var id: UUID
        var submission_deadline: Date
        var draft: Data
        var version: Int
        var document_id: UUID?

        static func load(_ bids: [UUID], on sql: any SQLDatabase) async throws -> [Standing] {
            let bid = BidRecord.schema
            return try await sql.select()
                .columns(SQLColumn("id", table: bid), SQLColumn("submission_deadline", table: TenderRecord.schema),
                         SQLColumn("draft", table: bid), SQLColumn("version", table: bid),
                         SQLAlias(SQLColumn("id", table: BidDocumentRecord.schema), as: SQLIdentifier("document_id")))
                .from(bid)
                .join(TenderRecord.schema, on: SQLColumn("tender_id", table: bid), .equal, SQLColumn("id", table: TenderRecord.schema))
                .join(BidDocumentRecord.schema, method: SQLJoinMethod.left, on: BidService.standingDocumentOfBid)
                .where(SQLColumn("id", table: bid), .in, SQLBind.group(bids))
                .all(decoding: Standing.self)
        }
    }

    static func commit(_ batch: [PendingSubmission], on db: Database) async throws -> [Result<Receipt, any Error>] {
        let sql = db as! any SQLDatabase
        try await AuditChain.lock(db)
        let rows = try await Standing.load(Array(Set(batch.map(\.bid))), on: sql)
        let standing = Dictionary(rows.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let documents = Dictionary(grouping: rows, by: \.id).mapValues { Set($0.compactMap(\.document_id)) }

        var versions: [UUID: Int] = [:]
        var results: [Result<Receipt, any Error>] = []
        var entries: [AuditChain.Pending] = []
        let insert = sql.insert(into: BidSubmissionRecord.schema)
            .columns("id", "bid_id", "version", "submitted_at", "submitted_by", "digest", "content", "receipt")
        for submission in batch {
            guard let bid = standing[submission.bid] else {
                results.append(.failure(Abort(.notFound)))
                continue
            }
            // The deadline as it stands now, inside the transaction: a correction may have moved it.
            let now = submission.clock.now()
            guard Deadline.isOnTime(now, deadline: bid.submission_deadline) else {
                results.append(.failure(LateSubmission(deadline: bid.submission_deadline, at: now)))
                continue
            }
            guard bid.draft == submission.draftSeen else {
                results.append(.failure(Abort(.conflict, reason: "Uw inschrijving is intussen gewijzigd; controleer haar en dien opnieuw in.")))
                continue
            }
            guard documents[submission.bid, default: []] == Set(submission.documents.map(\.id)) else {
                results.append(.failure(Abort(.conflict, reason: "Uw documenten zijn intussen gewijzigd; controleer uw inschrijving en dien opnieuw in.")))
                continue
            }
            // The same bid twice in one batch (a double click): the second is the next version.
            let version = versions[submission.bid, default: bid.version] + 1
            versions[submission.bid] = version
            let (receipt, sealed) = try submission.sealed(version: version, at: now)
            insert.values(UUID.timeOrdered(at: now), submission.bid, version, now, submission.submittedBy, receipt.digest, sealed, StoredJSON.string(receipt))
            entries.append(AuditChain.Pending(
                actor: submission.submittedBy, actorRole: submission.submitterRole, action: "bid.submitted", subject: submission.tenderCode,
                details: ["inschrijving": submission.bid.uuidString, "versie": String(version), "sha256": receipt.digest,
                          "documenten": String(submission.documents.count), "tijdstip": DutchTime.preciseDateTime(now)]))
            results.append(.success(receipt))
        }
        guard !versions.isEmpty else { return results }
        try await insert.run()
        // Each bid takes its last submission's version and time: one statement for the whole batch.
        // Both come from the (bid_id, version) index and the row just written, never from a scan of
        // the bid's earlier versions (measured: that scan read back pages of every old submission).
        try await sql.raw("""
            UPDATE bids SET status = 'submitted',
              version = (SELECT MAX(s.version) FROM bid_submissions s WHERE s.bid_id = bids.id),
              updated_at = (SELECT s.submitted_at FROM bid_submissions s WHERE s.bid_id = bids.id ORDER BY s.version DESC LIMIT 1)
            WHERE id IN \(SQLBind.group(Array(versions.keys)))
            """).run()
        try await AuditChain.append(db, clock: batch[0].clock, entries)
        return results
    }

    /// The receipt and the sealed content of this submission as version `version` at `now`. The
    /// bytes are `StoredJSON.encode(SealedSubmission)`; all but the time and the version were
    /// encoded before the transaction (`SealedSubmission.Prefix`), so the serialised write only
    /// appends two numbers.
    func sealed(version: Int, at now: Date) throws -> (Receipt, Data) {
        let bytes = prefix.complete(submittedAt: now, version: version)
        let receipt = Receipt(tender: tenderCode, bid: bid, version: version, submittedAt: now, submittedBy: submittedBy,
                              digest: SHA256.hash(data: bytes).hex,
                              documents: documents.map { .init(id: $0.id, sha256: $0.sha256, size: $0.size) })
        return (receipt, try VaultKeys.seal(bytes, key: key, context: "submission:\(bid):\(version)"))
    }
}
