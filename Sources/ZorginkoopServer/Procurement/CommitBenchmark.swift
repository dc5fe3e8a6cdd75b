import Fluent
import Foundation
import SQLKit
import Vapor
import ZorginkoopCore

/// The write path of a bid submission against the disk's raw commit rate, in one process and on
/// the same database, so that HTTP and the load generator take no share of the two cores:
///
/// - raw: `clients` tasks, each committing one single-row transaction after another on the
///   application's writer (SQLite: WAL, `synchronous=FULL`, one connection; PostgreSQL:
///   `synchronous_commit=on`, the pool), nothing else;
/// - bids: `clients` tasks, each submitting prepared bids one after another through the same path
///   as a provider's request after its checks (`PendingSubmission` on the decision committer):
///   the deadline and the bid read inside the transaction, the sealed submission, its receipt,
///   the bid's new version and the audit entry, all durable before the task hears back.
///
/// Used by `scripts/rush --finalise-together` (docs/performance.md).
public enum CommitBenchmark {
    public struct Figures: Sendable {
        public var rawCommitsPerSecond: Double
        public var bidCommitsPerSecond: Double
        public var bidLatencyP99Milliseconds: Double
    }

    public static func run(_ app: Application, tender code: String, clients: Int, duration: Duration) async throws -> Figures {
        let raw = try await rawCommits(app, clients: clients, duration: duration)
        let (bids, p99) = try await bidCommits(app, tender: code, clients: clients, duration: duration)
        return Figures(rawCommitsPerSecond: raw, bidCommitsPerSecond: bids, bidLatencyP99Milliseconds: p99)
    }

    /// Single-row durable transactions, one after another per task, on a scratch table.
    static func rawCommits(_ app: Application, clients: Int, duration: Duration) async throws -> Double {
        try await createScratchTable(app)
        let count = try await loop(clients: clients, duration: duration) { _ in try await rawCommit(app) }.count
        try await (app.writer as! any SQLDatabase).raw("DROP TABLE commit_benchmark").run()
        return Double(count) / seconds(duration)
    }

    private static let payload = String(repeating: "x", count: 200)

    /// One raw commit: a transaction of one 200-byte row on the application's writer.
    static func rawCommit(_ app: Application) async throws {
        try await app.writer.writeTransaction { db in
            try await (db as! any SQLDatabase).insert(into: "commit_benchmark").columns("id", "v").values(UUID(), payload).run()
        }
    }

    static func createScratchTable(_ app: Application) async throws {
        try await (app.writer as! any SQLDatabase).raw("CREATE TABLE IF NOT EXISTS commit_benchmark (id uuid PRIMARY KEY, v text NOT NULL)").run()
    }

    /// The raw commit rate through the same HTTP stack as a submission: `POST /rush/raw-commit`
    /// commits one row and answers 201 (the "durable insert" of ENGINEERING.md's table). Only the
    /// load-test command adds this route, to a server it runs for the measurement.
    public static func addRawCommitRoute(_ app: Application) async throws {
        try await createScratchTable(app)
        app.post("rush", "raw-commit") { req async throws -> HTTPStatus in
            try await rawCommit(req.application)
            return .created
        }
    }

    /// Submissions of the tender's prepared bids (drafts saved, checks passed) through the committer.
    static func bidCommits(_ app: Application, tender code: String, clients: Int, duration: Duration) async throws -> (Double, Double) {
        let tender = try await TenderStore.find(code, for: nil, at: app.clock.now(), on: app.db)
        let key = try BidService.tenderKey(tender, app)
        struct Prepared: Decodable {
            var id: UUID
            var organisation_id: UUID
            var draft: Data
        }
        let bids = try await (app.db as! any SQLDatabase).select().columns("id", "organisation_id", "draft").from(BidRecord.schema)
            .where("tender_id", .equal, tender.id).all(decoding: Prepared.self).filter { !$0.draft.isEmpty }
        guard !bids.isEmpty else { throw Abort(.badRequest, reason: "Tender \(code) has no prepared bids") }
        let submissions = try await bids.asyncMap { bid in
            PendingSubmission(
                tenderCode: tender.code, bid: bid.id, organisation: bid.organisation_id, organisationName: "benchmark",
                submittedBy: "benchmark@loadtest.invalid", submitterRole: Role.provider.rawValue, draftSeen: bid.draft,
                contentJSON: try VaultKeys.open(bid.draft, key: key, context: "bid-draft:\(bid.id)"),
                documents: try await BidService.documents(ofBid: bid.id, tender: tender, app: app, on: app.db), key: key, clock: app.clock)
        }
        let latencies = try await loop(clients: clients, duration: duration) { i in
            _ = try await app.decisions.commit(submissions[i % submissions.count])
        }
        let sorted = latencies.sorted()
        let p99 = sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))]
        return (Double(sorted.count) / seconds(duration), p99)
    }

    /// Runs `work` from `clients` tasks until `duration` has passed; the latency of each call, in ms.
    private static func loop(clients: Int, duration: Duration, _ work: @escaping @Sendable (Int) async throws -> Void) async throws -> [Double] {
        let clock = ContinuousClock()
        let end = clock.now + duration
        return try await withThrowingTaskGroup(of: [Double].self) { group in
            for client in 0..<clients {
                group.addTask {
                    var latencies: [Double] = []
                    var i = client
                    while clock.now < end {
                        let start = clock.now
                        try await work(i)
                        latencies.append(milliseconds(clock.now - start))
                        i += clients
                    }
                    return latencies
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
    }

    private static func seconds(_ d: Duration) -> Double { milliseconds(d) / 1000 }

    private static func milliseconds(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    }
}

extension Sequence {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
