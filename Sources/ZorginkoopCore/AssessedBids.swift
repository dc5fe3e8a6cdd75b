import Foundation

/// The input of a selection: one tender's assessed bids, with the tender-level choices that shape
/// coverage (go/no-go, specialisms, capacity) and any draws that were recorded.
/// This is the documented file format of `zorginkoop select` (docs/selection.md).
public struct AssessedBids: Codable, Hashable, Sendable {
    public static let formatIdentifier = "zorginkoop.assessed-bids/1"

    public var format: String
    /// A bundled design's code, or a path to a design file relative to this file.
    public var design: String
    public var tender: String
    public var noGo: [NoGo]
    public var coverage: [CoverageRequirement]
    public var draws: [Draw]
    public var bids: [AssessedBid]

    public init(design: String, tender: String, noGo: [NoGo] = [], coverage: [CoverageRequirement] = [],
                draws: [Draw] = [], bids: [AssessedBid]) {
        self.format = AssessedBids.formatIdentifier
        self.design = design
        self.tender = tender
        self.noGo = noGo
        self.coverage = coverage
        self.draws = draws
        self.bids = bids
    }

    enum CodingKeys: String, CodingKey { case format, design, tender, noGo, coverage, draws, bids }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        format = try c.decode(String.self, forKey: .format)
        design = try c.decode(String.self, forKey: .design)
        tender = try c.decode(String.self, forKey: .tender)
        noGo = try c.decodeIfPresent([NoGo].self, forKey: .noGo) ?? []
        coverage = try c.decodeIfPresent([CoverageRequirement].self, forKey: .coverage) ?? []
        draws = try c.decodeIfPresent([Draw].self, forKey: .draws) ?? []
        bids = try c.decode([AssessedBid].self, forKey: .bids)
    }
}

/// A municipality's "no-go" for a segment of this tender: it leaves the segment's coverage.
public struct NoGo: Codable, Hashable, Sendable {
    public var segment: String
    public var municipality: String

    public init(segment: String, municipality: String) {
        self.segment = segment
        self.municipality = municipality
    }
}

/// The tender's coverage requirement for a sub-segment; replaces the design's when present.
public struct CoverageRequirement: Codable, Hashable, Sendable {
    public var subSegment: String
    public var specialisms: [String]
    public var capacity: [String: Int]

    public init(subSegment: String, specialisms: [String] = [], capacity: [String: Int] = [:]) {
        self.subSegment = subSegment
        self.specialisms = specialisms
        self.capacity = capacity
    }

    enum CodingKeys: String, CodingKey { case subSegment, specialisms, capacity }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        subSegment = try c.decode(String.self, forKey: .subSegment)
        specialisms = try c.decodeIfPresent([String].self, forKey: .specialisms) ?? []
        capacity = try c.decodeIfPresent([String: Int].self, forKey: .capacity) ?? [:]
    }
}

/// A recorded draw that orders bids with equal scores in one sub-segment.
public struct Draw: Codable, Hashable, Sendable {
    public var subSegment: String
    /// Bid ids, the winner of the draw first.
    public var order: [String]
    public var drawnBy: String
    public var drawnAt: String

    public init(subSegment: String, order: [String], drawnBy: String, drawnAt: String) {
        self.subSegment = subSegment
        self.order = order
        self.drawnBy = drawnBy
        self.drawnAt = drawnAt
    }

    /// The bid of `ids` drawn first, when the draw names every one of them; nil otherwise.
    public func first(of ids: [String]) -> String? {
        guard Set(ids).isSubset(of: Set(order)) else { return nil }
        return order.first { ids.contains($0) }
    }
}

/// One bid as it stands after assessment.
public struct AssessedBid: Codable, Hashable, Sendable {
    public var id: String
    /// The bidding party: the provider, or the lead of a combination.
    public var bidder: String
    /// Other members of the combination; a combination is one party.
    public var combinationMembers: [String]
    public var subcontractors: [String]
    public var segment: String
    public var subSegments: [String]
    public var serves: ServiceArea
    public var specialisms: [String]
    /// Places offered per municipality code.
    public var capacity: [String: Int]
    /// A transport option code of the design, when the design has them.
    public var transport: String?
    public var requirements: [String: RequirementOutcome]
    public var assessments: [IndividualAssessment]
    /// The committee's consensus score per criterion code; nil when the meeting has not scored it yet.
    public var consensus: [String: Score]?
    /// The KvK number of each combination member and subcontractor, by name.
    public var partnerKvK: [String: String]?

