import Foundation

/// An officer's check of one minimum requirement of one bid. The outcome is the engine's
/// `RequirementOutcome`: pass, fail with a reason, or proof in progress with its due date.
public struct RequirementCheck: Codable, Hashable, Sendable {
    public var bid: String
    public var requirement: String
    public var outcome: RequirementOutcome
    /// Where in the bid the evidence is (document, page); optional.
    public var evidence: String?
    public var checkedBy: String
    public var checkedAt: Date

    public init(bid: String, requirement: String, outcome: RequirementOutcome, evidence: String? = nil,
                checkedBy: String, checkedAt: Date) {
        self.bid = bid
        self.requirement = requirement
        self.outcome = outcome
        self.evidence = evidence
        self.checkedBy = checkedBy
        self.checkedAt = checkedAt
    }
}

/// A requirement whose proof is still in progress, with what is worrying about it.
public struct OpenProof: Codable, Hashable, Sendable {
    public enum Flag: String, Codable, Hashable, Sendable, CaseIterable {
        /// The due date is on or after the contract start: the provider may not be able to start.
        case dueOnOrAfterStart
        /// Today is after the due date and the proof is still open.
        case overdue
        /// The contract has started (today ≥ start) and the proof is still open: the provider may
        /// not start and is not paid.
        case missingAtStart

        public var dutch: String {
            switch self {
            case .dueOnOrAfterStart: "de verwachte datum valt op of na de start van de overeenkomst"
            case .overdue: "de verwachte datum is verstreken"
            case .missingAtStart: "de overeenkomst is gestart zonder bewijs: de aanbieder mag niet starten en wordt niet betaald"
            }
        }
    }

    public var bid: String
    public var bidder: String
    public var requirement: String
    public var due: CalendarDate
    public var flags: [Flag]

    public var isFlagged: Bool { !flags.isEmpty }
}

extension SegmentAssessment {
    /// Records a check. The requirement must apply to the segment's lot; a fail needs a reason; proof
    /// in progress is allowed only where the design says proof may follow. A later check replaces
    /// the earlier one (the proof arrived, or a fail was corrected); both stay in the history.
    public mutating func record(_ check: RequirementCheck) throws {
        _ = try requireBid(check.bid)
        guard let requirement = requirements.first(where: { $0.code == check.requirement }) else {
            throw AwardError.unknownRequirement(check.requirement)
        }
        switch check.outcome {
        case .pass: break
        case let .fail(reason):
            if reason.isBlank { throw AwardError.missingText(field: "reden van afwijzing") }
        case .pending:
            if !requirement.proofMayFollow { throw AwardError.proofMayNotFollow(requirement: requirement.code) }
        }
        requirementChecks.append(check)
    }

    /// The current outcome per requirement code of a bid; unchecked requirements are absent.
    public func requirementOutcomes(of bid: String) -> [String: RequirementOutcome] {
        var outcomes: [String: RequirementOutcome] = [:]
        for check in requirementChecks where check.bid == bid { outcomes[check.requirement] = check.outcome }
        return outcomes
    }

    /// Why the bid is excluded from scoring: one Dutch reason per failed requirement; empty when it is not.
    public func exclusionReasons(of bid: String) -> [String] {
        let outcomes = requirementOutcomes(of: bid)
        return requirements.compactMap { requirement in
            guard case let .fail(reason) = outcomes[requirement.code] else { return nil }
            return "voldoet niet aan minimumeis \(requirement.code) (\(requirement.name)): \(reason)"
        }
    }

    /// The requirements whose proof is still in progress, per bid in bid order, with their flags.
    /// - Parameters:
    ///   - contractStart: the tender's contract start.
    ///   - today: the day of the check, in Amsterdam.
    public func openProofs(contractStart: CalendarDate, today: CalendarDate) -> [OpenProof] {
        bids.flatMap { bid in
            let outcomes = requirementOutcomes(of: bid.id)
            return requirements.compactMap { requirement -> OpenProof? in
                guard case let .pending(due) = outcomes[requirement.code] else { return nil }
                var flags: [OpenProof.Flag] = []
                if due >= contractStart { flags.append(.dueOnOrAfterStart) }
                if today > due { flags.append(.overdue) }
                if today >= contractStart { flags.append(.missingAtStart) }
                return OpenProof(bid: bid.id, bidder: bid.bidder, requirement: requirement.code, due: due, flags: flags)
            }
        }
    }
}
