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

/// Group commit for decisions. Transactions that arrive while one is being committed wait and are
/// then committed together: one `BEGIN`, each in a savepoint of its own (so one that fails is rolled
/// back alone and gets its own error), one `COMMIT` and so one flush to disk for the whole group.
/// Each keeps its own statements and audit entry; the chain's order is the order they ran in.
/// A caller returns only after the group's commit: what it was told is durable, is.
public actor DecisionCommitter {
    private struct Job {
        let work: @Sendable (Database) async throws -> any Sendable
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
        let result = try await withCheckedThrowingContinuation { (done: CheckedContinuation<any Sendable, any Error>) in
            Task { await self.enqueue(Job(work: { try await work($0) }, done: done)) }
        }
        return result as! T
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

    private func commit(_ group: [Job]) async {
        let db = database()
        let works = group.map(\.work)
        do {
            let outcomes = try await gate.run(.decision) {
                try await db.writeTransaction { connection in
                    let sql = connection as! any SQLDatabase
                    let chain = AuditChain.Group()
                    return try await AuditChain.Group.$current.withValue(chain) {
                        var outcomes: [Result<any Sendable, any Error>] = []
                        for work in works {
                            let (head, locked) = (chain.head, chain.locked)
                            try await sql.raw("SAVEPOINT decision").run()
                            do {
                                let value = try await work(connection)
                                try await sql.raw("RELEASE SAVEPOINT decision").run()
                                outcomes.append(.success(value))
                            } catch {
                                try await sql.raw("ROLLBACK TO SAVEPOINT decision").run()
                                try await sql.raw("RELEASE SAVEPOINT decision").run()
                                // The failed decision's entry is gone again, and so is a lock it took (PostgreSQL).
                                (chain.head, chain.locked) = (head, locked)
                                outcomes.append(.failure(error))
                            }
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
