import Crypto
import Fluent
import Foundation
import Vapor
import ZorginkoopCore

/// The award document: the core's `TenderAward` as JSON, one row per tender. Its contracts are
/// rows of the register (`ContractStore`).
typealias AwardState = TenderAward

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
                if error.isConflict { throw Abort(.conflict, reason: error.description) }
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
        let now = req.application.clock.now()
        let assessments = try await AssessmentStore.all(tender, on: req.db)
        let segments = tender.scope.segments.compactMap { assessments[$0.code] }
        let draws = try await AssessmentStore.draws(tender, on: req.db)
        let organisations = try await bidOrganisations(tender, on: req.db)
        return try await change(tender, action: "award.provisional", on: req) { state, db in
            let provisional = try state.publish(at: now, by: user.email, deciders: deciders(tender), assessments: segments,
                                                tenderSegments: tender.scope.segments.map(\.code), scope: tender.scope, draws: draws,
                                                organisations: organisations, digest: letterDigest)
            let bidders = provisional.letters.compactMap { $0.organisation.flatMap(UUID.init(uuidString:)) }
            try await Notifications.send("Het voorlopige gunningsbesluit voor \(tender.name) is gepubliceerd; lees uw brief.",
                                         link: AppURL.letter(tender.code).path, at: now, to: bidders, on: db)
            var details = ["opschortende termijn": provisional.standstill.dutchEnd, "brieven": String(provisional.letters.count)]
            for l in provisional.letters { details["brief \(l.bidder)"] = l.sha256 }
            for sub in provisional.selection.subSegments {
                details["selectie \(sub.code)"] = sub.selected.compactMap { id in provisional.input.bids.first { $0.id == id }?.bidder }.joined(separator: ", ")
            }
            return (provisional, details)
        }
    }

    /// The organisation id of every bid of the tender, by the id the assessment gives the bid
    /// (`UUID`, or `UUID/SEGMENT` for a bid assessed in several segments).
    static func bidOrganisations(_ tender: LoadedTender, on db: Database) async throws -> [String: String] {
        let assessments = try await AssessmentStore.all(tender, on: db)
        var out: [String: String] = [:]
        for bid in assessments.values.flatMap(\.bids) {
            if let organisation = try await ContractStore.organisationOfBid(bid.id, on: db) { out[bid.id] = organisation.uuidString }
        }
        return out
    }

    /// The organisation ids of the named bidders of a published award (notifications go to ids).
    static func organisations(ofBidders names: [String], in state: AwardState) -> [UUID] {
        (state.provisional?.letters ?? []).filter { names.contains($0.bidder) }.compactMap { $0.organisation.flatMap(UUID.init(uuidString:)) }
    }
}
