import Foundation

/// Whether a municipality has the places it needs in one sub-segment of a tender on a day: the
/// capacity of the contracts that run for it then, against the design's required minimum.
public struct CoverageCell: Hashable, Codable, Sendable {
    public struct Supply: Hashable, Codable, Sendable {
        public var contract: String
        public var provider: String
        public var places: Int
        /// False while the contract's start gate is closed: its places do not count yet.
        public var mayDeliver: Bool
    }

    public var municipality: String
    public var subSegment: String
    public var required: Int
    public var supply: [Supply]

    public var contracted: Int { supply.filter(\.mayDeliver).reduce(0) { $0 + $1.places } }
    /// Places short of the minimum; zero when covered.
    public var gap: Int { max(0, required - contracted) }
    /// Without any running contract the municipality has no supply at all, whatever it requires.
    public var hasNoProvider: Bool { supply.isEmpty }
    public var isCovered: Bool { gap == 0 && !supply.isEmpty }

    /// In words, so the matrix reads without colour.
    public var dutch: String {
        if supply.isEmpty { return "geen aanbieder" }
        return gap == 0 ? "gedekt" : "tekort \(gap)"
    }
}

/// The coverage of one tender on a day: a cell for each sub-segment and each municipality its
/// segment covers (the region less non-participation and no-go).
public struct Coverage: Hashable, Sendable {
    public var tender: String
    public var day: CalendarDate
    public var subSegments: [SubSegment]
    public var municipalities: [Municipality]
    public var cells: [CoverageCell]

    public init(scope: TenderScope, tender: String, contracts: [RegisteredContract], on day: CalendarDate) {
        self.tender = tender
        self.day = day
        let subs = scope.design.segments.flatMap(\.subSegments).filter { scope.subSegments.contains($0.code) }
        subSegments = subs
        var cells: [CoverageCell] = []
        var covered: [String: Municipality] = [:]
        for sub in subs {
            guard let segment = scope.segment(of: sub.code) else { continue }
            for m in scope.coveredMunicipalities(segment: segment.code) {
                covered[m.code] = m
                let supply = contracts
                    .filter { $0.tender == tender && $0.subSegments.contains(sub.code) && $0.isActive(in: m.code, on: day) }
                    .map { CoverageCell.Supply(contract: $0.number, provider: $0.lead?.name ?? "", places: $0.capacity[sub.code]?[m.code] ?? 0,
                                                 mayDeliver: $0.startGate(on: day).allowsDelivery) }
                cells.append(CoverageCell(municipality: m.code, subSegment: sub.code, required: sub.requiredCapacity[m.code] ?? 0, supply: supply))
            }
        }
        self.cells = cells
        municipalities = scope.design.region.municipalities.filter { covered[$0.code] != nil }
    }

    public func cell(_ municipality: String, _ subSegment: String) -> CoverageCell? {
        cells.first { $0.municipality == municipality && $0.subSegment == subSegment }
    }

    public var gaps: [CoverageCell] { cells.filter { !$0.isCovered } }
}
