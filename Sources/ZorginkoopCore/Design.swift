import Foundation

/// A procurement design: the region, its lots, segments and sub-segments, the requirements and
/// criteria, and the tenders that put them on the market. It is data, editable per tender; the
/// Achterhoek designs ship as resource files.
public struct Design: Codable, Hashable, Sendable {
    public var code: String
    public var name: String
    public var description: String
    /// Where each value comes from: the seed documents or an assumption, so an official can check.
    public var notes: [String]
    public var region: Region
    public var scoreScale: ScoreScale
    public var transportOptions: [TransportOption]
    public var requirements: [Requirement]
    public var lots: [Lot]
    public var tenders: [Tender]
    /// What providers report during the contract period, per segment (`KPI.segments`).
    public var kpis: [KPI]

    public init(code: String, name: String, description: String = "", notes: [String] = [],
                region: Region, scoreScale: ScoreScale, transportOptions: [TransportOption] = [],
                requirements: [Requirement], lots: [Lot], tenders: [Tender], kpis: [KPI] = []) {
        self.kpis = kpis
        self.code = code
        self.name = name
        self.description = description
        self.notes = notes
        self.region = region
        self.scoreScale = scoreScale
        self.transportOptions = transportOptions
        self.requirements = requirements
        self.lots = lots
        self.tenders = tenders
    }

    enum CodingKeys: String, CodingKey {
        case code, name, description, notes, region, scoreScale, transportOptions, requirements, lots, tenders, kpis
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        code = try c.decode(String.self, forKey: .code)
        name = try c.decode(String.self, forKey: .name)
        description = try c.decodeIfPresent(String.self, forKey: .description) ?? ""
        notes = try c.decodeIfPresent([String].self, forKey: .notes) ?? []
        region = try c.decode(Region.self, forKey: .region)
        scoreScale = try c.decode(ScoreScale.self, forKey: .scoreScale)
        transportOptions = try c.decodeIfPresent([TransportOption].self, forKey: .transportOptions) ?? []
        requirements = try c.decode([Requirement].self, forKey: .requirements)
        lots = try c.decode([Lot].self, forKey: .lots)
        tenders = try c.decode([Tender].self, forKey: .tenders)
        kpis = try c.decodeIfPresent([KPI].self, forKey: .kpis) ?? []
    }

    // MARK: Look-ups

    public var segments: [Segment] { lots.flatMap(\.segments) }
    public var subSegments: [SubSegment] { segments.flatMap(\.subSegments) }

    public func lot(_ code: String) -> Lot? { lots.first { $0.code == code } }
    public func lots(of tender: Tender) -> [Lot] { tender.lots.compactMap { code in lot(code) } }
    public func segment(_ code: String) -> Segment? { segments.first { $0.code == code } }
    public func tender(_ code: String) -> Tender? { tenders.first { $0.code == code } }
    public func municipality(_ code: String) -> Municipality? { region.municipalities.first { $0.code == code } }

    /// The lot a segment belongs to.
    public func lot(containingSegment code: String) -> Lot? {
        lots.first { $0.segments.contains { $0.code == code } }
    }

    /// The segment a sub-segment belongs to.
    public func segment(containingSubSegment code: String) -> Segment? {
        segments.first { $0.subSegments.contains { $0.code == code } }
    }

    /// The minimum requirements that apply to bids in a lot: the generic ones and the lot's own.
    public func requirements(forLot lotCode: String) -> [Requirement] {
        requirements.filter { $0.lots.isEmpty || $0.lots.contains(lotCode) }
    }

    /// The municipalities that take part in a segment, in the region's order.
    public func participants(ofSegment segment: Segment) -> [Municipality] {
        let out = Set(segment.nonParticipation.map(\.municipality))
        return region.municipalities.filter { !out.contains($0.code) }
    }
}

public struct Region: Codable, Hashable, Sendable {
    public var code: String
    public var name: String
    public var leadMunicipality: String
    public var municipalities: [Municipality]

    public init(code: String, name: String, leadMunicipality: String, municipalities: [Municipality]) {
        self.code = code
        self.name = name
        self.leadMunicipality = leadMunicipality
        self.municipalities = municipalities
    }

    public var totalClients: Int { municipalities.reduce(0) { $0 + $1.clients } }
}

