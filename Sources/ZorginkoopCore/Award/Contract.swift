import Foundation

/// A contract to be signed for one selected bid of a final award, with its term from the
/// tender's term table.
public struct Contract: Codable, Hashable, Sendable {
    /// One extension option: the n-th extension by `months`, ending on `end`.
    public struct ExtensionOption: Codable, Hashable, Sendable {
        public var number: Int
        public var months: Int
        public var end: CalendarDate
    }

    /// The register's number, `TENDER-001`; assigned by the award that makes the contract.
    public var number: String = ""
    public var bid: String
    public var tender: String
    public var segment: String
    /// The contracting party: the provider, or the lead of the combination.
    public var bidder: String
    public var combinationMembers: [String]
    /// Not parties to the contract; named because they deliver under the bidder's responsibility.
    public var subcontractors: [String]
    /// The sub-segments the bid is selected for, in design order.
    public var subSegments: [String]
    /// The municipalities served: the segment's participants after the no-gos, within the bid's
    /// service area, in the region's order.
    public var municipalities: [String]
    public var start: CalendarDate
    public var initialEnd: CalendarDate
    public var extensionOptions: [ExtensionOption]
    public var maxEnd: CalendarDate

    public init(number: String = "", bid: String, tender: String, segment: String, bidder: String, combinationMembers: [String],
                subcontractors: [String], subSegments: [String], municipalities: [String], start: CalendarDate,
                initialEnd: CalendarDate, extensionOptions: [ExtensionOption], maxEnd: CalendarDate) {
        self.number = number
        self.bid = bid
        self.tender = tender
        self.segment = segment
        self.bidder = bidder
        self.combinationMembers = combinationMembers
        self.subcontractors = subcontractors
        self.subSegments = subSegments
        self.municipalities = municipalities
        self.start = start
        self.initialEnd = initialEnd
        self.extensionOptions = extensionOptions
        self.maxEnd = maxEnd
    }

    /// Every signing party: the bidder and its combination members.
    public var parties: [String] { [bidder] + combinationMembers }

    /// The contracts of a final award: one per selected bid, covering every sub-segment it is
    /// selected for, in the order the bids are first selected. Extension options run from 1 to
    /// the term's maximum, each `extensionMonths` further, and stop at the maximum end date.
    /// Throws when a sub-segment still has a tie without a draw: such an award is not final.
    /// A final award on `day` needs contracts that start on or after it: the tender's term is
    /// corrected first otherwise. (A call-up during the contract period starts its contract on its own day.)
    public static func requireStart(of design: Design, tender: String, notBefore day: CalendarDate) throws {
        guard let term = design.tender(tender)?.contractTerm else { throw AwardError.unknownBid(tender) }
        if term.start < day { throw AwardError.startBeforeAward(start: term.start, award: day) }
    }

    public static func forFinalAward(_ selection: TenderSelection, input: AssessedBids, design: Design) throws -> [Contract] {
        let tied = selection.subSegments.filter { !$0.ties.isEmpty }.map(\.code)
        guard tied.isEmpty else { throw AwardError.unresolvedTies(subSegments: tied) }
        guard let tender = design.tender(selection.tender) else { throw AwardError.unknownBid(selection.tender) }
        let term = tender.contractTerm
        var options: [ExtensionOption] = []
        for n in stride(from: 1, through: term.maxExtensions, by: 1) {
            let end = term.end(afterExtensions: n)
            guard end <= term.maxEnd else { break }
            options.append(ExtensionOption(number: n, months: term.extensionMonths, end: end))
        }
        var order: [String] = []
        var subSegments: [String: [String]] = [:]
        for sub in selection.subSegments {
            for id in sub.selected {
                if subSegments[id] == nil { order.append(id) }
                subSegments[id, default: []].append(sub.code)
            }
        }
        return try order.map { id in
            guard let bid = input.bids.first(where: { $0.id == id }), let segment = design.segment(bid.segment) else {
                throw AwardError.unknownBid(id)
            }
            let municipalities = SelectionEngine.participants(of: segment, design: design, noGo: input.noGo).map(\.code).filter {
                switch bid.serves {
                case .all: true
                case let .only(list, _): list.contains($0)
                }
            }
            return Contract(bid: id, tender: tender.code, segment: segment.code, bidder: bid.bidder,
                            combinationMembers: bid.combinationMembers, subcontractors: bid.subcontractors,
                            subSegments: subSegments[id]!, municipalities: municipalities, start: term.start,
                            initialEnd: term.initialEnd, extensionOptions: options, maxEnd: term.maxEnd)
        }
    }
}
