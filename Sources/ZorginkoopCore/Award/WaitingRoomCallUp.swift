import Foundation

/// What became of a waiting bid during the contract period.
public enum WaitingBidStatus: String, Codable, Hashable, Sendable, CaseIterable {
    case calledUp, contracted, withdrawn, declined

    public var dutch: String {
        switch self {
        case .calledUp: "al opgeroepen"
        case .contracted: "al gecontracteerd"
        case .withdrawn: "teruggetrokken"
        case .declined: "heeft een oproep afgewezen"
        }
    }
}

/// The answer to "who is next in the waiting room" when a gap appears during the contract period.
///
/// Rule: walk the sub-segment's waiting room in rank order, skip every bid that was called up,
/// contracted, withdrawn or declined, and take the first one left. If that bid has the same score
/// as another bid left and no recorded draw ordered them, nobody is called: a draw comes first.
public struct WaitingRoomCallUp: Codable, Hashable, Sendable {
    public enum Outcome: Codable, Hashable, Sendable {
        /// Call up this bid; `position` is its place in the waiting room (1 = first).
        case next(bid: String, position: Int)
        /// These bids share the best remaining score without a recorded draw.
        case tieNeedsDraw(bids: [String])
        /// No waiting bid is left.
        case exhausted
    }

    public struct Skipped: Codable, Hashable, Sendable {
        public var bid: String
        public var status: WaitingBidStatus
    }

    public var subSegment: String
    public var outcome: Outcome
    /// Waiting bids passed over, in waiting-room order, with why.
    public var skipped: [Skipped]
    public var explanation: String

    /// - Parameters:
    ///   - selection: the sub-segment's selection of the final award.
    ///   - statuses: what became of waiting bids so far; bids without a status are available.
    public init(selection: SubSegmentSelection, statuses: [String: WaitingBidStatus]) {
        subSegment = selection.code
        let room = selection.waitingRoom
        skipped = room.compactMap { id in statuses[id].map { Skipped(bid: id, status: $0) } }
        let available = room.filter { statuses[$0] == nil }
        let ranked = Dictionary(selection.ranking.map { ($0.bid, $0) }, uniquingKeysWith: { a, _ in a })
        // People read the explanation: the bidder's name, not the bid's id (a UUID in the application).
        func label(_ id: String) -> String { ranked[id]?.bidder ?? id }
        func score(_ id: String) -> String { ranked[id].map { $0.score.rounded(scale: 2).plain.replacingOccurrences(of: ".", with: ",") } ?? "?" }
        let skippedNote = skipped.isEmpty ? "" : " Overgeslagen: " + skipped.map { "\(label($0.bid)): \($0.status.dutch)" }.joined(separator: "; ") + "."
        guard let first = available.first else {
            outcome = .exhausted
            explanation = "De wachtkamer van \(selection.name) bevat geen beschikbare inschrijving meer." + skippedNote
            return
        }
        let equal = available.filter { ranked[$0]?.score == ranked[first]?.score }
        if equal.count > 1 && ranked[first]?.orderedByDraw != true {
            outcome = .tieNeedsDraw(bids: equal)
            explanation = "De eerstvolgende inschrijvingen in de wachtkamer van \(selection.name), \(equal.map(label).joined(separator: ", ")), hebben dezelfde score (\(score(first))) en er is geen loting vastgelegd; er wordt pas opgeroepen na loting." + skippedNote
            return
        }
        let position = room.firstIndex(of: first)! + 1
        outcome = .next(bid: first, position: position)
        explanation = "Inschrijving \(label(first)) is de eerstvolgende beschikbare inschrijving in de wachtkamer van \(selection.name): plaats \(position), score \(score(first))." + skippedNote
    }
}