public struct Municipality: Codable, Hashable, Sendable {
    public var code: String
    public var name: String
    /// The CBS municipality code (GM0222 for Doetinchem).
    public var cbsCode: String
    /// Unique clients of youth care and Wmo support in `clientsYear`.
    public var clients: Int
    public var clientsYear: Int
    /// Who arranges transport when a provider leaves it to the municipality.
    public var transportArrangement: String

    public init(code: String, name: String, cbsCode: String, clients: Int, clientsYear: Int, transportArrangement: String) {
        self.code = code
        self.name = name
        self.cbsCode = cbsCode
        self.clients = clients
        self.clientsYear = clientsYear
        self.transportArrangement = transportArrangement
    }
}

public struct TransportOption: Codable, Hashable, Sendable {
    public var code: String
    public var name: String
    public var description: String

    public init(code: String, name: String, description: String) {
        self.code = code
        self.name = name
        self.description = description
    }
}

/// A knock-out condition. Fail one and the bid is not assessed.
public struct Requirement: Codable, Hashable, Sendable {
    public var code: String
    public var name: String
    public var description: String
    /// The lots it applies to; empty means every lot.
    public var lots: [String]
    /// Whether proof may follow the bid (a quality mark "in progress"), no later than the contract start.
    public var proofMayFollow: Bool

    public init(code: String, name: String, description: String, lots: [String] = [], proofMayFollow: Bool = false) {
        self.code = code
        self.name = name
        self.description = description
        self.lots = lots
        self.proofMayFollow = proofMayFollow
    }

    enum CodingKeys: String, CodingKey { case code, name, description, lots, proofMayFollow }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        code = try c.decode(String.self, forKey: .code)
        name = try c.decode(String.self, forKey: .name)
        description = try c.decodeIfPresent(String.self, forKey: .description) ?? ""
        lots = try c.decodeIfPresent([String].self, forKey: .lots) ?? []
        proofMayFollow = try c.decodeIfPresent(Bool.self, forKey: .proofMayFollow) ?? false
    }
}

public struct Criterion: Codable, Hashable, Sendable {
    public var code: String
    public var name: String
    public var description: String

    public init(code: String, name: String, description: String) {
        self.code = code
        self.name = name
        self.description = description
    }
}

public struct Lot: Codable, Hashable, Sendable {
    public var code: String
    public var name: String
    public var description: String
    /// The selection criteria of this lot; each segment weighs them.
    public var criteria: [Criterion]
    public var segments: [Segment]

    public init(code: String, name: String, description: String, criteria: [Criterion], segments: [Segment]) {
        self.code = code
        self.name = name
        self.description = description
        self.criteria = criteria
        self.segments = segments
    }

    public func criterion(_ code: String) -> Criterion? { criteria.first { $0.code == code } }
}

public enum FundingModel: String, Codable, Hashable, Sendable, CaseIterable {
    /// Inspanningsgericht: per delivered time unit at the contracted rate.
    case effortBased = "effort-based"
    /// Outputgericht: a fixed amount per client for an arrangement.
    case outputBased = "output-based"
    /// Taakgericht: a lump sum per provider, group, area or all together.
    case taskBased = "task-based"
    /// Price times quantity, for small externally referred volumes.
    case priceTimesQuantity = "price-times-quantity"

    public var dutchName: String {
        switch self {
        case .effortBased: "Inspanningsgericht"
        case .outputBased: "Outputgericht"
        case .taskBased: "Taakgericht (lumpsum)"
        case .priceTimesQuantity: "P×Q"
        }
    }
}

/// A municipality that does not take part in a segment, and why.
public struct NonParticipation: Codable, Hashable, Sendable {
    public var municipality: String
    public var reason: String

    public init(municipality: String, reason: String) {
        self.municipality = municipality
        self.reason = reason
    }
}

public struct Segment: Codable, Hashable, Sendable {
    public var code: String
    public var name: String
    public var description: String
    /// Percent per criterion code of the lot; they sum to 100.
    public var weights: [String: Int]
    public var fundingModel: FundingModel
    /// What the funding model needs: products and tariffs, arrangements, or budgets (`docs/finance.md`).
    public var funding: SegmentFunding?
    public var nonParticipation: [NonParticipation]
    public var subSegments: [SubSegment]

    public init(code: String, name: String, description: String, weights: [String: Int], fundingModel: FundingModel,
                funding: SegmentFunding? = nil, nonParticipation: [NonParticipation] = [], subSegments: [SubSegment]) {
        self.code = code
        self.name = name
        self.description = description
        self.weights = weights
        self.fundingModel = fundingModel
        self.funding = funding
        self.nonParticipation = nonParticipation
        self.subSegments = subSegments
    }

