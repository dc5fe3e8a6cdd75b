import Fluent
import Foundation
import Vapor
import ZorginkoopCore

/// A round as stored: the core's round and the row ids of its contracts.
struct StoredRound: Sendable {
    var round: ExtensionRound
    var contractIDs: [String: UUID]
}

/// Extension rounds in the database: advices, intentions and decisions, read into the core's
/// `ExtensionRound`, and written with the decision's audit entry and the contract's new term.
enum ExtensionStore {
    /// The rounds open from `day` on, with what has been written in them: three queries for all.
    static func rounds(_ stored: [StoredContract], from day: CalendarDate, notice: NoticePolicy, on db: Database) async throws -> [StoredRound] {
        let keys = ExtensionRound.due(stored.map(\.contract), from: day)
        guard !keys.isEmpty else { return [] }
        let ends = Array(Set(keys.map(\.end.description)))
        let advices = try await ExtensionAdviceRecord.query(on: db).filter(\.$termEnd ~~ ends).all()
        let intentions = try await ExtensionIntentionRecord.query(on: db).filter(\.$termEnd ~~ ends).all()
        let decisions = try await ExtensionDecisionRecord.query(on: db).filter(\.$termEnd ~~ ends).all()
        return keys.map { key in
            build(key.tender, key.segment, key.end, stored, notice: notice, advices: advices, intentions: intentions, decisions: decisions)
        }
    }

    /// One round, also one that is no longer due (all its terms extended or past).
    static func round(_ tender: String, _ segment: String, _ end: CalendarDate, _ stored: [StoredContract], notice: NoticePolicy,
                      on db: Database) async throws -> StoredRound {
        let e = end.description
        let ids = stored.filter { $0.contract.tender == tender && $0.contract.segment == segment }.map(\.id)
        let advices = try await ExtensionAdviceRecord.query(on: db).filter(\.$tenderCode == tender).filter(\.$segment == segment)
            .filter(\.$termEnd == e).all()
        let intentions = try await ExtensionIntentionRecord.query(on: db).filter(\.$termEnd == e).filter(\.$contract.$id ~~ ids).all()
        let decisions = try await ExtensionDecisionRecord.query(on: db).filter(\.$termEnd == e).filter(\.$contract.$id ~~ ids).all()
        let built = build(tender, segment, end, stored, notice: notice, advices: advices, intentions: intentions, decisions: decisions)
        guard !built.round.items.isEmpty || !built.round.advices.isEmpty else {
            throw Abort(.notFound, reason: "Er is geen verlengingsronde voor \(tender), segment \(segment), einddatum \(end.dutch).")
        }
        return built
    }

    private static func build(_ tender: String, _ segment: String, _ end: CalendarDate, _ stored: [StoredContract], notice: NoticePolicy,
                              advices: [ExtensionAdviceRecord], intentions: [ExtensionIntentionRecord],
                              decisions: [ExtensionDecisionRecord]) -> StoredRound {
        let mine = stored.filter { $0.contract.tender == tender && $0.contract.segment == segment }
        let numbers = Dictionary(uniqueKeysWithValues: mine.map { ($0.id, $0.contract.number) })
        let e = end.description
        let round = ExtensionRound(
            tender: tender, segment: segment, end: end, contracts: mine.map(\.contract),
            advices: advices.filter { $0.tenderCode == tender && $0.segment == segment && $0.termEnd == e }.map {
                ExtensionAdvice(version: $0.version, recommendation: ExtensionChoice(rawValue: $0.recommendation) ?? .extend, text: $0.text, by: $0.by, at: $0.at)
            },
            intentions: intentions.filter { $0.termEnd == e }.compactMap { r in
                numbers[r.$contract.id].map {
                    ExtensionIntention(contract: $0, municipality: r.municipality, choice: ExtensionChoice(rawValue: r.choice) ?? .extend,
                                       note: r.note, by: r.by, at: r.at)
                }
            },
            decisions: decisions.filter { $0.termEnd == e }.compactMap { r in
                guard let number = numbers[r.$contract.id], let day = CalendarDate(iso: r.decidedOn) else { return nil }
                return ExtensionDecision(contract: number, municipality: r.municipality, choice: ExtensionChoice(rawValue: r.choice) ?? .doNotExtend,
                                         reason: r.reason, decidedOn: day, by: r.by, at: r.at)
            },
            notice: notice)
        return StoredRound(round: round, contractIDs: Dictionary(uniqueKeysWithValues: mine.map { ($0.contract.number, $0.id) }))
    }

    static func save(_ advice: ExtensionAdvice, of round: ExtensionRound, on db: Database) async throws {
        let row = ExtensionAdviceRecord()
        row.tenderCode = round.tender
        row.segment = round.segment
        row.termEnd = round.end.description
        row.version = advice.version
        row.recommendation = advice.recommendation.rawValue
        row.text = advice.text
        row.by = advice.by
        row.at = advice.at
        try await row.create(on: db)
    }

    /// An intention replaces the municipality's earlier one for the same contract and end.
    static func save(_ intention: ExtensionIntention, in stored: StoredRound, on db: Database) async throws {
        guard let contract = stored.contractIDs[intention.contract] else { throw Abort(.notFound) }
        let e = stored.round.end.description
        let row = try await ExtensionIntentionRecord.query(on: db).filter(\.$contract.$id == contract)
            .filter(\.$municipality == intention.municipality).filter(\.$termEnd == e).first() ?? ExtensionIntentionRecord()
        row.$contract.id = contract
        row.municipality = intention.municipality
        row.termEnd = e
        row.choice = intention.choice.rawValue
        row.note = intention.note
        row.by = intention.by
        row.at = intention.at
        try await row.save(on: db)
    }

    /// A decision, and with an extension the municipality's new term, both in the contract's history.
    static func save(_ decision: ExtensionDecision, extended: MunicipalTerm?, in stored: StoredRound, contract: StoredContract,
                     on db: Database) async throws {
        let row = ExtensionDecisionRecord()
        row.$contract.id = contract.id
        row.municipality = decision.municipality
        row.termEnd = stored.round.end.description
        row.choice = decision.choice.rawValue
        row.reason = decision.reason
        row.decidedOn = decision.decidedOn.description
        row.by = decision.by
        row.at = decision.at
        try await row.create(on: db)
        var updated = contract.contract
        let summary: String
        if let extended, let i = updated.terms.firstIndex(where: { $0.municipality == extended.municipality }) {
            updated.terms[i] = extended
            try await ContractStore.writeTerms(updated, id: contract.id, on: db)
            summary = "Verlengd voor \(decision.municipality) tot en met \(extended.end.dutch) (verlenging \(extended.extensionsUsed))"
        } else {
            summary = "Niet verlengd voor \(decision.municipality); loopt af op \(stored.round.end.dutch)"
        }
        try await ContractStore.append(ContractEvent(kind: decision.choice == .extend ? .extended : .notExtended, municipality: decision.municipality,
                                                     at: decision.at, by: decision.by, summary: summary, reason: decision.reason),
                                       to: contract.id, on: db)
    }
}
