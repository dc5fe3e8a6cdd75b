import Foundation

/// A party to a contract, or one who delivers under it. The lead is always a registered
/// organisation (its id); combination members and subcontractors are known by their KvK number
/// and, when they have an account, by their organisation id too.
public struct ContractParty: Codable, Hashable, Sendable {
    public enum Role: String, Codable, Hashable, Sendable, CaseIterable {
        /// The provider, or the lead of a combination: signs and answers for the contract.
        case lead
        /// A member of the combination: signs too.
        case member
        /// Delivers under the lead's responsibility; not a party to the contract.
        case subcontractor

        public var dutch: String {
            switch self {
            case .lead: "hoofdaannemer"
            case .member: "combinant"
            case .subcontractor: "onderaannemer"
            }
        }
    }

    public var role: Role
    public var organisation: String?
    public var name: String
    public var kvkNumber: String?

    public init(role: Role, organisation: String?, name: String, kvkNumber: String?) {
        self.role = role
        self.organisation = organisation
        self.name = name
        self.kvkNumber = kvkNumber
    }
}

/// Where a contract comes from.
public enum ContractSource: String, Codable, Hashable, Sendable, CaseIterable {
    /// The final award of a European tender in the product.
    case award
    /// A waiting-room call-up during the contract period.
    case callUp
    /// A private tender (onderhandse aanbesteding), entered by an officer.
    case privateTender

    public var dutch: String {
        switch self {
        case .award: "gunning"
        case .callUp: "oproep uit de wachtkamer"
        case .privateTender: "onderhandse aanbesteding"
        }
    }
}

/// The state of a contract on a day, from its terms, its start gate and a termination.
public enum ContractStatus: String, Codable, Hashable, Sendable, CaseIterable {
    /// Signed; not started (before its start, or its quality-mark proof is still open).
    case signed
    case running
    /// Running, extended for at least one municipality.
    case extended
    /// Running, past the notice date of its last end with no further extension possible or decided.
    case ending
    case ended
    case terminated

    public var dutch: String {
        switch self {
        case .signed: "getekend"
        case .running: "lopend"
        case .extended: "verlengd"
        case .ending: "loopt af"
        case .ended: "beëindigd"
        case .terminated: "ontbonden"
        }
    }
}

/// A requirement whose proof was still open when the contract was made (the quality mark). The
/// contract may not start until an officer accepts it.
public struct StartProof: Codable, Hashable, Sendable {
    public var requirement: String
    public var name: String
    public var due: CalendarDate
    public var acceptedOn: CalendarDate?
    public var acceptedBy: String?

    public init(requirement: String, name: String, due: CalendarDate, acceptedOn: CalendarDate? = nil, acceptedBy: String? = nil) {
        self.requirement = requirement
        self.name = name
        self.due = due
        self.acceptedOn = acceptedOn
        self.acceptedBy = acceptedBy
    }

    public var isOpen: Bool { acceptedOn == nil }
}

/// Whether the provider may deliver (and be paid) under the contract on a day.
public enum StartGate: Hashable, Sendable {
    case mayStart
    /// Proof open, its due date not passed.
    case mayNotStart(open: [StartProof])
    /// Proof open after its due date: flagged; the contract cannot become running.
    case overdue(open: [StartProof])

    public var allowsDelivery: Bool { self == .mayStart }

    public var dutch: String {
        switch self {
        case .mayStart: "mag starten"
        case let .mayNotStart(open): "mag niet starten: bewijs open voor " + open.map { "\($0.name) (uiterlijk \($0.due.dutch))" }.joined(separator: ", ")
        case let .overdue(open): "mag niet starten, bewijs te laat: " + open.map { "\($0.name) (was uiterlijk \($0.due.dutch))" }.joined(separator: ", ")
        }
    }
}

