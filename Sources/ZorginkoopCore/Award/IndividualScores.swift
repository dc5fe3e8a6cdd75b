import Foundation

/// One assessor's blind score for one bid on one criterion, with the written motivation.
public struct IndividualScore: Codable, Hashable, Sendable {
    public var assessor: String
    public var bid: String
    public var criterion: String
    public var score: Score
    public var motivation: String
    public var submittedAt: Date

    public init(assessor: String, bid: String, criterion: String, score: Score, motivation: String, submittedAt: Date) {
        self.assessor = assessor
        self.bid = bid
        self.criterion = criterion
        self.score = score
        self.motivation = motivation
        self.submittedAt = submittedAt
    }
}

/// How far the committee's individual scores on one criterion lie apart.
public struct ScoreSpread: Codable, Hashable, Sendable {
    /// A range of at least this percentage of the scale's span is a large disagreement:
    /// 3 points or more on a 0–10 scale. An assumption of this product, to put on the agenda of
    /// the consensus meeting; it changes no score.
    public static let largeDisagreementPercent = 30

    public var criterion: String
    public var min: Score
    public var max: Score
    /// `max − min`.
    public var range: Score
    public var largeDisagreement: Bool
    /// The number of scores it is computed from.
    public var count: Int

    /// The spread of `scores` on `scale`; nil for no scores.
    public init?(criterion: String, scores: [Score], scale: ScoreScale) {
        guard let low = scores.min(), let high = scores.max() else { return nil }
        self.criterion = criterion
        min = low
        max = high
        range = high - low
        let span = (scale.max - scale.min).thousandths
        largeDisagreement = span > 0 && range.thousandths * 100 >= ScoreSpread.largeDisagreementPercent * span
        count = scores.count
    }
}

extension SegmentAssessment {
    /// Records or replaces an assessor's score. The assessor must be cleared to see the bids; the
    /// bid must not be excluded by a failed requirement; the criterion must be weighted in the
    /// segment; the score must lie on the scale and be motivated. Once the bid's scores are open
    /// to the committee they are frozen: no one changes a score after seeing the others.
    public mutating func record(_ score: IndividualScore) throws {
        guard maySeeBids(score.assessor) else {
            throw AwardError.mayNotSeeBids(assessor: score.assessor, access: access(of: score.assessor))
        }
        _ = try requireBid(score.bid)
        let reasons = exclusionReasons(of: score.bid)
        guard reasons.isEmpty else { throw AwardError.bidExcluded(bid: score.bid, reasons: reasons) }
        guard criteria.contains(score.criterion) else { throw AwardError.unknownCriterion(score.criterion) }
        guard scale.allows(score.score) else { throw AwardError.scoreOffScale(score: score.score, scale: scale) }
        if score.motivation.isBlank { throw AwardError.missingText(field: "motivering van de score") }
        guard !individualScoresOpen(for: score.bid) else { throw AwardError.individualScoresClosed(bid: score.bid) }
        if let i = scores.firstIndex(where: { $0.assessor == score.assessor && $0.bid == score.bid && $0.criterion == score.criterion }) {
            scores[i] = score
        } else {
            scores.append(score)
        }
    }

    /// Whether the assessor has scored every criterion of the bid.
    public func hasSubmittedAll(_ assessor: String, bid: String) -> Bool {
        criteria.allSatisfy { c in scores.contains { $0.assessor == assessor && $0.bid == bid && $0.criterion == c } }
    }

    /// The effective committee members who have not yet scored every criterion of the bid.
    public func awaitingScores(for bid: String) -> [String] {
        effectiveCommittee.filter { !hasSubmittedAll($0, bid: bid) }
    }

    /// The blind phase of a bid ends when every member of the effective committee has scored
    /// every criterion; then its individual scores are open to the committee and frozen.
    public func individualScoresOpen(for bid: String) -> Bool {
        !effectiveCommittee.isEmpty && awaitingScores(for: bid).isEmpty
    }

    /// The scores of effective committee members for a bid; scores of a member who later
    /// declared a conflict no longer count.
    public func committeeScores(for bid: String) -> [IndividualScore] {
        let members = effectiveCommittee
        return scores.filter { $0.bid == bid && members.contains($0.assessor) }
    }

    /// What `viewer` may see of the individual scores of a bid: nothing without clearance, only
    /// their own while the bid is blind, everyone's once it is open.
    public func visibleScores(for bid: String, to viewer: String) -> [IndividualScore] {
        guard maySeeBids(viewer) else { return [] }
        let all = committeeScores(for: bid)
        return individualScoresOpen(for: bid) ? all : all.filter { $0.assessor == viewer }
    }

    /// The spread per criterion once the bid's scores are open; nil while they are blind.
    public func spread(for bid: String) -> [ScoreSpread]? {
        guard individualScoresOpen(for: bid) else { return nil }
        let all = committeeScores(for: bid)
        return criteria.compactMap { c in
            ScoreSpread(criterion: c, scores: all.filter { $0.criterion == c }.map(\.score), scale: scale)
        }
    }
}
