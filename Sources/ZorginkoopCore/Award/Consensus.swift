import Foundation

/// The committee's final score for one bid on one criterion, with its rationale and every change since.
public struct ConsensusScore: Codable, Hashable, Sendable {
    public var bid: String
    public var criterion: String
    /// The current score and rationale (after the latest revision).
    public var score: Score
    public var rationale: String
    public var recordedBy: String
    public var recordedAt: Date
    /// Changes after the consensus meeting, oldest first.
    public var revisions: [ConsensusRevision]

    /// The score as the meeting first recorded it.
    public var originalScore: Score { revisions.first?.oldScore ?? score }
}

/// A change of a consensus score after it was recorded: who, when, why, old and new.
public struct ConsensusRevision: Codable, Hashable, Sendable {
    public var by: String
    public var at: Date
    public var reason: String
    public var oldScore: Score
    public var newScore: Score
    public var oldRationale: String
    public var newRationale: String
}

extension SegmentAssessment {
    /// Records the consensus score of a criterion. Only once every member of the effective
    /// committee has scored every criterion of the bid; on the scale; with a rationale; once.
    public mutating func recordConsensus(bid: String, criterion: String, score: Score, rationale: String,
                                         by: String, at: Date) throws {
        try checkConsensus(bid: bid, criterion: criterion, score: score, rationale: rationale)
        guard consensusScore(bid: bid, criterion: criterion) == nil else {
            throw AwardError.consensusAlreadyRecorded(bid: bid, criterion: criterion)
        }
        let waiting = awaitingScores(for: bid)
        guard individualScoresOpen(for: bid) else {
            throw AwardError.individualScoresIncomplete(bid: bid, waitingFor: waiting)
        }
        consensus.append(ConsensusScore(bid: bid, criterion: criterion, score: score, rationale: rationale,
                                        recordedBy: by, recordedAt: at, revisions: []))
    }

    /// Changes a recorded consensus score: a reason is required, and the change is kept as a
    /// revision with who, when, why, and the old and new score and rationale.
    public mutating func reviseConsensus(bid: String, criterion: String, score: Score, rationale: String,
                                         reason: String, by: String, at: Date) throws {
        try checkConsensus(bid: bid, criterion: criterion, score: score, rationale: rationale)
        guard let i = consensus.firstIndex(where: { $0.bid == bid && $0.criterion == criterion }) else {
            throw AwardError.noConsensusYet(bid: bid, criterion: criterion)
        }
        if reason.isBlank { throw AwardError.missingText(field: "reden van de wijziging") }
        let old = consensus[i]
        guard old.score != score || old.rationale != rationale else {
            throw AwardError.revisionChangesNothing(bid: bid, criterion: criterion)
        }
        consensus[i].revisions.append(ConsensusRevision(by: by, at: at, reason: reason, oldScore: old.score, newScore: score,
                                                        oldRationale: old.rationale, newRationale: rationale))
        consensus[i].score = score
        consensus[i].rationale = rationale
    }

    private func checkConsensus(bid: String, criterion: String, score: Score, rationale: String) throws {
        _ = try requireBid(bid)
        let reasons = exclusionReasons(of: bid)
        guard reasons.isEmpty else { throw AwardError.bidExcluded(bid: bid, reasons: reasons) }
        guard criteria.contains(criterion) else { throw AwardError.unknownCriterion(criterion) }
        guard scale.allows(score) else { throw AwardError.scoreOffScale(score: score, scale: scale) }
        if rationale.isBlank { throw AwardError.missingText(field: "motivering van de consensusscore") }
    }

    public func consensusScore(bid: String, criterion: String) -> ConsensusScore? {
        consensus.first { $0.bid == bid && $0.criterion == criterion }
    }

    /// The consensus score per criterion once every criterion has one; nil before.
    public func consensusScores(of bid: String) -> [String: Score]? {
        var out: [String: Score] = [:]
        for c in criteria {
            guard let entry = consensusScore(bid: bid, criterion: c) else { return nil }
            out[c] = entry.score
        }
        return out
    }
}
