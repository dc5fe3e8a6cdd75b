import Foundation

/// A bid as it came out of the opened vault: what the bidder declared, before any assessment.
public struct DeclaredBid: Codable, Hashable, Sendable {
    public var id: String
    /// The bidding party: the provider, or the lead of a combination.
    public var bidder: String
    public var combinationMembers: [String]
    public var subcontractors: [String]
    public var segment: String
    public var subSegments: [String]
    public var serves: ServiceArea
    public var specialisms: [String]
    /// Places offered per municipality code.
    public var capacity: [String: Int]
    public var transport: String?
    /// The KvK number of each combination member and subcontractor, by name, for the contract's parties.
    public var partnerKvK: [String: String]?

    public init(id: String, bidder: String, combinationMembers: [String] = [], subcontractors: [String] = [],
                segment: String, subSegments: [String], serves: ServiceArea = .all, specialisms: [String] = [],
                capacity: [String: Int] = [:], transport: String? = nil, partnerKvK: [String: String]? = nil) {
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
    }

    /// Every organisation in the party: the bidder and the members of its combination.
    public var parties: [String] { [bidder] + combinationMembers }
}

/// Everything recorded while one segment is assessed: its committee and their declarations, the
/// minimum-requirement checks, the blind individual scores and the consensus. A value: the server
/// stores it and audits each step; every rule that decides what is allowed is a method here.
///
/// The rules live in this file (committee), RequirementChecks.swift, IndividualScores.swift and
/// Consensus.swift; docs/award.md writes them out for officials.
public struct SegmentAssessment: Codable, Hashable, Sendable {
    public var segment: String
    /// The criteria this segment weighs (weight not 0), in the lot's order.
    public var criteria: [String]
    public var scale: ScoreScale
    /// The minimum requirements that apply to the segment's lot.
    public var requirements: [Requirement]
    /// The segment's bids as declared.
    public var bids: [DeclaredBid]
    /// The assessor accounts the officer appointed, in the officer's order.
    public var committee: [String]
    /// Every declaration ever made, oldest first; the latest per assessor counts.
    public var declarations: [ConflictDeclaration]
    /// Every check ever recorded, oldest first; the latest per bid and requirement counts.
    public var requirementChecks: [RequirementCheck]
    /// One entry per assessor, bid and criterion; replaced while the bid's scores are still blind.
    public var scores: [IndividualScore]
    /// One entry per bid and criterion, with its revisions.
    public var consensus: [ConsensusScore]

    /// Starts the assessment of `segment` with the bids of that segment (others are ignored).
    public init(segment code: String, design: Design, bids: [DeclaredBid], committee: [String]) throws {
        guard let segment = design.segment(code), let lot = design.lot(containingSegment: code) else {
            throw AwardError.unknownSegment(code)
        }
        self.segment = code
        criteria = design.weightedCriteria(ofSegment: code).map(\.code)
        scale = design.scoreScale
        requirements = design.requirements(forLot: lot.code)
        self.bids = bids.filter { $0.segment == code }
        self.committee = committee
        declarations = []
        requirementChecks = []
        scores = []
        consensus = []
    }

    public func bid(_ id: String) -> DeclaredBid? { bids.first { $0.id == id } }

    func requireBid(_ id: String) throws -> DeclaredBid {
        if let bid = bid(id) { return bid }
        throw AwardError.bidOfOtherSegment(bid: id, segment: segment)
    }

    // MARK: Committee and conflicts of interest

    /// The names an assessor declares about: every bidder, combination member and subcontractor of
    /// the segment, sorted, each once.
    public var bidderNames: [String] {
        Array(Set(bids.flatMap { $0.parties + $0.subcontractors })).sorted()
    }

    /// The assessor's declaration that counts: the latest.
    public func declaration(of assessor: String) -> ConflictDeclaration? {
        declarations.last { $0.assessor == assessor }
    }

    /// Records a declaration. Only appointed members declare; a conflict names at least one of the
    /// segment's bidders and explains itself; a declared conflict is final (a later "no conflict"
    /// is refused), while "no conflict" may later be followed by a conflict.
    public mutating func declare(_ declaration: ConflictDeclaration) throws {
        guard committee.contains(declaration.assessor) else {
            throw AwardError.notACommitteeMember(assessor: declaration.assessor, segment: segment)
        }
        if case .conflict = self.declaration(of: declaration.assessor)?.conflict {
            throw AwardError.conflictAlreadyDeclared(assessor: declaration.assessor)
        }
        if case let .conflict(bidders, explanation) = declaration.conflict {
            guard !bidders.isEmpty else { throw AwardError.conflictWithoutBidders }
            let names = bidderNames
            for name in bidders where !names.contains(name) { throw AwardError.notABidderOfSegment(name: name) }
            if explanation.isBlank { throw AwardError.missingText(field: "toelichting op het belangenconflict") }
        }
        declarations.append(declaration)
    }

    /// Whether and why an assessor may see the segment's bids.
    public func access(of assessor: String) -> BidAccess {
        guard committee.contains(assessor) else { return .notAMember }
        switch declaration(of: assessor)?.conflict {
        case nil: return .noDeclaration
        case .noConflict: return .allowed
        case let .conflict(bidders, _): return .conflict(bidders: bidders)
        }
    }

    /// May the assessor see the bids of this segment? Only an appointed member who declared no conflict.
    public func maySeeBids(_ assessor: String) -> Bool { access(of: assessor) == .allowed }

    /// The committee that assesses: the appointed members minus those who declared a conflict.
    /// Members who have not declared yet stay in it: they still have to declare and score, and
    /// the individual scores stay blind until they have.
    public var effectiveCommittee: [String] {
        committee.filter { if case .conflict = access(of: $0) { false } else { true } }
    }
}

extension Design {
    /// The criteria a segment's bids are scored on: its lot's criteria with a weight above 0 in the segment.
    public func weightedCriteria(ofSegment code: String) -> [Criterion] {
        guard let segment = segment(code), let lot = lot(containingSegment: code) else { return [] }
        return lot.criteria.filter { (segment.weights[$0.code] ?? 0) != 0 }
    }
}

/// One assessor's declaration about conflicts of interest with the bidders of a segment.
public struct ConflictDeclaration: Codable, Hashable, Sendable {
    public enum Conflict: Codable, Hashable, Sendable {
        case noConflict
        /// A conflict with the named bidders, explained.
        case conflict(bidders: [String], explanation: String)
    }

    public var assessor: String
    public var conflict: Conflict
    public var declaredAt: Date

    public init(assessor: String, conflict: Conflict, declaredAt: Date) {
        self.assessor = assessor
        self.conflict = conflict
        self.declaredAt = declaredAt
    }
}

/// Whether an assessor may see a segment's bids, and if not, why.
public enum BidAccess: Codable, Hashable, Sendable {
    case allowed
    case notAMember
    case noDeclaration
    case conflict(bidders: [String])

    public var dutch: String {
        switch self {
        case .allowed: "toegestaan"
        case .notAMember: "geen lid van de beoordelingscommissie van dit segment"
        case .noDeclaration: "nog geen verklaring over belangenconflicten afgelegd"
        case let .conflict(bidders): "belangenconflict gemeld met \(bidders.joined(separator: ", ")); niet langer lid van de commissie"
        }
    }
}
