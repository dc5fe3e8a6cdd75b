import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
@testable import ZorginkoopCore
@testable import ZorginkoopServer

extension AssessmentTests {
    /// M019 on a database as the versions before it left one: the award document holds the
    /// contracts inside its final awards (call-ups appended to their segment's), without numbers,
    /// and letters and objections carry the bidder's name only. The database of the award walk is
    /// put back into that shape, the register's tables dropped and M019 run again: every contract
    /// comes back the same, with the same number, source, parties, term and capacity, and every
    /// letter and objection finds its organisation again.
    static func migrateFromBeforeTheRegister(_ app: Application) async throws {
        let before = try await ContractStore.all(on: app.db).map(\.contract)
        #expect(!before.isEmpty)
        let award = try #require(try await AwardRecord.query(on: app.db).first())
        let current = try StoredJSON.decode(TenderAward.self, from: award.document)
        award.document = try Self.legacyDocument(award.document, contracts: before)
        try await award.update(on: app.db)
        let legacy = try StoredJSON.decode(TenderAward.self, from: award.document)
        #expect(legacy.provisional?.letters.allSatisfy { $0.organisation == nil } == true)
        #expect(legacy.finals.allSatisfy { $0.contractNumbers.isEmpty })

        // Before M019 none of the later tables existed either: they go first, as their foreign keys ask.
        let since: [any AsyncMigration] = [M023ContractTenderCodes(), M022CreateSubcontractorRequests(), M021CreateKPIReports(),
                                           M020CreateExtensionRounds(), M019CreateContractRegister()]
        for migration in since {
            try await migration.revert(on: app.db)
            try await (app.db as! any SQLDatabase).raw("DELETE FROM _fluent_migrations WHERE name LIKE \(unsafeRaw: "'%\(String(describing: type(of: migration)))'")").run()
        }
        try await app.autoMigrate()

        let after = try await ContractStore.all(on: app.db).map(\.contract)
        #expect(after == before)
        let moved = try StoredJSON.decode(TenderAward.self, from: try #require(try await AwardRecord.query(on: app.db).first()).document)
        #expect(moved.finals.map(\.contractNumbers) == current.finals.map(\.contractNumbers))
        #expect(moved.callUps.map(\.contractNumber) == current.callUps.map(\.contractNumber))
        #expect(moved.provisional?.letters.map(\.organisation) == current.provisional?.letters.map(\.organisation))
        #expect(moved.objections.map(\.organisation) == current.objections.map(\.organisation))
    }

    /// The award document as the versions before the register wrote it.
    static func legacyDocument(_ document: String, contracts: [RegisteredContract]) throws -> String {
        var json = try #require(try JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any])
        func legacy(_ c: RegisteredContract) -> [String: Any] {
            // Earlier versions named the design's tender (CRISIS), not the procedure; M023 corrects it.
            ["bid": c.bid ?? "", "tender": "CRISIS", "segment": c.segment, "bidder": c.lead?.name ?? "",
             "combinationMembers": c.parties.filter { $0.role == .member }.map(\.name),
             "subcontractors": c.parties.filter { $0.role == .subcontractor }.map(\.name),
             "subSegments": c.subSegments, "municipalities": c.municipalities, "start": c.start.description,
             "initialEnd": c.term.initialEnd.description, "extensionOptions": [String](), "maxEnd": c.term.maxEnd.description]
        }
        let byNumber = Dictionary(uniqueKeysWithValues: contracts.map { ($0.number, $0) })
        var finals = try #require(json["finals"] as? [[String: Any]])
        for i in finals.indices {
            let numbers = finals[i].removeValue(forKey: "contractNumbers") as? [String] ?? []
            finals[i]["contracts"] = numbers.compactMap { byNumber[$0] }.map(legacy)
        }
        var callUps = json["callUps"] as? [[String: Any]] ?? []
        for i in callUps.indices {
            guard let number = callUps[i].removeValue(forKey: "contractNumber") as? String, let contract = byNumber[number],
                  let f = finals.firstIndex(where: { $0["segment"] as? String == contract.segment }) else { continue }
            finals[f]["contracts"] = (finals[f]["contracts"] as? [[String: Any]] ?? []) + [legacy(contract)]
        }
        json["finals"] = finals
        json["callUps"] = callUps
        if var provisional = json["provisional"] as? [String: Any], var letters = provisional["letters"] as? [[String: Any]] {
            for i in letters.indices { letters[i].removeValue(forKey: "organisation") }
            provisional["letters"] = letters
            json["provisional"] = provisional
        }
        if var objections = json["objections"] as? [[String: Any]] {
            for i in objections.indices { objections[i].removeValue(forKey: "organisation") }
            json["objections"] = objections
        }
        return String(decoding: try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]), as: UTF8.self)
    }
}
