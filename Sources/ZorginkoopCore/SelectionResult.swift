import Foundation

/// The outcome of a selection for one tender: one result per sub-segment, in design order.
public struct TenderSelection: Codable, Hashable, Sendable {
    public var design: String
    public var tender: String
    public var subSegments: [SubSegmentSelection]
}

/// The outcome for one sub-segment. Every bid that bid on the sub-segment is in exactly one of
/// `selected`, `waitingRoom` or `excluded`.
public struct SubSegmentSelection: Codable, Hashable, Sendable {
    public var code: String
    public var name: String
    public var segment: String
    public var min: Int
    public var max: Int
    /// Eligible bids, best first; bids with equal scores share a rank.
    public var ranking: [RankedBid]
    public var selected: [String]
    /// Eligible bids not selected, in rank order: the reserve for the contract period.
    public var waitingRoom: [String]
    public var excluded: [ExcludedBid]
    /// Coverage cells still open after selection.
    public var gaps: [Gap]
    /// Equal scores at a cut that no recorded draw resolves; selection stopped there.
    public var ties: [Tie]
    /// Set when fewer bids are eligible than the minimum.
    public var shortfall: Shortfall?
    /// Whether the maximum number of providers was reached while gaps remained.
    public var maximumReachedWithGaps: Bool
    /// Selected or waiting bids whose proof of a requirement may still follow, with its due date.
    public var conditions: [Condition]
    public var explanation: [Step]
}

public struct RankedBid: Codable, Hashable, Sendable {
    public var bid: String
    public var bidder: String
    /// The exact weighted score, 0 to 100.
    public var score: Decimal
    /// Competition rank: 1 + the number of bids with a strictly higher score.
    public var rank: Int
    /// Place in the order used for selection: by score, then by recorded draw.
    public var position: Int
    /// Whether another eligible bid has exactly the same score.
    public var tied: Bool
    /// Whether a recorded draw fixed this bid's place among the equal scores.
    public var orderedByDraw: Bool
}

public struct ExcludedBid: Codable, Hashable, Sendable {
    public var bid: String
    public var bidder: String
    public var reasons: [String]
}

/// A coverage cell that is not covered: a municipality, optionally a specialism, or a capacity shortfall.
public struct Gap: Codable, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Codable, Hashable, Sendable {
        /// No selected provider serves the municipality.
        case presence
        /// No selected provider serves the municipality with this specialism.
        case specialism
        /// The selected providers together offer fewer places than required.
        case capacity
    }

    public var kind: Kind
    public var municipality: String
    public var municipalityName: String
    public var specialism: String?
    public var required: Int?
    public var available: Int?

    public var description: String {
        switch kind {
        case .presence: "\(municipalityName): geen aanbieder"
        case .specialism: "\(municipalityName): geen aanbieder met specialisme \(specialism ?? "")"
        case .capacity: "\(municipalityName): capaciteit \(available ?? 0) van \(required ?? 0) plaatsen"
        }
    }
}

public struct Tie: Codable, Hashable, Sendable {
    public enum Stage: String, Codable, Hashable, Sendable {
        /// At the cut of the minimum number of providers.
        case minimum
        /// Between waiting bids that would each close a coverage gap.
        case coverage
    }

    public var stage: Stage
    public var bids: [String]
    public var score: Decimal
    /// Places left to fill when selection stopped at the tie.
    public var places: Int
}

public struct Shortfall: Codable, Hashable, Sendable {
    public var eligible: Int
    public var min: Int
}

public struct Condition: Codable, Hashable, Sendable {
    public var bid: String
    public var requirement: String
    public var expected: CalendarDate
}

/// One step of the explanation, in the order the rule took it.
public struct Step: Codable, Hashable, Sendable {
    public enum Kind: String, Codable, Hashable, Sendable {
        case excluded, ranked, drawApplied, drawIncomplete, selectedForMinimum, coverageChecked, invitedForCoverage
        case tieUnresolved, shortfall, maximumReachedWithGaps, noWaitingBidClosesGaps, coverageComplete, waiting
    }

    public var number: Int
    public var kind: Kind
    public var bids: [String]
    public var text: String
}