    public init(id: String, bidder: String, combinationMembers: [String] = [], subcontractors: [String] = [],
                segment: String, subSegments: [String], serves: ServiceArea = .all, specialisms: [String] = [],
                capacity: [String: Int] = [:], transport: String? = nil,
                requirements: [String: RequirementOutcome], assessments: [IndividualAssessment] = [],
                consensus: [String: Score]?, partnerKvK: [String: String]? = nil) {
        self.partnerKvK = partnerKvK
        self.id = id
        self.bidder = bidder
        self.combinationMembers = combinationMembers
        self.subcontractors = subcontractors
        self.segment = segment
        self.subSegments = subSegments
        self.serves = serves
        self.specialisms = specialisms
        self.capacity = capacity
        self.transport = transport
        self.requirements = requirements
        self.assessments = assessments
        self.consensus = consensus
    }

    enum CodingKeys: String, CodingKey {
        case id, bidder, combinationMembers, subcontractors, segment, subSegments, serves, specialisms,
             capacity, transport, requirements, assessments, consensus, partnerKvK
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        bidder = try c.decode(String.self, forKey: .bidder)
        combinationMembers = try c.decodeIfPresent([String].self, forKey: .combinationMembers) ?? []
        subcontractors = try c.decodeIfPresent([String].self, forKey: .subcontractors) ?? []
        segment = try c.decode(String.self, forKey: .segment)
        subSegments = try c.decode([String].self, forKey: .subSegments)
        serves = try c.decodeIfPresent(ServiceArea.self, forKey: .serves) ?? .all
        specialisms = try c.decodeIfPresent([String].self, forKey: .specialisms) ?? []
        capacity = try c.decodeIfPresent([String: Int].self, forKey: .capacity) ?? [:]
        transport = try c.decodeIfPresent(String.self, forKey: .transport)
        requirements = try c.decode([String: RequirementOutcome].self, forKey: .requirements)
        assessments = try c.decodeIfPresent([IndividualAssessment].self, forKey: .assessments) ?? []
        consensus = try c.decodeIfPresent([String: Score].self, forKey: .consensus)
        partnerKvK = try c.decodeIfPresent([String: String].self, forKey: .partnerKvK)
    }

    /// Every organisation in the party.
    public var parties: [String] { [bidder] + combinationMembers }
}

/// The municipalities a bidder will serve: all of the region (the rule), or a justified list.
public enum ServiceArea: Hashable, Sendable {
    case all
    case only(municipalities: [String], justification: String)
}

extension ServiceArea: Codable {
    enum CodingKeys: String, CodingKey { case municipalities, justification }

    public init(from decoder: Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let text = try? single.decode(String.self) {
            guard text == "all" else {
                throw DecodingError.dataCorruptedError(
                    in: single, debugDescription: "verwacht \"all\" of {\"municipalities\": [...], \"justification\": \"...\"}, niet '\(text)'")
            }
            self = .all
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self = .only(municipalities: try c.decode([String].self, forKey: .municipalities),
                     justification: try c.decode(String.self, forKey: .justification))
    }

    public func encode(to encoder: Encoder) throws {
        switch self {
        case .all:
            var single = encoder.singleValueContainer()
            try single.encode("all")
        case let .only(municipalities, justification):
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(municipalities, forKey: .municipalities)
            try c.encode(justification, forKey: .justification)
        }
    }
}

/// The outcome of checking one minimum requirement of a bid.
public enum RequirementOutcome: Hashable, Sendable {
    case pass
    case fail(reason: String)
    /// Proof in progress (a quality mark being obtained), expected by a date.
    case pending(expected: CalendarDate)
}

extension RequirementOutcome: Codable {
    enum CodingKeys: String, CodingKey { case outcome, reason, expected }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let outcome = try c.decode(String.self, forKey: .outcome)
        switch outcome {
        case "pass": self = .pass
        case "fail": self = .fail(reason: try c.decode(String.self, forKey: .reason))
        case "pending": self = .pending(expected: try c.decode(CalendarDate.self, forKey: .expected))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .outcome, in: c, debugDescription: "uitkomst '\(outcome)' onbekend; kies pass, fail of pending")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .pass:
            try c.encode("pass", forKey: .outcome)
        case let .fail(reason):
            try c.encode("fail", forKey: .outcome)
            try c.encode(reason, forKey: .reason)
        case let .pending(expected):
            try c.encode("pending", forKey: .outcome)
            try c.encode(expected, forKey: .expected)
        }
    }
}

/// One assessor's individual scores for a bid, made before the consensus meeting.
public struct IndividualAssessment: Codable, Hashable, Sendable {
    public var assessor: String
    public var scores: [String: Score]

    public init(assessor: String, scores: [String: Score]) {
        self.assessor = assessor
        self.scores = scores
    }
}
