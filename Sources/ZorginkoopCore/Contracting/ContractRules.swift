import Foundation

/// Who looks at the register: the region's own people see every contract, a municipality's
/// official those that serve the municipality, a provider those it is a party to or delivers under.
public enum ContractViewer: Hashable, Sendable {
    case region
    case municipality(String)
    case organisation(String)
}

public enum ContractError: Error, Hashable, Sendable, CustomStringConvertible {
    case unknownProof(String)
    case proofAlreadyAccepted(String, on: CalendarDate)
    case terminated(on: CalendarDate)

    public var description: String {
        switch self {
        case let .unknownProof(requirement): "Deze overeenkomst vraagt geen bewijs voor eis '\(requirement)'."
        case let .proofAlreadyAccepted(name, day): "Het bewijs voor \(name) is al op \(day.dutch) geaccepteerd."
        case let .terminated(day): "De overeenkomst is op \(day.dutch) ontbonden."
        }
    }

    /// Refused because of the contract's state, not because of what was entered (409, not 422).
    public var isConflict: Bool { true }
}

extension RegisteredContract {
    public func isVisible(to viewer: ContractViewer) -> Bool {
        switch viewer {
        case .region: true
        case let .municipality(code): municipalities.contains(code)
        case let .organisation(id): parties.contains { $0.organisation == id }
        }
    }

    /// The days by which each municipality decides on its next extension and tells the provider.
    public func noticeDate(of municipality: String, notice: NoticePolicy = NoticePolicy()) -> CalendarDate? {
        term(of: municipality).map { notice.noticeDate(forEnd: $0.end) }
    }

    /// An officer accepts the proof of a requirement that was still open (the quality mark): once
    /// every proof is accepted, the contract may start.
    public mutating func acceptProof(_ requirement: String, on day: CalendarDate, by officer: String) throws(ContractError) {
        if let terminatedOn { throw .terminated(on: terminatedOn) }
        guard let index = proofs.firstIndex(where: { $0.requirement == requirement }) else { throw .unknownProof(requirement) }
        if let accepted = proofs[index].acceptedOn { throw .proofAlreadyAccepted(proofs[index].name, on: accepted) }
        proofs[index].acceptedOn = day
        proofs[index].acceptedBy = officer
    }
}

/// A contract from a private tender (onderhandse aanbesteding, such as hospital care under P×Q),
/// as an officer enters it: the same fields as a contract of an award, checked the same way.
public struct PrivateTenderContract: Hashable, Sendable {
    public var reference: String
    public var title: String
    public var segment: String
    public var subSegments: [String]
    public var lead: ContractParty
    public var municipalities: [String]
    public var start: CalendarDate?
    public var initialTermMonths: Int?
    public var extensionMonths: Int?
    public var maxExtensions: Int?
    public var maxTotalMonths: Int?

    public init(reference: String, title: String, segment: String, subSegments: [String], lead: ContractParty, municipalities: [String],
                start: CalendarDate?, initialTermMonths: Int?, extensionMonths: Int?, maxExtensions: Int?, maxTotalMonths: Int?) {
        self.reference = reference
        self.title = title
        self.segment = segment
        self.subSegments = subSegments
        self.lead = lead
        self.municipalities = municipalities
        self.start = start
        self.initialTermMonths = initialTermMonths
        self.extensionMonths = extensionMonths
        self.maxExtensions = maxExtensions
        self.maxTotalMonths = maxTotalMonths
    }

    /// Private tenders are numbered in one series of their own: OA-001, OA-002, …
    public static func number(_ sequence: Int) -> String { "OA-" + String(format: "%03d", sequence) }