/// A contract in the register: its identity, parties, sub-segments, a term per municipality,
/// capacity, its start proofs and the numbered amendments that changed it.
public struct RegisteredContract: Codable, Hashable, Sendable {
    public var number: String
    public var source: ContractSource
    /// The tender's code in the product; for a private tender the officer's reference.
    public var tender: String
    public var bid: String?
    public var segment: String
    public var title: String
    public var parties: [ContractParty]
    public var subSegments: [String]
    /// The tender's term table (start, lengths, the maximum end); each municipality's own end is in `terms`.
    public var term: ContractTerm
    /// The day the contract starts; a call-up starts later than the tender's term.
    public var start: CalendarDate
    public var terms: [MunicipalTerm]
    /// Places per sub-segment and municipality, from the bid.
    public var capacity: [String: [String: Int]]
    public var proofs: [StartProof]
    public var terminatedOn: CalendarDate?

    public init(number: String, source: ContractSource, tender: String, bid: String?, segment: String, title: String,
                parties: [ContractParty], subSegments: [String], term: ContractTerm, start: CalendarDate, terms: [MunicipalTerm],
                capacity: [String: [String: Int]] = [:], proofs: [StartProof] = [], terminatedOn: CalendarDate? = nil) {
        self.number = number
        self.source = source
        self.tender = tender
        self.bid = bid
        self.segment = segment
        self.title = title
        self.parties = parties
        self.subSegments = subSegments
        self.term = term
        self.start = start
        self.terms = terms
        self.capacity = capacity
        self.proofs = proofs
        self.terminatedOn = terminatedOn
    }

    public var lead: ContractParty? { parties.first { $0.role == .lead } }
    public var municipalities: [String] { terms.map(\.municipality) }
    /// The last day the contract runs for any municipality.
    public var currentEnd: CalendarDate { terms.map(\.end).max() ?? term.initialEnd }

    public func term(of municipality: String) -> MunicipalTerm? { terms.first { $0.municipality == municipality } }

    /// The extensions a municipality has left under the term table, to the day of the maximum end.
    public func extensionsLeft(_ municipality: String) -> Int {
        guard let t = term(of: municipality) else { return 0 }
        var left = 0
        var used = t.extensionsUsed
        while used < term.maxExtensions, term.end(afterExtensions: used + 1) <= term.maxEnd {
            used += 1
            left += 1
        }
        return left
    }

    public func startGate(on day: CalendarDate) -> StartGate {
        let open = proofs.filter(\.isOpen)
        if open.isEmpty { return .mayStart }
        return open.contains { day > $0.due } ? .overdue(open: open) : .mayNotStart(open: open)
    }

    public func isActive(in municipality: String, on day: CalendarDate) -> Bool {
        guard let t = term(of: municipality), terminatedOn.map({ day < $0 }) ?? true else { return false }
        return day >= start && day <= t.end
    }

    public func status(on day: CalendarDate, notice: NoticePolicy = NoticePolicy()) -> ContractStatus {
        if let terminatedOn, day >= terminatedOn { return .terminated }
        if day > currentEnd { return .ended }
        if day < start || !startGate(on: day).allowsDelivery { return .signed }
        let running = terms.filter { day <= $0.end }
        let endingAll = running.allSatisfy { t in day > notice.noticeDate(forEnd: t.end) }
        if endingAll { return .ending }
        return terms.contains { $0.extensionsUsed > 0 } ? .extended : .running
    }

    /// The contract from a final award or call-up: one term per municipality served, all ending at
    /// the term table's initial end.
    public init(_ contract: Contract, source: ContractSource, title: String, lead: ContractParty, members: [ContractParty],
                subcontractors: [ContractParty], capacity: [String: [String: Int]], proofs: [StartProof], term: ContractTerm) {
        self.init(number: contract.number, source: source, tender: contract.tender, bid: contract.bid, segment: contract.segment,
                  title: title, parties: [lead] + members + subcontractors, subSegments: contract.subSegments, term: term,
                  start: contract.start,
                  terms: contract.municipalities.map { MunicipalTerm(municipality: $0, end: contract.initialEnd, extensionsUsed: 0) },
                  capacity: capacity, proofs: proofs)
    }
}
