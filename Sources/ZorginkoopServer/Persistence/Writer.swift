import Fluent
import Foundation
import SQLKit
import Vapor

extension Application {
    fileprivate struct WriterLoopKey: StorageKey {
        typealias Value = any EventLoop
    }

    /// The database every write goes through. On SQLite that is one connection (the pool of one
    /// event loop): several writers fight over SQLite's single lock and lose most of their
    /// throughput. PostgreSQL takes writes on any connection.
    public var writer: Database {
        guard case .sqlite = zorginkoop.database, let loop = storage[WriterLoopKey.self] else { return db }
        return databases.database(logger: logger, on: loop)!
    }
}

extension Request {
    /// Writes go through the application's writer; reads use `db`.
    var writer: Database {
        guard case .sqlite = application.zorginkoop.database else { return db }
        return application.writer
    }
}

/// One write at a time per instance, and decisions first: a submission, an opening or an audited
/// change does not queue behind the chunks of documents being uploaded. On SQLite every waiting
/// write would otherwise sit in the writer connection's pool in arrival order; on PostgreSQL
/// fifty uploads would otherwise hold the event loops and the connections while a submission
/// waits (measured: finalisation p99 from about 750 ms to about 60 ms in the rush test).
public actor WriteGate {
    public enum Priority: Sendable { case decision, bulk }

    private var busy = false
    private var decisions: [CheckedContinuation<Void, Never>] = []
    private var bulk: [CheckedContinuation<Void, Never>] = []

    /// Runs `work` when the writer is free, with waiting decisions ahead of waiting bulk writes.
    public nonisolated func run<T: Sendable>(_ priority: Priority, _ work: @Sendable () async throws -> T) async throws -> T {
        await acquire(priority)
        do {
            let result = try await work()
            await release()
            return result
        } catch {
            await release()
            throw error
        }
    }

    private func acquire(_ priority: Priority) async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { continuation in
            switch priority {
            case .decision: decisions.append(continuation)
            case .bulk: bulk.append(continuation)
            }
        }
    }

    private func release() {
        if !decisions.isEmpty {
            decisions.removeFirst().resume()
        } else if !bulk.isEmpty {
            bulk.removeFirst().resume()
        } else {
            busy = false
        }
    }
}

extension Application {
    private struct WriteGateKey: StorageKey {
        typealias Value = WriteGate
    }

    public var writeGate: WriteGate {
        storage[WriteGateKey.self]!
    }

    /// Chooses the writer's event loop and sets up its gate; called once while configuring, before any request.
    func pinWriter() {
        storage[WriterLoopKey.self] = eventLoopGroup.next()
        storage[WriteGateKey.self] = WriteGate()
        startDecisions()
    }
}

/// A decision that commits together with others of its kind: one statement per table for the
/// whole batch instead of several per decision. `commit` checks every item, writes those that
/// pass and returns one result per item, in order; an item that fails its checks writes nothing
/// and gets its own error. When `commit` throws, the whole batch is rolled back and every item
/// gets that error.
public protocol BatchedDecision: Sendable {
    associatedtype Outcome: Sendable
    static func commit(_ batch: [Self], on db: Database) async throws -> [Result<Outcome, any Error>]
}

