import Fluent
import Foundation
import Testing
import VaporTesting
@testable import ZorginkoopServer

@Suite("Group commit of decisions")
struct WriterTests {
    struct Refused: Error {}

    @Test("Concurrent decisions commit in groups; one that fails is rolled back alone, and the audit chain stays intact")
    func failingDecisionRollsBackAlone() async throws {
        try await withApp { app in
            let before = try await AuditEntryRecord.query(on: app.db).count()
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for i in 0..<40 {
                    group.addTask {
                        do {
                            try await app.decisions.transaction { db in
                                try await AuditChain.lock(db)
                                try await AuditChain.append(db, clock: app.clock, actor: "test", actorRole: "system", action: "test.group",
                                                            subject: "\(i)", details: [:])
                                if i % 5 == 0 { throw Refused() }
                            }
                            return true
                        } catch {
                            return false
                        }
                    }
                }
                var results: [Bool] = []
                for await ok in group { results.append(ok) }
                return results
            }
            #expect(outcomes.filter { $0 }.count == 32)
            let entries = try await AuditEntryRecord.query(on: app.db).filter(\.$action == "test.group").all()
            #expect(entries.count == 32)
            #expect(Set(entries.map(\.subject)).isDisjoint(with: stride(from: 0, to: 40, by: 5).map(String.init)))
            #expect(try await AuditEntryRecord.query(on: app.db).count() == before + 32)
            #expect(try await AuditChain.verify(on: app.db).firstBroken == nil)
        }
    }
}