    /// The contract, or every problem with the entry by field name. A segment of the region's
    /// design brings its sub-segments; a segment outside it (hospital care) has none.
    public func contract(number: String, region: Region, design segments: [Segment]) throws(ProblemList) -> RegisteredContract {
        var problems: [Problem] = []
        if reference.isBlank { problems.append(Problem("reference", "geef het kenmerk van de onderhandse aanbesteding")) }
        if title.isBlank { problems.append(Problem("title", "geef de naam van de overeenkomst")) }
        let known = segments.first { $0.code == segment }
        if segment.isBlank {
            problems.append(Problem("segment", "kies het segment"))
        } else if known == nil, !segment.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) {
            problems.append(Problem("segment", "een segmentcode bestaat uit letters, cijfers en streepjes"))
        }
        if let known {
            let codes = Set(known.subSegments.map(\.code))
            if subSegments.isEmpty { problems.append(Problem("subSegments", "kies ten minste één deelsegment")) }
            for sub in subSegments where !codes.contains(sub) {
                problems.append(Problem("subSegments", "deelsegment '\(sub)' hoort niet bij \(known.name)"))
            }
        }
        if lead.organisation == nil { problems.append(Problem("lead", "kies de aanbieder")) }
        let regionCodes = Set(region.municipalities.map(\.code))
        if municipalities.isEmpty { problems.append(Problem("municipalities", "kies ten minste één gemeente")) }
        for code in municipalities where !regionCodes.contains(code) {
            problems.append(Problem("municipalities", "'\(code)' is geen gemeente van de regio"))
        }
        if start == nil { problems.append(Problem("start", "geef de ingangsdatum (dd-mm-jjjj)")) }
        func months(_ value: Int?, _ field: String, min: Int, what: String) -> Int? {
            guard let value else { problems.append(Problem(field, "geef \(what) als een heel getal")); return nil }
            guard value >= min, value <= 240 else { problems.append(Problem(field, "\(what) ligt tussen \(min) en 240")); return nil }
            return value
        }
        let initial = months(initialTermMonths, "initialTermMonths", min: 1, what: "de looptijd in maanden")
        let maxExt = maxExtensions.flatMap { (0...10).contains($0) ? $0 : nil }
        if maxExt == nil { problems.append(Problem("maxExtensions", "het aantal verlengingen ligt tussen 0 en 10")) }
        let ext = months(extensionMonths, "extensionMonths", min: (maxExt ?? 0) > 0 ? 1 : 0, what: "de lengte van een verlenging in maanden")
        let total = months(maxTotalMonths, "maxTotalMonths", min: 1, what: "de maximale looptijd in maanden")
        if let initial, let total, total < initial {
            problems.append(Problem("maxTotalMonths", "de maximale looptijd is korter dan de eerste looptijd"))
        }
        guard problems.isEmpty, let start, let initial, let ext, let maxExt, let total else { throw ProblemList(problems: problems) }
        let term = ContractTerm(start: start, initialEnd: start.lastDayOfPeriod(months: initial), initialTermMonths: initial,
                                extensionMonths: ext, maxExtensions: maxExt, maxTotalMonths: total,
                                maxEnd: start.lastDayOfPeriod(months: total))
        return RegisteredContract(number: number, source: .privateTender, tender: reference.trimmingCharacters(in: .whitespaces), bid: nil,
                                  segment: segment, title: title.trimmingCharacters(in: .whitespaces), parties: [lead],
                                  subSegments: known == nil ? [] : subSegments, term: term, start: start,
                                  terms: municipalities.map { MunicipalTerm(municipality: $0, end: term.initialEnd, extensionsUsed: 0) })
    }
}

/// One line of the public list of contracted providers, as the region publishes it on its website:
/// who is contracted for which segment in which municipality, until when. Parties only (lead and
/// combination members): no contact details (AVG), no subcontractors, no contract that has ended.
public struct PublicRegisterEntry: Codable, Hashable, Sendable {
    public var segment: String
    public var municipality: String
    public var provider: String
    public var kvkNumber: String?
    public var role: ContractParty.Role
    public var contract: String
    public var subSegments: [String]
    public var start: CalendarDate
    public var end: CalendarDate

    public static func entries(_ contracts: [RegisteredContract], on day: CalendarDate) -> [PublicRegisterEntry] {
        contracts.flatMap { c -> [PublicRegisterEntry] in
            guard c.terminatedOn.map({ day < $0 }) ?? true else { return [] }
            return c.terms.filter { day <= $0.end }.flatMap { t in
                c.parties.filter { $0.role != .subcontractor }.map { p in
                    PublicRegisterEntry(segment: c.segment, municipality: t.municipality, provider: p.name, kvkNumber: p.kvkNumber,
                                        role: p.role, contract: c.number, subSegments: c.subSegments, start: c.start, end: t.end)
                }
            }
        }
        .sorted { ($0.segment, $0.municipality, $0.provider, $0.contract) < ($1.segment, $1.municipality, $1.provider, $1.contract) }
    }
}
