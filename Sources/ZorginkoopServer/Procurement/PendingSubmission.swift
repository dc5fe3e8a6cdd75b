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
    var content: BidContent
    var documents: [DocumentInfo]
    var key: SymmetricKey
    var clock: AppClock
    private let prefix: SealedSubmission.Prefix

    init(tenderCode: String, bid: UUID, organisation: UUID, organisationName: String, submittedBy: String, submitterRole: String,
         draftSeen: Data, content: BidContent, documents: [DocumentInfo], key: SymmetricKey, clock: AppClock) {
        (self.tenderCode, self.bid, self.organisation, self.organisationName) = (tenderCode, bid, organisation, organisationName)
        (self.submittedBy, self.submitterRole, self.draftSeen) = (submittedBy, submitterRole, draftSeen)
        (self.content, self.documents, self.key, self.clock) = (content, documents, key, clock)
        prefix = SealedSubmission.Prefix(tender: tenderCode, organisation: organisation, organisationName: organisationName,
                                         content: content, documents: documents)
    }

    /// The bid as it stands inside the transaction, with its tender's deadline.
    private struct Standing: Decodable {
        var id: UUID
        var submission_deadline: Date
        var draft: Data
        var version: Int
    }

    private struct StandingDocument: Decodable {
        var id: UUID
        var bid_id: UUID
    }

    static func commit(_ batch: [PendingSubmission], on db: Database) async throws -> [Result<Receipt, any Error>] {
        let sql = db as! any SQLDatabase
        try await AuditChain.lock(db)
        let bids = Array(Set(batch.map(\.bid)))
        let standing = Dictionary(uniqueKeysWithValues: try await sql.select()
            .columns(SQLColumn("id", table: BidRecord.schema), SQLColumn("submission_deadline", table: TenderRecord.schema),
                     SQLColumn("draft", table: BidRecord.schema), SQLColumn("version", table: BidRecord.schema))
            .from(BidRecord.schema)
            .join(TenderRecord.schema, on: SQLColumn("tender_id", table: BidRecord.schema), .equal, SQLColumn("id", table: TenderRecord.schema))
            .where(SQLColumn("id", table: BidRecord.schema), .in, SQLBind.group(bids))
            .all(decoding: Standing.self).map { ($0.id, $0) })
        let documents = Dictionary(grouping: try await sql.select().columns("id", "bid_id").from(BidDocumentRecord.schema)
            .where("bid_id", .in, bids).where("complete", .equal, true).where("removed", .equal, false)
            .all(decoding: StandingDocument.self), by: \.bid_id).mapValues { Set($0.map(\.id)) }

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
            insert.values(UUID(), submission.bid, version, now, submission.submittedBy, receipt.digest, sealed, StoredJSON.string(receipt))
            entries.append(AuditChain.Pending(
                actor: submission.submittedBy, actorRole: submission.submitterRole, action: "bid.submitted", subject: submission.tenderCode,
                details: ["inschrijving": submission.bid.uuidString, "versie": String(version), "sha256": receipt.digest,
                          "documenten": String(submission.documents.count), "tijdstip": DutchTime.preciseDateTime(now)]))
            results.append(.success(receipt))
        }
        guard !versions.isEmpty else { return results }
        try await insert.run()
        // Each bid takes its last submission's version and time: one statement for the whole batch.
        try await sql.raw("""
            UPDATE bids SET status = 'submitted',
              version = (SELECT MAX(s.version) FROM bid_submissions s WHERE s.bid_id = bids.id),
              updated_at = (SELECT MAX(s.submitted_at) FROM bid_submissions s WHERE s.bid_id = bids.id)
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
