import Crypto
import Fluent
import Foundation
import SQLKit
import Vapor

/// One audit entry as the rest of the application sees it.
public struct AuditEntry: Codable, Sendable, Content {
    public var seq: Int
    public var at: Date
    public var actor: String
    public var actorRole: String
    public var action: String
    public var subject: String
    public var details: String
    public var previousHash: String
    public var hash: String
}

/// The append-only, hash-chained audit trail. Each entry's SHA-256 covers its own fields and the
/// previous entry's hash, so changing or removing any entry breaks every hash after it.
public enum AuditChain {
    public static let genesisHash = String(repeating: "0", count: 64)

    /// The hash of an entry: its fields as a JSON array (so no text can shift from one field to the
    /// next), with the time in milliseconds.
    static func hash(seq: Int, at: Date, actor: String, actorRole: String, action: String, subject: String,
                     details: String, previousHash: String) -> String {
        let fields = [String(seq), String(milliseconds(at)), actor, actorRole, action, subject, details, previousHash]
        let encoded = (try? JSONEncoder().encode(fields)) ?? Data()
        return SHA256.hash(data: encoded).hex
    }

    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// Takes the chain's write lock: the first statement of every audited transaction, so that
    /// concurrent appends queue here (a row lock on PostgreSQL, the write lock on SQLite). In a
    /// group the same statement reads the head, which the group's entries then follow.
    static func lock(_ db: Database) async throws {
        guard let group = Group.current else {
            try await (db as! any SQLDatabase).raw("UPDATE audit_head SET seq = seq + 0 WHERE id = 1").run()
            return
        }
        guard !group.locked else { return }
        group.locked = true
        guard let head = try await (db as! any SQLDatabase).raw("UPDATE audit_head SET seq = seq + 0 WHERE id = 1 RETURNING seq, hash")
            .first(decoding: Head.self) else {
            throw Abort(.internalServerError, reason: "Audit trail is not initialised")
        }
        // Every append in a group follows its lock, so the group holds no head of its own yet; should
        // one ever append first, its own head is the newer one and stays.
        if group.head == nil { group.head = (head.seq, head.hash) }
    }

    private struct Head: Decodable {
        var seq: Int
        var hash: String
    }

    /// The chain's head while a group of decisions commits in one transaction: read once, kept
    /// here as entries are appended, written once at the end (`finish`). Used by one task only.
    final class Group: @unchecked Sendable {
        @TaskLocal static var current: Group?

        var locked = false
        var head: (seq: Int, hash: String)?
        var changed = false

        /// Writes the head the group's entries left, inside the group's transaction.
        func finish(_ db: Database) async throws {
            guard changed, let head else { return }
            try await (db as! any SQLDatabase).raw("UPDATE audit_head SET seq = \(bind: head.seq), hash = \(bind: head.hash) WHERE id = 1").run()
        }
    }

    /// An entry to append: who did what to which subject.
    struct Pending: Sendable {
        var actor: String
        var actorRole: String
        var action: String
        var subject: String
        var details: [String: String]
    }

    /// Appends an entry; call inside the transaction that makes the change, after `lock`.
    @discardableResult
    static func append(_ db: Database, clock: AppClock, actor: String, actorRole: String, action: String,
                       subject: String, details: [String: String]) async throws -> AuditEntry {
        try await append(db, clock: clock, [Pending(actor: actor, actorRole: actorRole, action: action, subject: subject, details: details)])[0]
    }

