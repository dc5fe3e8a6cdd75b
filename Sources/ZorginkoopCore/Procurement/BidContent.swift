import Foundation

/// What a provider offers in a tender: everything but the attached documents' bytes.
/// Drafts hold any part of it; `submissionProblems` says what a submission still lacks.
public struct BidContent: Codable, Hashable, Sendable {
    public var subSegments: [String]
    public var serves: ServiceArea
    public var specialisms: [String]
    /// Places offered per municipality code.
    public var capacity: [String: Int]
    public var transport: String?
    /// Per requirement code.
    public var declarations: [String: RequirementDeclaration]
    /// The quality dossier: the text per selection criterion code.
    public var dossier: [String: String]
    public var form: BiddingForm

    public init(subSegments: [String] = [], serves: ServiceArea = .all, specialisms: [String] = [],
                capacity: [String: Int] = [:], transport: String? = nil,
                declarations: [String: RequirementDeclaration] = [:], dossier: [String: String] = [:],
                form: BiddingForm = .alone) {
        self.subSegments = subSegments
        self.serves = serves
        self.specialisms = specialisms
        self.capacity = capacity
        self.transport = transport
        self.declarations = declarations
        self.dossier = dossier
        self.form = form
    }

    /// The longest dossier text per criterion, in characters (about four A4 pages).
    public static let dossierLimit = 12_000
}

/// A provider's declaration that it meets a minimum requirement, with its evidence.
public struct RequirementDeclaration: Codable, Hashable, Sendable {
    public enum Status: Hashable, Sendable {
        case met
        /// Proof follows (a quality mark being obtained), expected by this date.
        case inProgress(expected: CalendarDate)
    }

    public var status: Status
    /// A short account of the evidence, or a reference to an attached document.
    public var evidence: String

    public init(status: Status, evidence: String) {
        self.status = status
        self.evidence = evidence
    }
}

extension RequirementDeclaration.Status: Codable {
    enum CodingKeys: String, CodingKey { case status, expected }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .status) {
        case "met": self = .met
        case "in-progress": self = .inProgress(expected: try c.decode(CalendarDate.self, forKey: .expected))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .status, in: c, debugDescription: "status '\(other)' onbekend; kies met of in-progress")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .met: try c.encode("met", forKey: .status)
        case let .inProgress(expected):
            try c.encode("in-progress", forKey: .status)
            try c.encode(expected, forKey: .expected)
        }
    }
}

/// Another organisation in a bid: a member of a combination or a subcontractor.
public struct PartnerOrganisation: Codable, Hashable, Sendable {
    public var name: String
    public var kvkNumber: String

    public init(name: String, kvkNumber: String) {
        self.name = name
        self.kvkNumber = kvkNumber
    }
}

/// How a provider bids: alone, as the lead of a combination (one party), or with subcontractors.
public enum BiddingForm: Hashable, Sendable {
    case alone
    case combination(members: [PartnerOrganisation])
    case withSubcontractors([PartnerOrganisation])

    public var partners: [PartnerOrganisation] {
        switch self {
        case .alone: []
        case let .combination(members): members
        case let .withSubcontractors(subcontractors): subcontractors
        }
    }

    public var code: String {
        switch self {
        case .alone: "alone"
        case .combination: "combination"
        case .withSubcontractors: "subcontractors"
        }
    }

    public var dutchName: String {
        switch self {
        case .alone: "Zelfstandig"
        case .combination: "Als penvoerder van een combinatie"
        case .withSubcontractors: "Met onderaannemers"
        }
    }
}

extension BiddingForm: Codable {
    enum CodingKeys: String, CodingKey { case kind, partners }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let partners = try c.decodeIfPresent([PartnerOrganisation].self, forKey: .partners) ?? []
        switch try c.decode(String.self, forKey: .kind) {
        case "alone": self = .alone
        case "combination": self = .combination(members: partners)
        case "subcontractors": self = .withSubcontractors(partners)
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "vorm '\(other)' onbekend; kies alone, combination of subcontractors")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(code, forKey: .kind)
        try c.encode(partners, forKey: .partners)
    }
}

