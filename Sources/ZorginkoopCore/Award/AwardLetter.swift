import Foundation

/// The content of one bidder's letter about the provisional award decision: per sub-segment it
/// bid on, the decision, its own consensus scores with their motivation, the selected bids'
/// scores with their relative advantages, the end of the standstill period and how to object.
/// Content only; rendering is the server's.
public struct AwardLetter: Codable, Hashable, Sendable {
    public enum Decision: Codable, Hashable, Sendable {
        case selected
        /// In the waiting room, at this place (1 = first).
        case waitingRoom(position: Int)
        /// Eligible but neither selected nor in the waiting room. The current engine puts every
        /// eligible bid that is not selected in the waiting room; kept for completeness.
        case notSelected
        case excluded(reasons: [String])

        public var dutch: String {
            switch self {
            case .selected: "geselecteerd"
            case let .waitingRoom(position): "niet geselecteerd; geplaatst in de wachtkamer op plaats \(position)"
            case .notSelected: "niet geselecteerd"
            case let .excluded(reasons): "uitgesloten: \(reasons.joined(separator: "; "))"
            }
        }
    }

    /// A consensus score on one criterion with its text: for the bidder's own bid the committee's
    /// motivation, for a selected bid its relative advantage.
    public struct CriterionScore: Codable, Hashable, Sendable {
        public var criterion: String
        public var name: String
        public var weight: Int
        public var score: Score
        public var text: String
    }

    public struct SelectedBid: Codable, Hashable, Sendable {
        public var bid: String
        public var bidder: String
        /// The weighted score, 0 to 100, rounded to two decimals.
        public var weightedScore: Decimal
        public var scores: [CriterionScore]
    }

    public struct SubSegmentDecision: Codable, Hashable, Sendable {
        public var subSegment: String
        public var name: String
        public var bid: String
        public var decision: Decision
        /// The bid's weighted score and rank, when it was ranked.
        public var weightedScore: Decimal?
        public var rank: Int?
        public var ownScores: [CriterionScore]
        public var selectedBids: [SelectedBid]
    }

    public var bidder: String
    public var tender: String
    public var decisions: [SubSegmentDecision]
    public var standstillLastDay: CalendarDate
    public var standstillEnd: Date
    public var howToObject: String

    /// Builds the letter for `bidder` (the bidding party as named in its bids).
    /// - Parameters:
    ///   - segments: the assessments, for the bids, consensus scores and their motivations.
    ///   - relativeAdvantages: per selected bid and criterion, the text on its relative advantage;
    ///     where absent, the consensus motivation of that bid is used.
    ///   - howToObject: replaces the standard text on how to object.
    /// Throws when the bidder has no bid in the selection, or a sub-segment of its bids still has
    /// a tie without a draw (no decision can be announced then).
    public init(bidder: String, selection: TenderSelection, segments: [SegmentAssessment], design: Design,
                standstill: Standstill, relativeAdvantages: [String: [String: String]] = [:],
                howToObject: String? = nil) throws {
        self.bidder = bidder
        tender = selection.tender
        standstillLastDay = standstill.lastDay
        standstillEnd = standstill.endsAt
        self.howToObject = howToObject ?? AwardLetter.standardObjectionText(standstill)
        var decisions: [SubSegmentDecision] = []
        for assessment in segments {
            guard let segment = design.segment(assessment.segment), let lot = design.lot(containingSegment: segment.code) else {
                throw AwardError.unknownSegment(assessment.segment)
            }
            func scores(of bid: String, text: (ConsensusScore) -> String) -> [CriterionScore] {
                assessment.criteria.compactMap { code in
                    guard let entry = assessment.consensusScore(bid: bid, criterion: code) else { return nil }
                    return CriterionScore(criterion: code, name: lot.criterion(code)?.name ?? code,
                                          weight: segment.weights[code] ?? 0, score: entry.score, text: text(entry))
                }
            }
            for bid in assessment.bids where bid.bidder == bidder {
                for code in bid.subSegments {
                    guard let sub = selection.subSegments.first(where: { $0.code == code }) else { throw AwardError.unknownBid(bid.id) }
                    guard sub.ties.isEmpty else { throw AwardError.unresolvedTies(subSegments: [code]) }
                    let decision: Decision
                    if let excluded = sub.excluded.first(where: { $0.bid == bid.id }) {
                        decision = .excluded(reasons: excluded.reasons)
                    } else if sub.selected.contains(bid.id) {
                        decision = .selected
                    } else if let i = sub.waitingRoom.firstIndex(of: bid.id) {
                        decision = .waitingRoom(position: i + 1)
                    } else {
                        decision = .notSelected
                    }
                    let own = sub.ranking.first { $0.bid == bid.id }
                    let selected = sub.selected.compactMap { id -> SelectedBid? in
                        guard let ranked = sub.ranking.first(where: { $0.bid == id }) else { return nil }
                        return SelectedBid(bid: id, bidder: ranked.bidder, weightedScore: ranked.score.rounded(scale: 2),
                                           scores: scores(of: id) { relativeAdvantages[id]?[$0.criterion] ?? $0.rationale })
                    }
                    decisions.append(SubSegmentDecision(
                        subSegment: code, name: sub.name, bid: bid.id, decision: decision,
                        weightedScore: own?.score.rounded(scale: 2), rank: own?.rank,
                        ownScores: scores(of: bid.id) { $0.rationale }, selectedBids: selected))
                }
            }
        }
        guard !decisions.isEmpty else { throw AwardError.unknownBid(bidder) }
        self.decisions = decisions
    }

    /// The standard text on how to object, with the end of the standstill period.
    public static func standardObjectionText(_ standstill: Standstill) -> String {
        "Bent u het niet eens met deze voorlopige gunningsbeslissing, dan kunt u \(standstill.dutchEnd) uur "
            + "(Nederlandse tijd) een klacht indienen via het inkoopplatform, volgens de klachtenregeling van de regio, "
            + "of een kort geding aanhangig maken bij de voorzieningenrechter. Deze termijn van \(Standstill.calendarDays) "
            + "kalenderdagen is een vervaltermijn: daarna kunt u niet meer opkomen tegen deze beslissing en kan de "
            + "overeenkomst worden gesloten. Een klacht schort de ondertekening op voor het segment waarop zij betrekking heeft."
    }
}
