import Crypto
import Fluent
import NIOConcurrencyHelpers
import Foundation
import Testing
import VaporTesting
import ZorginkoopCore
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

    /// A batched decision for the test: appends an audit entry per item, refuses odd numbers alone,
    /// and fails the whole batch when an item asks for it. Records the size of every batch.
    struct Numbered: BatchedDecision {
        static let sizes = NIOLockedValueBox<[Int]>([])
        var number: Int
        var failsBatch = false
        var clock: AppClock

        static func commit(_ batch: [Numbered], on db: Database) async throws -> [Result<Int, any Error>] {
            sizes.withLockedValue { $0.append(batch.count) }
            try await AuditChain.lock(db)
            if batch.contains(where: \.failsBatch) { throw Refused() }
            let accepted = batch.filter { $0.number % 2 == 0 }
            try await AuditChain.append(db, clock: batch[0].clock, accepted.map {
                AuditChain.Pending(actor: "test", actorRole: "system", action: "test.batch", subject: "\($0.number)", details: [:])
            })
            return batch.map { $0.number % 2 == 0 ? .success($0.number) : .failure(Refused()) }
        }
    }

    @Test("Batched decisions waiting together share one commit; an item that fails its checks fails alone, a batch that fails rolls back whole, and plain transactions in between keep their own savepoints")
    func batchedDecisions() async throws {
        try await withApp { app in
            Numbered.sizes.withLockedValue { $0 = [] }
            let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
                for i in 0..<60 {
                    group.addTask {
                        do {
                            if i % 10 == 9 {
                                // A plain transaction among the batched ones.
                                try await app.decisions.transaction { db in
                                    try await AuditChain.lock(db)
                                    try await AuditChain.append(db, clock: app.clock, actor: "test", actorRole: "system", action: "test.plain",
                                                                subject: "\(i)", details: [:])
                                }
                                return (i, true)
                            }
                            return (i, try await app.decisions.commit(Numbered(number: i, clock: app.clock)) == i)
                        } catch {
                            return (i, false)
                        }
                    }
                }
                var results: [Int: Bool] = [:]
                for await (i, ok) in group { results[i] = ok }
                return results
            }
            for i in 0..<60 {
                #expect(outcomes[i] == (i % 10 == 9 || i % 2 == 0), "decision \(i)")
            }
            let sizes = Numbered.sizes.withLockedValue { $0 }
            #expect(sizes.reduce(0, +) == 54)
            #expect(sizes.count < 54, "some batched decisions shared a commit: \(sizes)")
            let batched = try await AuditEntryRecord.query(on: app.db).filter(\.$action == "test.batch").all()
            #expect(Set(batched.map(\.subject)) == Set((0..<60).filter { $0 % 2 == 0 && $0 % 10 != 9 }.map(String.init)))
            #expect(try await AuditEntryRecord.query(on: app.db).filter(\.$action == "test.plain").count() == 6)

            // A batch that throws leaves nothing behind, and every item in it hears the error.
            let failing = try? await app.decisions.commit(Numbered(number: 100, failsBatch: true, clock: app.clock))
            #expect(failing == nil)
            #expect(try await AuditEntryRecord.query(on: app.db).filter(\.$subject == "100").count() == 0)
            #expect(try await AuditChain.verify(on: app.db).firstBroken == nil)
        }
    }

    @Test("Bid submissions that wait together commit as one batch: each gets its own receipt and the next version, and the stored submission matches its receipt's digest")
    func submissionsInBatches() async throws {
        try await withApp { app in
            let time = TestClock(CrisisTender.t0.addingTimeInterval(-3600))
            app.clock = time.clock
            let officer = try await makeAccount(app, .procurementOfficer, email: "inkoper@doetinchem.nl")
            try await CrisisTender.create(app, officer: officer)
            time.set(CrisisTender.t0.addingTimeInterval(7200))
            var providers: [String] = []
            for i in 0..<8 {
                let token = try await makeAccount(app, .provider, email: "p\(i)@zorg\(i).nl", organisation: "Zorg \(i)")
                #expect(try await apiRequest(app, .PUT, "/api/v1/tenders/\(CrisisTender.code)/bid", token: token,
                                             json: jsonText(try CrisisTender.content(marker: "P\(i)"))).status == .ok)
                providers.append(token)
            }
            // Every provider submits three times at once (a double click and more): 24 submissions in flight.
            let answers = try await withThrowingTaskGroup(of: (Int, HTTPStatus, String).self) { group in
                for (i, token) in providers.enumerated() {
                    for _ in 0..<3 {
                        group.addTask {
                            let r = try await apiRequest(app, .POST, "/api/v1/tenders/\(CrisisTender.code)/bid/submission", token: token,
                                                         json: #"{"confirm": true}"#)
                            return (i, r.status, r.body.string)
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.allSatisfy { $0.1 == .created }, "\(answers.filter { $0.1 != .created })")
            for i in 0..<8 {
                let versions = try answers.filter { $0.0 == i }.map { try JSONSerialization.jsonObject(with: Data($0.2.utf8)) as! [String: Any] }
                    .compactMap { $0["version"] as? Int }
                #expect(versions.sorted() == [1, 2, 3], "provider \(i): \(versions)")
            }
            let bids = try await BidRecord.query(on: app.db).all()
            #expect(bids.count == 8)
            #expect(bids.allSatisfy { $0.version == 3 && $0.status == "submitted" })
            let tender = try await TenderStore.find(CrisisTender.code, for: nil, at: app.clock.now(), on: app.db)
            let key = try BidService.tenderKey(tender, app)
            let submissions = try await BidSubmissionRecord.query(on: app.db).all()
            #expect(submissions.count == 24)
            for s in submissions {
                let plain = try VaultKeys.open(s.content, key: key, context: "submission:\(s.$bid.id):\(s.version)")
                #expect(SHA256.hash(data: plain).hex == s.digest)
                // The draft's bytes are sealed as they are: they are the stored JSON of its content.
                let bid = try #require(bids.first { $0.id == s.$bid.id })
                let draft = try VaultKeys.open(bid.draft, key: key, context: "bid-draft:\(s.$bid.id)")
                #expect(StoredJSON.encode(try StoredJSON.decode(BidContent.self, from: draft)) == draft)
                #expect(try StoredJSON.decode(SealedSubmission.self, from: plain).content == StoredJSON.decode(BidContent.self, from: draft))
                #expect(try StoredJSON.decode(Receipt.self, from: s.receipt).digest == s.digest)
                #expect(Array(try s.requireID().uuidString)[14] == "7", "submissions take time-ordered ids")
            }
            // Each bid carries its last submission's time.
            for bid in bids {
                let last = submissions.filter { $0.$bid.id == bid.id }.max { $0.version < $1.version }
                #expect(bid.updatedAt.map(AuditChain.milliseconds) == last.map { AuditChain.milliseconds($0.submittedAt) })
            }
            let entries = try await AuditEntryRecord.query(on: app.db).filter(\.$action == "bid.submitted").all()
            #expect(entries.count == 24)
            #expect(entries.allSatisfy { Array($0.id!.uuidString)[14] == "7" }, "audit entries take time-ordered ids")
            #expect(try await AuditChain.verify(on: app.db).firstBroken == nil)
        }
    }

    @Test("In one batch a late submission and one whose draft changed meanwhile are refused alone; the others commit")
    func submissionBatchJudgesEachAlone() async throws {
        try await withApp { app in
            let time = TestClock(CrisisTender.t0.addingTimeInterval(-3600))
            app.clock = time.clock
            let officer = try await makeAccount(app, .procurementOfficer, email: "inkoper@doetinchem.nl")
            try await CrisisTender.create(app, officer: officer)
            time.set(CrisisTender.t0.addingTimeInterval(7200))
            for i in 0..<3 {
                let token = try await makeAccount(app, .provider, email: "p\(i)@zorg\(i).nl", organisation: "Zorg \(i)")
                #expect(try await apiRequest(app, .PUT, "/api/v1/tenders/\(CrisisTender.code)/bid", token: token,
                                             json: jsonText(try CrisisTender.content(marker: "P\(i)"))).status == .ok)
            }
            let tender = try await TenderStore.find(CrisisTender.code, for: nil, at: app.clock.now(), on: app.db)
            let key = try BidService.tenderKey(tender, app)
            let bids = try await BidRecord.query(on: app.db).sort(\.$createdAt).all()
            func pending(_ bid: BidRecord, draft: Data? = nil, clock: AppClock) throws -> PendingSubmission {
                PendingSubmission(tenderCode: tender.code, bid: try bid.requireID(), organisation: bid.$organisation.id, organisationName: "Zorg",
                                  submittedBy: "test@zorg.nl", submitterRole: "provider", draftSeen: draft ?? bid.draft,
                                  contentJSON: StoredJSON.encode(try CrisisTender.content(marker: "X")), documents: [], key: key, clock: clock)
            }
            let late = AppClock { CrisisTender.deadline }
            let batch = [try pending(bids[0], clock: app.clock), try pending(bids[1], draft: Data("ouder concept".utf8), clock: app.clock),
                         try pending(bids[2], clock: late)]
            let results = try await app.writer.writeTransaction { db in try await PendingSubmission.commit(batch, on: db) }
            #expect((try? results[0].get())?.version == 1)
            guard case .failure(let changed as AbortError) = results[1] else { Issue.record("outdated draft accepted"); return }
            #expect(changed.status == .conflict)
            guard case .failure(let refused) = results[2], refused is LateSubmission else { Issue.record("late submission accepted"); return }
            #expect(try await BidSubmissionRecord.query(on: app.db).count() == 1)
            let stored = try await BidRecord.query(on: app.db).sort(\.$createdAt).all()
            #expect(stored.map(\.status) == ["submitted", "draft", "draft"])
            #expect(try await AuditChain.verify(on: app.db).firstBroken == nil)
        }
    }
}