extension BidContent {
    /// Everything that stands in the way of submitting this bid in `scope`, each with its field.
    /// `attachedTo` holds the purposes of the bid's documents (`requirement:CODE`, `criterion:CODE`).
    public func submissionProblems(in scope: TenderScope, attachedTo: Set<String> = []) -> [Problem] {
        var v = ProblemCollector()
        let chosen = Set(scope.subSegments)
        if subSegments.isEmpty {
            v.add("subSegments", "kies minstens één subsegment waarop u inschrijft")
        }
        for (i, code) in subSegments.enumerated() where !chosen.contains(code) {
            v.add("subSegments[\(i)]", "subsegment '\(code)' is geen onderdeel van deze aanbesteding")
        }
        validateArea(scope, &v)
        validateOffer(scope, &v)
        validateDeclarations(scope, attachedTo: attachedTo, &v)
        for criterion in scope.criteria(for: subSegments) {
            let text = dossier[criterion.code] ?? ""
            if text.isBlank && !attachedTo.contains("criterion:\(criterion.code)") {
                v.add("dossier.\(criterion.code)", "beschrijf uw aanpak voor ‘\(criterion.name)’ of voeg een bijlage toe")
            }
        }
        for (code, text) in dossier {
            if !scope.criteria(for: subSegments).contains(where: { $0.code == code }) && !text.isBlank {
                v.add("dossier.\(code)", "'\(code)' is geen gunningscriterium van de gekozen subsegmenten")
            }
            if text.count > Self.dossierLimit {
                v.add("dossier.\(code)", "de tekst telt \(text.count) tekens; het maximum is \(Self.dossierLimit)")
            }
        }
        for (i, partner) in form.partners.enumerated() {
            if partner.name.isBlank { v.add("form.partners[\(i)].name", "vul de naam van de organisatie in") }
            if let problem = Registration.kvkProblem(partner.kvkNumber) { v.add("form.partners[\(i)].kvkNumber", problem) }
        }
        if case .combination(let members) = form, members.isEmpty {
            v.add("form.partners", "een combinatie heeft minstens één lid naast de penvoerder")
        }
        return v.problems
    }

    private func validateArea(_ scope: TenderScope, _ v: inout ProblemCollector) {
        guard case let .only(municipalities, justification) = serves else { return }
        let known = Set(scope.design.region.municipalities.map(\.code))
        if municipalities.isEmpty {
            v.add("serves.municipalities", "kies de gemeenten waar u zorg levert, of kies de hele regio")
        }
        for (i, code) in municipalities.enumerated() where !known.contains(code) {
            v.add("serves.municipalities[\(i)]", "'\(code)' is geen gemeente van de regio")
        }
        if justification.isBlank {
            v.add("serves.justification", "motiveer waarom u niet in de hele regio zorg levert")
        }
    }

    private func validateOffer(_ scope: TenderScope, _ v: inout ProblemCollector) {
        let offered = scope.design.subSegments.filter { subSegments.contains($0.code) }
        let knownSpecialisms = Set(offered.flatMap(\.requiredSpecialisms))
        for (i, specialism) in specialisms.enumerated() where !knownSpecialisms.contains(specialism) {
            v.add("specialisms[\(i)]", "specialisme '\(specialism)' wordt in de gekozen subsegmenten niet gevraagd")
        }
        let known = Set(scope.design.region.municipalities.map(\.code))
        for (code, places) in capacity.sorted(by: { $0.key < $1.key }) {
            if !known.contains(code) { v.add("capacity.\(code)", "'\(code)' is geen gemeente van de regio") }
            if places < 0 { v.add("capacity.\(code)", "de capaciteit kan niet negatief zijn") }
        }
        let options = scope.design.transportOptions.map(\.code)
        if !options.isEmpty {
            if let transport {
                if !options.contains(transport) { v.add("transport", "vervoersoptie '\(transport)' bestaat niet") }
            } else {
                v.add("transport", "kies hoe het vervoer van cliënten geregeld wordt")
            }
        }
    }

    private func validateDeclarations(_ scope: TenderScope, attachedTo: Set<String>, _ v: inout ProblemCollector) {
        for requirement in scope.requirements(for: subSegments) {
            let path = "declarations.\(requirement.code)"
            guard let declaration = declarations[requirement.code] else {
                v.add(path, "verklaar of u voldoet aan ‘\(requirement.name)’")
                continue
            }
            if case .inProgress = declaration.status, !requirement.proofMayFollow {
                v.add(path, "voor ‘\(requirement.name)’ moet het bewijs bij inschrijving aanwezig zijn")
            }
            if declaration.evidence.isBlank && !attachedTo.contains("requirement:\(requirement.code)") {
                v.add(path, "geef bewijs voor ‘\(requirement.name)’: een toelichting of een bijlage")
            }
        }
    }
}