    enum CodingKeys: String, CodingKey {
        case code, name, description, weights, fundingModel, funding, nonParticipation, subSegments
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        code = try c.decode(String.self, forKey: .code)
        name = try c.decode(String.self, forKey: .name)
        description = try c.decodeIfPresent(String.self, forKey: .description) ?? ""
        weights = try c.decode([String: Int].self, forKey: .weights)
        fundingModel = try c.decode(FundingModel.self, forKey: .fundingModel)
        funding = try c.decodeIfPresent(SegmentFunding.self, forKey: .funding)
        nonParticipation = try c.decodeIfPresent([NonParticipation].self, forKey: .nonParticipation) ?? []
        subSegments = try c.decode([SubSegment].self, forKey: .subSegments)
    }
}

public struct SubSegment: Codable, Hashable, Sendable {
    public var code: String
    public var name: String
    public var description: String
    public var minProviders: Int
    public var maxProviders: Int
    /// Specialisms every participating municipality must have from at least one selected provider.
    public var requiredSpecialisms: [String]
    /// Places (clients at the same time) each municipality needs from the selected providers together.
    public var requiredCapacity: [String: Int]

    public init(code: String, name: String, description: String, minProviders: Int, maxProviders: Int,
                requiredSpecialisms: [String] = [], requiredCapacity: [String: Int] = [:]) {
        self.code = code
        self.name = name
        self.description = description
        self.minProviders = minProviders
        self.maxProviders = maxProviders
        self.requiredSpecialisms = requiredSpecialisms
        self.requiredCapacity = requiredCapacity
    }

    enum CodingKeys: String, CodingKey {
        case code, name, description, minProviders, maxProviders, requiredSpecialisms, requiredCapacity
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        code = try c.decode(String.self, forKey: .code)
        name = try c.decode(String.self, forKey: .name)
        description = try c.decodeIfPresent(String.self, forKey: .description) ?? ""
        minProviders = try c.decode(Int.self, forKey: .minProviders)
        maxProviders = try c.decode(Int.self, forKey: .maxProviders)
        requiredSpecialisms = try c.decodeIfPresent([String].self, forKey: .requiredSpecialisms) ?? []
        requiredCapacity = try c.decodeIfPresent([String: Int].self, forKey: .requiredCapacity) ?? [:]
    }
}

public enum ProcedureKind: String, Codable, Hashable, Sendable {
    /// A European tender (light regime for social services).
    case european
    /// A private (onderhandse) tender.
    case privateTender = "private"

    public var dutchName: String {
        switch self {
        case .european: "Europese aanbesteding"
        case .privateTender: "Onderhandse aanbesteding"
        }
    }
}

/// One procurement procedure, putting one or more lots on the market.
public struct Tender: Codable, Hashable, Sendable {
    public var code: String
    public var name: String
    public var procedure: ProcedureKind
    public var lots: [String]
    public var contractTerm: ContractTerm

    public init(code: String, name: String, procedure: ProcedureKind, lots: [String], contractTerm: ContractTerm) {
        self.code = code
        self.name = name
        self.procedure = procedure
        self.lots = lots
        self.contractTerm = contractTerm
    }
}

/// The contract-term row of a tender: start, initial term, extension options and the maximum.
public struct ContractTerm: Codable, Hashable, Sendable {
    public var start: CalendarDate
    public var initialEnd: CalendarDate
    public var initialTermMonths: Int
    public var extensionMonths: Int
    public var maxExtensions: Int
    public var maxTotalMonths: Int
    public var maxEnd: CalendarDate

    public init(start: CalendarDate, initialEnd: CalendarDate, initialTermMonths: Int, extensionMonths: Int,
                maxExtensions: Int, maxTotalMonths: Int, maxEnd: CalendarDate) {
        self.start = start
        self.initialEnd = initialEnd
        self.initialTermMonths = initialTermMonths
        self.extensionMonths = extensionMonths
        self.maxExtensions = maxExtensions
        self.maxTotalMonths = maxTotalMonths
        self.maxEnd = maxEnd
    }

    /// The end date after `extensions` extensions have been granted.
    public func end(afterExtensions extensions: Int) -> CalendarDate {
        start.lastDayOfPeriod(months: initialTermMonths + extensionMonths * extensions)
    }
}