@Suite("Sealed submissions")
struct SealedSubmissionTests {
    @Test("The submission's bytes assembled from the part encoded before the transaction equal the stored JSON of the whole, for times with and without a fraction of a millisecond")
    func prefixCompletesToStoredJSON() throws {
        let content = try CrisisTender.content(marker: "Ä \"quote\" / slash")
        let documents = [DocumentInfo(id: UUID(), purpose: "requirement:KWALITEIT", name: "keur/merk.pdf", kind: "pdf", size: 12, sha256: String(repeating: "a", count: 64))]
        let organisation = UUID()
        let prefix = SealedSubmission.Prefix(tender: "CRISIS-2026", organisation: organisation, organisationName: "Zorg & Co \"B.V.\"",
                                             contentJSON: StoredJSON.encode(content), documents: documents)
        for at in [Date(timeIntervalSince1970: 1_796_115_600), Date(timeIntervalSince1970: 1_796_115_600.123_456_7)] {
            for version in [1, 12] {
                let whole = SealedSubmission(tender: "CRISIS-2026", organisation: organisation, organisationName: "Zorg & Co \"B.V.\"",
                                             version: version, submittedAt: at, content: content, documents: documents)
                #expect(prefix.complete(submittedAt: at, version: version) == StoredJSON.encode(whole))
            }
        }
    }
}
