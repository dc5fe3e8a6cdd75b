import Fluent
import Foundation
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

/// On SQLite, one write at a time, and decisions first: a submission, an opening or an audited
/// change does not queue behind the chunks of documents being uploaded. Without the gate every
/// waiting write would sit in the writer connection's pool in arrival order.
/// PostgreSQL has no single writer, so there the gate lets everything through.
public actor WriteGate {
    public enum Priority: Sendable { case decision, bulk }

    private let serial: Bool
    private var busy = false
    private var decisions: [CheckedContinuation<Void, Never>] = []
    private var bulk: [CheckedContinuation<Void, Never>] = []

    init(serial: Bool) { self.serial = serial }

    /// Runs `work` when the writer is free, with waiting decisions ahead of waiting bulk writes.
    public nonisolated func run<T: Sendable>(_ priority: Priority, _ work: @Sendable () async throws -> T) async throws -> T {
        guard serial else { return try await work() }
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
        storage[WriteGateKey.self] ?? WriteGate(serial: false)
    }

    /// Chooses the writer's event loop and sets up its gate; called once while configuring, before any request.
    func pinWriter() {
        storage[WriterLoopKey.self] = eventLoopGroup.next()
        if case .sqlite = zorginkoop.database { storage[WriteGateKey.self] = WriteGate(serial: true) }
    }
}