    /// Appends entries in order, in one statement (a batch of decisions). Call inside the
    /// transaction that makes the changes, after `lock`. The times are read here, after the lock,
    /// so they follow the sequence.
    @discardableResult
    static func append(_ db: Database, clock: AppClock, _ pending: [Pending]) async throws -> [AuditEntry] {
        guard !pending.isEmpty else { return [] }
        let sql = db as! any SQLDatabase
        let group = Group.current
        var head: (seq: Int, hash: String)
        if let known = group?.head {
            head = known
        } else {
            guard let row = try await sql.select().columns("seq", "hash").from(AuditHeadRecord.schema).where("id", .equal, 1)
                .first(decoding: Head.self) else {
                throw Abort(.internalServerError, reason: "Audit trail is not initialised")
            }
            head = (row.seq, row.hash)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let insert = sql.insert(into: AuditEntryRecord.schema)
            .columns("id", "seq", "at", "actor", "actor_role", "action", "subject", "details", "previous_hash", "hash")
        var entries: [AuditEntry] = []
        for var p in pending {
            // Hashed as it will be read back: both engines lose a NUL (input refuses it; this keeps
            // the chain whole should one ever come from elsewhere).
            (p.actor, p.actorRole, p.action, p.subject) = (storable(p.actor), storable(p.actorRole), storable(p.action), storable(p.subject))
            let at = Date(timeIntervalSince1970: Double(milliseconds(clock.now())) / 1000)
            let details = String(decoding: try encoder.encode(p.details), as: UTF8.self)
            let seq = head.seq + 1
            let entry = AuditEntry(seq: seq, at: at, actor: p.actor, actorRole: p.actorRole, action: p.action, subject: p.subject,
                                   details: details, previousHash: head.hash,
                                   hash: hash(seq: seq, at: at, actor: p.actor, actorRole: p.actorRole, action: p.action,
                                              subject: p.subject, details: details, previousHash: head.hash))
            insert.values(UUID.timeOrdered(at: at), entry.seq, entry.at, entry.actor, entry.actorRole, entry.action, entry.subject, entry.details,
                          entry.previousHash, entry.hash)
            entries.append(entry)
            head = (seq, entry.hash)
        }
        try await insert.run()
        if let group {
            group.head = head
            group.changed = true
        } else {
            try await sql.raw("UPDATE audit_head SET seq = \(bind: head.seq), hash = \(bind: head.hash) WHERE id = 1").run()
        }
        return entries
    }

    static func storable(_ text: String) -> String {
        text.contains("\u{0}") ? text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : text
    }

    static func entry(_ r: AuditEntryRecord) -> AuditEntry {
        AuditEntry(seq: r.seq, at: r.at, actor: r.actor, actorRole: r.actorRole, action: r.action, subject: r.subject,
                   details: r.details, previousHash: r.previousHash, hash: r.hash)
    }

    public struct Verification: Sendable {
        public var entries: Int
        /// The first entry that does not fit the chain, and why; nil when the chain is intact.
        public var firstBroken: (seq: Int, reason: String)?
    }

    /// Walks the chain in sequence order, up to the length the head records, and recomputes every
    /// hash. The head is read first, so entries appended meanwhile are not taken for a gap.
    public static func verify(on db: Database) async throws -> Verification {
        guard let head = try await AuditHeadRecord.find(1, on: db) else {
            return Verification(entries: 0, firstBroken: (1, "het begin van de keten (audit_head) ontbreekt"))
        }
        let records = try await AuditEntryRecord.query(on: db).filter(\.$seq <= head.seq).sort(\.$seq).all()
        var previous = genesisHash
        for (index, r) in records.enumerated() {
            if r.seq != index + 1 {
                return Verification(entries: records.count, firstBroken: (r.seq, "volgnummer \(r.seq) verwacht \(index + 1): een eerdere regel ontbreekt"))
            }
            if r.previousHash != previous {
                return Verification(entries: records.count, firstBroken: (r.seq, "de vorige hash klopt niet met regel \(r.seq - 1)"))
            }
            let expected = hash(seq: r.seq, at: r.at, actor: r.actor, actorRole: r.actorRole, action: r.action,
                                subject: r.subject, details: r.details, previousHash: r.previousHash)
            if r.hash != expected {
                return Verification(entries: records.count, firstBroken: (r.seq, "de inhoud van de regel is gewijzigd (hash klopt niet)"))
            }
            previous = r.hash
        }
        if head.seq != records.count || head.hash != previous {
            return Verification(entries: records.count, firstBroken: (records.count + 1, "de laatste regel(s) ontbreken (de keten telt \(head.seq) regels)"))
        }
        return Verification(entries: records.count, firstBroken: nil)
    }
}

extension Request {
    /// Runs `work` and writes the audit entry in one transaction: both land, or neither.
    func audited<T: Sendable>(_ action: String, subject: String, details: [String: String] = [:],
                              _ work: @Sendable @escaping (Database) async throws -> T) async throws -> T {
        try await audited(action) { db in (try await work(db), subject, details) }
    }

    /// The same, for changes whose subject is known only once made (a new draft's code).
    func audited<T: Sendable>(_ action: String,
                              _ work: @Sendable @escaping (Database) async throws -> (T, subject: String, details: [String: String])) async throws -> T {
        let user = auth.get(AuthenticatedUser.self)
        let clock = application.clock
        return try await application.decisions.transaction { db in
            try await AuditChain.lock(db)
            let (result, subject, details) = try await work(db)
            try await AuditChain.append(db, clock: clock, actor: user?.email ?? "anoniem", actorRole: user?.role.rawValue ?? "-",
                                        action: action, subject: subject, details: details)
            return result
        }
    }
}

extension Database {
    /// For the command line and start-up: the same transaction rule, with a named actor.
    func audited<T: Sendable>(_ action: String, subject: String, actor: String, actorRole: String = "system", clock: AppClock,
                              details: [String: String] = [:],
                              _ work: @Sendable @escaping (Database) async throws -> T) async throws -> T {
        try await writeTransaction { db in
            try await AuditChain.lock(db)
            let result = try await work(db)
            try await AuditChain.append(db, clock: clock, actor: actor, actorRole: actorRole, action: action, subject: subject, details: details)
            return result
        }
    }
}

extension Database {
    /// A transaction that takes the write lock at its start. On SQLite that is `BEGIN IMMEDIATE`:
    /// a deferred transaction that reads before it writes can find its snapshot outdated by another
    /// writer and wait forever. On PostgreSQL the first statement (the chain's lock) does the same.
    func writeTransaction<T: Sendable>(_ work: @Sendable @escaping (Database) async throws -> T) async throws -> T {
        guard let sql = self as? any SQLDatabase, sql.dialect.name == "sqlite" else {
            return try await transaction(work)
        }
        return try await withConnection { connection in
            let raw = connection as! any SQLDatabase
            try await raw.raw("BEGIN IMMEDIATE").run()
            do {
                let result = try await work(connection)
                try await raw.raw("COMMIT").run()
                return result
            } catch {
                try? await raw.raw("ROLLBACK").run()
                throw error
            }
        }
    }
}