/// Group commit for decisions. Transactions that arrive while one is being committed wait and are
/// then committed together: one `BEGIN`, each in a savepoint of its own (so one that fails is rolled
/// back alone and gets its own error), one `COMMIT` and so one flush to disk for the whole group.
/// Batched decisions of one kind that wait next to each other share one savepoint and one
/// `commit` call; a group that is one such run (the rush before a deadline) needs no savepoint.
/// Each keeps its own audit entry; the chain's order is the order they ran in.
/// A caller returns only after the group's commit: what it was told is durable, is.
public actor DecisionCommitter {
    private typealias Run = @Sendable ([any Sendable], Database) async throws -> [Result<any Sendable, any Error>]

    private struct Job {
        /// Jobs of one batched kind run together; a plain transaction (nil) runs alone.
        let kind: ObjectIdentifier?
        let item: any Sendable
        let run: Run
        let done: CheckedContinuation<any Sendable, any Error>
    }

    /// The most transactions in one group: bounds how long the first of them waits.
    static let groupLimit = 64

    private let database: @Sendable () -> Database
    private let gate: WriteGate
    private var pending: [Job] = []
    private var running = false

    init(database: @escaping @Sendable () -> Database, gate: WriteGate) {
        self.database = database
        self.gate = gate
    }

    /// Runs `work` in a transaction on the writer, committed with whatever else is waiting.
    public nonisolated func transaction<T: Sendable>(_ work: @escaping @Sendable (Database) async throws -> T) async throws -> T {
        try await submit(kind: nil, item: Work(work: work)) { items, db in
            [.success(try await (items[0] as! Work<T>).work(db))]
        } as! T
    }

    /// Commits `decision` in a batch with the other decisions of its kind that are waiting.
    public nonisolated func commit<D: BatchedDecision>(_ decision: D) async throws -> D.Outcome {
        try await submit(kind: ObjectIdentifier(D.self), item: decision) { items, db in
            try await D.commit(items.map { $0 as! D }, on: db).map { $0.map { $0 as any Sendable } }
        } as! D.Outcome
    }

    private struct Work<T: Sendable>: Sendable {
        let work: @Sendable (Database) async throws -> T
    }

    private nonisolated func submit(kind: ObjectIdentifier?, item: any Sendable, run: @escaping Run) async throws -> any Sendable {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<any Sendable, any Error>) in
            Task { await self.enqueue(Job(kind: kind, item: item, run: run, done: done)) }
        }
    }

    private func enqueue(_ job: Job) {
        pending.append(job)
        guard !running else { return }
        running = true
        Task { await drain() }
    }

    private func drain() async {
        while !pending.isEmpty {
            let group = Array(pending.prefix(Self.groupLimit))
            pending.removeFirst(group.count)
            await commit(group)
        }
        running = false
    }

    /// The group in runs: neighbours of one batched kind together, every plain transaction alone.
    private static func runs(_ group: [Job]) -> [[Job]] {
        var runs: [[Job]] = []
        for job in group {
            if let kind = job.kind, let last = runs.last?.last, last.kind == kind {
                runs[runs.count - 1].append(job)
            } else {
                runs.append([job])
            }
        }
        return runs
    }

    private func commit(_ group: [Job]) async {
        let db = database()
        let runs = Self.runs(group).map { run in (items: run.map(\.item), run: run[0].run) }
        do {
            let outcomes = try await gate.run(.decision) {
                try await db.writeTransaction { connection in
                    let chain = AuditChain.Group()
                    return try await AuditChain.Group.$current.withValue(chain) {
                        var outcomes: [Result<any Sendable, any Error>] = []
                        for (items, run) in runs {
                            outcomes += try await Self.outcomes(of: items, run, on: connection, chain: chain, alone: runs.count == 1)
                        }
                        try await chain.finish(connection)
                        return OutcomeList(outcomes: outcomes)
                    }
                }
            }
            for (job, outcome) in zip(group, outcomes.outcomes) { job.done.resume(with: outcome) }
        } catch {
            for job in group { job.done.resume(throwing: error) }
        }
    }

    /// One run's outcomes. A run that is the whole group needs no savepoint: when it fails, the
    /// transaction is rolled back and every item gets the error, as its savepoint would have done.
    private static func outcomes(of items: [any Sendable], _ run: Run, on connection: Database, chain: AuditChain.Group,
                                 alone: Bool) async throws -> [Result<any Sendable, any Error>] {
        func results() async throws -> [Result<any Sendable, any Error>] {
            let results = try await run(items, connection)
            guard results.count == items.count else {
                throw Abort(.internalServerError, reason: "A batch answered \(results.count) of \(items.count) decisions")
            }
            return results
        }
        if alone { return try await results() }
        let sql = connection as! any SQLDatabase
        let (head, locked) = (chain.head, chain.locked)
        try await sql.raw("SAVEPOINT decision").run()
        do {
            let outcomes = try await results()
            try await sql.raw("RELEASE SAVEPOINT decision").run()
            return outcomes
        } catch {
            try await sql.raw("ROLLBACK TO SAVEPOINT decision").run()
            try await sql.raw("RELEASE SAVEPOINT decision").run()
            // The failed decisions' entries are gone again, and so is a lock they took (PostgreSQL).
            (chain.head, chain.locked) = (head, locked)
            return items.map { _ in .failure(error) }
        }
    }

    private struct OutcomeList: @unchecked Sendable {
        var outcomes: [Result<any Sendable, any Error>]
    }
}

extension Application {
    private struct DecisionsKey: StorageKey {
        typealias Value = DecisionCommitter
    }

    /// Durable decisions, committed in groups on the writer.
    public var decisions: DecisionCommitter {
        storage[DecisionsKey.self]!
    }

    func startDecisions() {
        // The writer, captured without the application itself (which owns the committer).
        let databases = self.databases, logger = self.logger, group = self.eventLoopGroup
        let loop = storage[WriterLoopKey.self]
        let sqlite = { if case .sqlite = zorginkoop.database { true } else { false } }()
        storage[DecisionsKey.self] = DecisionCommitter(database: {
            databases.database(logger: logger, on: sqlite ? loop! : group.any())!
        }, gate: writeGate)
    }
}
