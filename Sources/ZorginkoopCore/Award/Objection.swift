import Foundation

public enum ObjectionKind: String, Codable, Hashable, Sendable, CaseIterable {
    /// A complaint under the region's complaints procedure.
    case complaint
    /// Summary proceedings (kort geding) before the civil court.
    case summaryProceedings

    public var dutch: String {
        switch self {
        case .complaint: "klacht"
        case .summaryProceedings: "kort geding"
        }
    }
}

public enum ObjectionState: String, Codable, Hashable, Sendable, CaseIterable {
    case lodged, inHandling, upheld, rejected, withdrawn

    /// Lodged and in handling are open: they block signing the segment's contracts.
    public var isOpen: Bool {
        switch self {
        case .lodged, .inHandling: true
        case .upheld, .rejected, .withdrawn: false
        }
    }

    public var dutch: String {
        switch self {
        case .lodged: "ingediend"
        case .inHandling: "in behandeling"
        case .upheld: "gegrond"
        case .rejected: "ongegrond"
        case .withdrawn: "ingetrokken"
        }
    }
}

/// A bidder's objection to the provisional award decision on one segment, with its handling.
public struct Objection: Codable, Hashable, Sendable {
    /// One change of state: who, when, to what, and a note (the outcome's motivation).
    public struct Event: Codable, Hashable, Sendable {
        public var state: ObjectionState
        public var by: String
        public var at: Date
        public var note: String
    }

    public var id: String
    /// The bidder's name when it objected.
    public var bidder: String
    /// The bidder's organisation id: how its objections are found.
    public var organisation: String?
    public var segment: String
    public var kind: ObjectionKind
    public var summary: String
    public var lodgedAt: Date
    /// Every state, the first being `.lodged`.
    public var history: [Event]

    public var state: ObjectionState { history.last?.state ?? .lodged }

    /// Lodges an objection. Refused when it arrives before the decision was sent or after the
    /// standstill has ended (from midnight after day 20 on, to the second), or without a summary.
    public init(id: String, bidder: String, segment: String, kind: ObjectionKind, summary: String,
                lodgedAt: Date, standstill: Standstill) throws {
        guard standstill.isRunning(at: lodgedAt) else {
            throw AwardError.lodgedOutsideStandstill(lodgedAt: lodgedAt, standstillEnd: standstill.endsAt)
        }
        if summary.isBlank { throw AwardError.missingText(field: "omschrijving van het bezwaar") }
        self.id = id
        self.bidder = bidder
        self.segment = segment
        self.kind = kind
        self.summary = summary
        self.lodgedAt = lodgedAt
        history = [Event(state: .lodged, by: bidder, at: lodgedAt, note: summary)]
    }

    /// Moves the objection on: lodged → in handling, and lodged or in handling → upheld, rejected
    /// or withdrawn. A closed objection stays closed; an outcome needs a note.
    public mutating func move(to next: ObjectionState, by: String, at: Date, note: String) throws {
        guard state.isOpen else { throw AwardError.objectionClosed(objection: id, state: state) }
        switch (state, next) {
        case (.lodged, .inHandling), (_, .upheld), (_, .rejected), (_, .withdrawn): break
        default: throw AwardError.invalidTransition(from: state, to: next)
        }
        if !next.isOpen && note.isBlank { throw AwardError.missingText(field: "motivering van de afhandeling") }
        history.append(Event(state: next, by: by, at: at, note: note))
    }
}
