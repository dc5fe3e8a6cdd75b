import Crypto
import Fluent
import Foundation
import Vapor
import ZorginkoopCore

/// Everything of a tender's award, kept as one document and changed one audited step at a time.
struct AwardState: Codable, Sendable {
    /// A municipality's go/no-go on the provisional award: the segments it says no-go to.
    struct Approval: Codable, Sendable {
        var municipality: String
        var noGoSegments: [String]
        var reason: String
        var by: String
        var at: Date
    }

    struct Letter: Codable, Sendable {
        var bidder: String
        var letter: AwardLetter
        var sha256: String
    }

    struct Provisional: Codable, Sendable {
        var publishedAt: Date
        var publishedBy: String
        var standstill: Standstill
        var input: AssessedBids
        var selection: TenderSelection
        var letters: [Letter]
    }

    struct FinalAward: Codable, Sendable {
        var segment: String
        var at: Date
        var by: String
        var contracts: [Contract]
    }

    struct CallUp: Codable, Sendable {
        var subSegment: String
        var bid: String?
        var reason: String
        var explanation: String
        var by: String
        var at: Date
    }

    var approvals: [Approval] = []
    var provisional: Provisional?
    var objections: [Objection] = []
    var finals: [FinalAward] = []
    var callUps: [CallUp] = []
    /// Per sub-segment, what became of waiting bids.
    var waiting: [String: [String: WaitingBidStatus]] = [:]
    /// Per selected bid and criterion, the committee's text on its relative advantages, for the letters.
    var relativeAdvantages: [String: [String: String]]?

    /// Each municipality's latest decision: a later "go" withdraws an earlier no-go.
    var latestApprovals: [Approval] {
        Array(Dictionary(approvals.map { ($0.municipality, $0) }, uniquingKeysWith: { _, later in later }).values)
    }

    var noGo: [NoGo] {
        latestApprovals.flatMap { a in a.noGoSegments.map { NoGo(segment: $0, municipality: a.municipality) } }
    }

    var contracts: [Contract] { finals.flatMap(\.contracts) }
}

enum AwardStore {
    static func load(_ tender: LoadedTender, on db: Database) async throws -> AwardState {
        guard let record = try await AwardRecord.query(on: db).filter(\.$tender.$id == tender.id).first() else { return AwardState() }
        return try StoredJSON.decode(AwardState.self, from: record.document)
    }

    /// Applies one audited step to the award; the core's refusal becomes a 422 with its reason.
    @discardableResult
    static func change<T: Sendable>(_ tender: LoadedTender, action: String, on req: Request,
                                    _ apply: @escaping @Sendable (inout AwardState, Database) async throws -> (T, [String: String])) async throws -> T {
        try await req.audited(action) { db in
            let record = try await AwardRecord.query(on: db).filter(\.$tender.$id == tender.id).first() ?? {
                let r = AwardRecord()
                r.$tender.id = tender.id
                r.document = StoredJSON.string(AwardState())
                return r
            }()
            var state = try StoredJSON.decode(AwardState.self, from: record.document)
            let result: T
            let details: [String: String]
            do {
                (result, details) = try await apply(&state, db)
            } catch let error as AwardError {
                throw ProblemList(problems: [Problem("", error.description)])
            }
            record.document = StoredJSON.string(state)
            if record.id == nil { try await record.create(on: db) } else { try await record.update(on: db) }
            return (result, tender.code, details)
        }
    }

    /// The municipalities that have to decide: those covered by a segment of the tender.
    static func deciders(_ tender: LoadedTender) -> [Municipality] {
        let codes = Set(tender.scope.segments.flatMap { tender.scope.coveredMunicipalities(segment: $0.code).map(\.code) })
        return tender.scope.design.region.municipalities.filter { codes.contains($0.code) }
    }

    static func letterDigest(_ letter: AwardLetter) -> String {
        SHA256.hash(data: StoredJSON.encode(letter)).hex
    }

    /// Publishes the provisional award: the engine's selection with the municipalities' no-gos,
    /// a letter per bidder with its digest, and the standstill from this moment.
    static func publishProvisional(_ tender: LoadedTender, on req: Request) async throws -> AwardState.Provisional {
        let user = try req.auth.require(AuthenticatedUser.self)
        let clock = req.application.clock
        let assessments = try await AssessmentStore.all(tender, on: req.db)
        let segments = tender.scope.segments.compactMap { assessments[$0.code] }
        let draws = try await AssessmentStore.draws(tender, on: req.db)
        let deciders = deciders(tender)
        return try await change(tender, action: "award.provisional", on: req) { state, db in
            guard state.provisional == nil else { throw Abort(.conflict, reason: "Het voorlopige gunningsbesluit is al gepubliceerd.") }
            let missing = deciders.filter { m in !state.approvals.contains { $0.municipality == m.code } }
            guard missing.isEmpty else {
                throw ProblemList(problems: [Problem("approvals", "nog geen go/no-go van " + missing.map(\.name).joined(separator: ", "))])
            }
            guard segments.count == tender.scope.segments.count else {
                throw ProblemList(problems: [Problem("assessment", "niet elk segment is beoordeeld")])
            }
            let input = try AssessedBids(design: tender.scope.design, tender: tender.scope.tender, segments: segments,
                                         noGo: tender.scope.noGo + state.noGo, draws: draws)
            var selection = try SelectionEngine.select(input, design: tender.scope.design)
            selection.subSegments = selection.subSegments.filter { tender.scope.subSegments.contains($0.code) }
            let now = clock.now()
            let standstill = Standstill(sentAt: now)
            let letters = try Set(input.bids.map(\.bidder)).sorted().map { bidder in
                let letter = try AwardLetter(bidder: bidder, selection: selection, segments: segments, design: tender.scope.design,
                                             standstill: standstill, relativeAdvantages: state.relativeAdvantages ?? [:])
                return AwardState.Letter(bidder: bidder, letter: letter, sha256: letterDigest(letter))
            }
            let provisional = AwardState.Provisional(publishedAt: now, publishedBy: user.email, standstill: standstill, input: input,
                                                     selection: selection, letters: letters)
            state.provisional = provisional
            let bidders = try await OrganisationRecord.query(on: db).filter(\.$name ~~ letters.map(\.bidder)).all()
            try await Notifications.send("Het voorlopige gunningsbesluit voor \(tender.name) is gepubliceerd; lees uw brief.",
                                         link: AppURL.letter(tender.code).path, at: now, to: bidders.map { try $0.requireID() }, on: db)
            var details = ["opschortende termijn": standstill.dutchEnd, "brieven": String(letters.count)]
            for l in letters { details["brief \(l.bidder)"] = l.sha256 }
            for sub in selection.subSegments { details["selectie \(sub.code)"] = sub.selected.compactMap { id in input.bids.first { $0.id == id }?.bidder }.joined(separator: ", ") }
            return (provisional, details)
        }
    }
}
