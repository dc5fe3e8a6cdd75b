import Foundation

/// The dates of a tender as published: instants, so that "the deadline" is one moment everywhere.
public struct TenderTimeline: Codable, Hashable, Sendable {
    public var publication: Date
    /// The question deadline of each round, in order: round 1 first.
    public var questionDeadlines: [Date]
    public var submissionDeadline: Date
    public var opening: Date

    public init(publication: Date, questionDeadlines: [Date], submissionDeadline: Date, opening: Date) {
        self.publication = publication
        self.questionDeadlines = questionDeadlines
        self.submissionDeadline = submissionDeadline
        self.opening = opening
    }

    /// The order a tender needs: publication, then each question round, then the submission
    /// deadline, then the opening (which may coincide with the deadline, never precede it).
    public func validate() -> [Problem] {
        var v = ProblemCollector()
        if questionDeadlines.isEmpty {
            v.add("questionDeadlines", "er is minstens één vragenronde nodig")
        }
        var previous = (date: publication, name: "de publicatie")
        for (i, deadline) in questionDeadlines.enumerated() {
            if deadline <= previous.date {
                v.add("questionDeadlines[\(i)]", "de sluiting van vragenronde \(i + 1) moet na \(previous.name) liggen")
            }
            previous = (deadline, "de sluiting van vragenronde \(i + 1)")
        }
        if submissionDeadline <= previous.date {
            v.add("submissionDeadline", "de inschrijvingstermijn moet sluiten na \(previous.name)")
        }
        if opening < submissionDeadline {
            v.add("opening", "de opening kan niet voor het sluiten van de inschrijvingstermijn liggen")
        }
        return v.problems
    }

    /// The question round open at `now` (1-based), or nil when no round accepts questions.
    public func openQuestionRound(at now: Date) -> Int? {
        guard now >= publication else { return nil }
        return questionDeadlines.firstIndex { Deadline.isOnTime(now, deadline: $0) }.map { $0 + 1 }
    }
}

/// The deadline rule, once for bids and questions: whatever completes before the deadline's instant
/// is on time; at or after it, it is late. The instant is the server's clock, to the millisecond.
public enum Deadline {
    public static func isOnTime(_ completedAt: Date, deadline: Date) -> Bool {
        completedAt < deadline
    }
}

/// Where a tender stands.
public enum TenderPhase: String, Codable, Hashable, Sendable, CaseIterable {
    /// Being prepared; only officers see it.
    case draft
    /// Published by an officer, taking effect at the published time; until then only officers see it.
    case scheduled
    /// Published, bids may be submitted.
    case open
    /// The deadline has passed; the vault is still sealed.
    case closed
    /// Two officers have opened the vault.
    case opened

    public static func of(publishedAt: Date?, openedAt: Date?, deadline: Date, now: Date) -> TenderPhase {
        if openedAt != nil { return .opened }
        guard let publishedAt else { return .draft }
        if now < publishedAt { return .scheduled }
        return Deadline.isOnTime(now, deadline: deadline) ? .open : .closed
    }

    public var dutchName: String {
        switch self {
        case .draft: "In voorbereiding"
        case .scheduled: "Publicatie gepland"
        case .open: "Gepubliceerd, inschrijving open"
        case .closed: "Gesloten, kluis verzegeld"
        case .opened: "Kluis geopend"
        }
    }
}

/// What a tender buys: a tender of a design, the chosen sub-segments, and each municipality's
/// no-go per segment. A no-go removes that municipality from the segment's coverage.
public struct TenderScope: Codable, Hashable, Sendable {
    public var design: Design
    public var tender: String
    public var subSegments: [String]
    public var noGo: [NoGo]

    public init(design: Design, tender: String, subSegments: [String], noGo: [NoGo]) {
        self.design = design
        self.tender = tender
        self.subSegments = subSegments
        self.noGo = noGo
    }

    /// The design's tender this scope belongs to.
    public var designTender: Tender? { design.tenders.first { $0.code == tender } }

    /// Every sub-segment of the tender's lots: the choice an officer starts from.
    public static func availableSubSegments(of tender: Tender, in design: Design) -> [SubSegment] {
        design.lots.filter { tender.lots.contains($0.code) }.flatMap(\.segments).flatMap(\.subSegments)
    }

    public var lots: [Lot] {
        design.lots.filter { lot in lot.segments.contains { $0.subSegments.contains { subSegments.contains($0.code) } } }
    }

    public var segments: [Segment] {
        design.segments.filter { $0.subSegments.contains { subSegments.contains($0.code) } }
    }

    public func segment(of subSegment: String) -> Segment? {
        design.segments.first { $0.subSegments.contains { $0.code == subSegment } }
    }

    /// The municipalities a segment covers: the region, less those out of the segment by design
    /// (non-participation) and those that said no-go for this tender.
    public func coveredMunicipalities(segment: String) -> [Municipality] {
        guard let seg = design.segments.first(where: { $0.code == segment }) else { return [] }
        let out = Set(seg.nonParticipation.map(\.municipality))
            .union(noGo.filter { $0.segment == segment }.map(\.municipality))
        return design.region.municipalities.filter { !out.contains($0.code) }
    }

    /// The requirements a bid on `subSegments` must meet: those of their lots.
    public func requirements(for subSegments: [String]) -> [Requirement] {
        let lotCodes = Set(design.lots.filter { lot in
            lot.segments.contains { $0.subSegments.contains { subSegments.contains($0.code) } }
        }.map(\.code))
        return design.requirements.filter { !$0.lots.isEmpty ? !lotCodes.isDisjoint(with: $0.lots) : true }
    }

    /// The criteria a bid on `subSegments` is scored on: those of their lots.
    public func criteria(for subSegments: [String]) -> [Criterion] {
        var seen: Set<String> = []
        return design.lots.filter { lot in
            lot.segments.contains { $0.subSegments.contains { subSegments.contains($0.code) } }
        }.flatMap(\.criteria).filter { seen.insert($0.code).inserted }
    }

    public func validate() -> [Problem] {
        var v = ProblemCollector()
        guard let designTender else {
            v.add("tender", "aanbesteding '\(tender)' staat niet in ontwerp \(design.code)")
            return v.problems
        }
        let available = Set(Self.availableSubSegments(of: designTender, in: design).map(\.code))
        if subSegments.isEmpty {
            v.add("subSegments", "kies minstens één subsegment")
        }
        for (i, code) in subSegments.enumerated() where !available.contains(code) {
            v.add("subSegments[\(i)]", "subsegment '\(code)' hoort niet bij aanbesteding \(tender)")
        }
        let segmentCodes = Set(segments.map(\.code))
        let municipalityCodes = Set(design.region.municipalities.map(\.code))
        for (i, n) in noGo.enumerated() {
            if !segmentCodes.contains(n.segment) {
                v.add("noGo[\(i)].segment", "segment '\(n.segment)' hoort niet bij deze aanbesteding")
            }
            if !municipalityCodes.contains(n.municipality) {
                v.add("noGo[\(i)].municipality", "gemeente '\(n.municipality)' hoort niet bij de regio")
            }
        }
        for segment in segments where coveredMunicipalities(segment: segment.code).isEmpty {
            v.add("noGo", "segment \(segment.name) heeft geen enkele deelnemende gemeente meer")
        }
        return v.problems
    }
}
