import Foundation

extension SegmentAssessment {
    /// The bid as the selection engine reads it: declared data, the current requirement outcomes
    /// (unchecked requirements absent, so the engine excludes the bid as "niet beoordeeld"), the
    /// effective committee's individual scores, and the consensus once every criterion has one
    /// (nil before, so the engine excludes the bid as not yet scored in consensus).
    public func assessedBid(_ id: String) throws -> AssessedBid {
        let bid = try requireBid(id)
        let members = effectiveCommittee
        let assessments: [IndividualAssessment] = members.compactMap { member in
            let own = scores.filter { $0.bid == id && $0.assessor == member }
            guard !own.isEmpty else { return nil }
            return IndividualAssessment(assessor: member,
                                        scores: Dictionary(own.map { ($0.criterion, $0.score) }, uniquingKeysWith: { _, b in b }))
        }
        return AssessedBid(id: bid.id, bidder: bid.bidder, combinationMembers: bid.combinationMembers,
                           subcontractors: bid.subcontractors, segment: bid.segment, subSegments: bid.subSegments,
                           serves: bid.serves, specialisms: bid.specialisms, capacity: bid.capacity,
                           transport: bid.transport, requirements: requirementOutcomes(of: id),
                           assessments: assessments, consensus: consensusScores(of: id), partnerKvK: bid.partnerKvK)
    }
}

extension AssessedBids {
    /// The selection engine's input for a tender, built from the assessments of its segments and
    /// the tender-level choices, so the server can call `SelectionEngine.select`.
    /// - Parameters:
    ///   - segments: the assessments of the tender's segments; their bids, in segment order.
    ///   - noGo: the municipalities' no-go per segment at the provisional award.
    ///   - coverage: coverage requirements that replace the design's.
    ///   - draws: the draws recorded for ties.
    public init(design: Design, tender: String, segments: [SegmentAssessment], noGo: [NoGo] = [],
                coverage: [CoverageRequirement] = [], draws: [Draw] = []) throws {
        let bids = try segments.flatMap { assessment in try assessment.bids.map { try assessment.assessedBid($0.id) } }
        self.init(design: design.code, tender: tender, noGo: noGo, coverage: coverage, draws: draws, bids: bids)
    }
}
