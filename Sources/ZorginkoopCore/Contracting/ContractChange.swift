import Foundation

/// A provider's request to add or remove a subcontractor, decided by an officer.
public struct SubcontractorRequest: Codable, Hashable, Sendable {
    public enum Kind: String, Codable, Hashable, Sendable, CaseIterable {
        case add, remove

        public var dutch: String {
            switch self {
            case .add: "toevoegen"
            case .remove: "verwijderen"
            }
        }
    }

    public enum State: String, Codable, Hashable, Sendable, CaseIterable {
        case pending, approved, refused

        public var dutch: String {
            switch self {
            case .pending: "in behandeling"
            case .approved: "goedgekeurd"
            case .refused: "afgewezen"
            }
        }
    }

    /// 1, 2, … within its contract.
    public var number: Int
    public var kind: Kind
    public var name: String
    public var kvkNumber: String
    public var reason: String
    public var requestedBy: String
    public var requestedAt: Date
    public var state: State
    public var decidedBy: String?
    public var decidedAt: Date?
    public var decisionReason: String

    public init(number: Int, kind: Kind, name: String, kvkNumber: String, reason: String, requestedBy: String, requestedAt: Date,
                state: State = .pending, decidedBy: String? = nil, decidedAt: Date? = nil, decisionReason: String = "") {
        self.number = number
        self.kind = kind
        self.name = name
        self.kvkNumber = kvkNumber
        self.reason = reason
        self.requestedBy = requestedBy
        self.requestedAt = requestedAt
        self.state = state
        self.decidedBy = decidedBy
        self.decidedAt = decidedAt
        self.decisionReason = decisionReason
    }
}

public enum ContractChangeError: Error, Equatable, Sendable, CustomStringConvertible {
    case problems([Problem])
    case alreadyDecided(number: Int, state: SubcontractorRequest.State)
    case unknownRequest(Int)
    case terminated(CalendarDate)

    public var description: String {
        switch self {
        case let .problems(list): list.map(\.message).joined(separator: "; ")
        case let .alreadyDecided(number, state): "Verzoek \(number) is al \(state.dutch)."
        case let .unknownRequest(number): "Verzoek \(number) bestaat niet bij deze overeenkomst."
        case let .terminated(day): "De overeenkomst is op \(day.dutch) ontbonden; er kan niets meer worden gewijzigd."
        }
    }
}

/// A numbered change of a contract: who, when, why and what.
public struct ContractAmendment: Hashable, Sendable {
    public var number: Int
    public var summary: String
    public var reason: String
    public var by: String
    public var at: Date

    public var event: ContractEvent {
        ContractEvent(kind: .amendment, amendment: number, at: at, by: by, summary: "Wijziging \(number): \(summary)", reason: reason)
    }
}

extension RegisteredContract {
    /// The next amendment's number: one more than the last in the contract's history.
    public static func nextAmendment(after events: [ContractEvent]) -> Int { (events.compactMap(\.amendment).max() ?? 0) + 1 }

    /// A provider's request, checked: a valid KvK number, a reason, an addition not already a party
    /// and a removal of a subcontractor that is one.
    public func requestSubcontractor(_ kind: SubcontractorRequest.Kind, name: String, kvkNumber: String, reason: String, number: Int,
                                     by: String, at: Date) throws(ContractChangeError) -> SubcontractorRequest {
        if let terminatedOn { throw .terminated(terminatedOn) }
        var problems: [Problem] = []
        let kvk = Registration.normalised(kvkNumber)
        if let p = Registration.kvkProblem(kvk) { problems.append(Problem("kvkNumber", p)) }
        if reason.isBlank { problems.append(Problem("reason", "geef de reden van het verzoek")) }
        let subcontractor = parties.first { $0.role == .subcontractor && $0.kvkNumber == kvk }
        switch kind {
        case .add:
            if name.isBlank { problems.append(Problem("name", "geef de naam van de onderaannemer")) }
            if problems.isEmpty, parties.contains(where: { $0.kvkNumber == kvk }) {
                problems.append(Problem("kvkNumber", "KvK-nummer \(kvk) is al partij of onderaannemer bij deze overeenkomst"))
            }
        case .remove:
            if problems.isEmpty, subcontractor == nil {
                problems.append(Problem("kvkNumber", "KvK-nummer \(kvk) is geen onderaannemer bij deze overeenkomst"))
            }
        }
        guard problems.isEmpty else { throw .problems(problems) }
        return SubcontractorRequest(number: number, kind: kind, name: kind == .remove ? (subcontractor?.name ?? name) : name.trimmingCharacters(in: .whitespaces),
                                    kvkNumber: kvk, reason: reason.trimmingCharacters(in: .whitespacesAndNewlines), requestedBy: by, requestedAt: at)
    }

    /// An officer approves (the parties change, a numbered amendment) or refuses (with a reason) a
    /// pending request; once.
    public mutating func decide(_ request: SubcontractorRequest, approve: Bool, reason: String, amendment: Int, by: String,
                                at: Date) throws(ContractChangeError) -> (SubcontractorRequest, ContractAmendment?) {
        if let terminatedOn { throw .terminated(terminatedOn) }
        guard request.state == .pending else { throw .alreadyDecided(number: request.number, state: request.state) }
        var decided = request
        decided.decidedBy = by
        decided.decidedAt = at
        decided.decisionReason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard approve else {
            guard !decided.decisionReason.isEmpty else { throw .problems([Problem("decisionReason", "geef de reden van de afwijzing")]) }
            decided.state = .refused
            return (decided, nil)
        }
        decided.state = .approved
        switch request.kind {
        case .add:
            parties.append(ContractParty(role: .subcontractor, organisation: nil, name: request.name, kvkNumber: request.kvkNumber))
        case .remove:
            parties.removeAll { $0.role == .subcontractor && $0.kvkNumber == request.kvkNumber }
        }
        let summary = "onderaannemer \(request.name) (KvK \(request.kvkNumber)) \(request.kind == .add ? "toegevoegd" : "verwijderd") op verzoek \(request.number)"
        return (decided, ContractAmendment(number: amendment, summary: summary, reason: request.reason, by: by, at: at))
    }

    /// A change of the contracted places of one sub-segment in one municipality: a numbered
    /// amendment with its reason; the only way capacity changes after the award.
    public mutating func changeCapacity(subSegment: String, municipality: String, places: Int?, reason: String, amendment: Int, by: String,
                                        at: Date) throws(ContractChangeError) -> ContractAmendment {
        if let terminatedOn { throw .terminated(terminatedOn) }
        var problems: [Problem] = []
        if !subSegments.contains(subSegment) { problems.append(Problem("subSegment", "deelsegment '\(subSegment)' hoort niet bij deze overeenkomst")) }
        if !municipalities.contains(municipality) { problems.append(Problem("municipality", "gemeente '\(municipality)' hoort niet bij deze overeenkomst")) }
        if places == nil || places! < 0 || places! > 100_000 { problems.append(Problem("places", "geef het aantal plaatsen als een heel getal van 0 of meer")) }
        if reason.isBlank { problems.append(Problem("reason", "geef de reden van de wijziging")) }
        guard problems.isEmpty, let places else { throw .problems(problems) }
        let old = capacity[subSegment]?[municipality] ?? 0
        capacity[subSegment, default: [:]][municipality] = places
        return ContractAmendment(number: amendment, summary: "capaciteit \(subSegment) in \(municipality) van \(old) naar \(places) plaatsen",
                                 reason: reason.trimmingCharacters(in: .whitespacesAndNewlines), by: by, at: at)
    }
}

extension RegisteredContract {
    /// A municipality joins the contract (its term runs as the longest-running municipality's,
    /// without places until capacity is amended) or leaves it early (its term ends on `endOn`, not
    /// before `day` and before its current end): a numbered amendment with its reason.
    public mutating func changeMunicipality(join: Bool, municipality: String, region: [String], endOn: CalendarDate?, on day: CalendarDate,
                                            reason: String, amendment: Int, by: String, at: Date) throws(ContractChangeError) -> ContractAmendment {
        if let terminatedOn { throw .terminated(terminatedOn) }
        var problems: [Problem] = []
        if reason.isBlank { problems.append(Problem("reason", "geef de reden van de wijziging")) }
        if join {
            if !region.contains(municipality) { problems.append(Problem("municipality", "gemeente '\(municipality)' hoort niet bij de regio")) }
            else if municipalities.contains(municipality) { problems.append(Problem("municipality", "gemeente '\(municipality)' hoort al bij deze overeenkomst")) }
        } else if let current = term(of: municipality) {
            if let endOn {
                if endOn < day || endOn >= current.end {
                    problems.append(Problem("endOn", "kies een einddatum van \(day.dutch) tot vóór het huidige einde \(current.end.dutch)"))
                }
            } else {
                problems.append(Problem("endOn", "geef de datum waarop de overeenkomst voor deze gemeente eindigt (dd-mm-jjjj)"))
            }
        } else {
            problems.append(Problem("municipality", "gemeente '\(municipality)' hoort niet bij deze overeenkomst"))
        }
        guard problems.isEmpty else { throw .problems(problems) }
        let summary: String
        if join {
            let longest = terms.max { $0.end < $1.end }
            terms.append(MunicipalTerm(municipality: municipality, end: longest?.end ?? term.initialEnd, extensionsUsed: longest?.extensionsUsed ?? 0))
            summary = "gemeente \(municipality) toegevoegd, looptijd tot en met \((longest?.end ?? term.initialEnd).dutch)"
        } else {
            let i = terms.firstIndex { $0.municipality == municipality }!
            summary = "gemeente \(municipality) eindigt op \(endOn!.dutch) in plaats van \(terms[i].end.dutch)"
            terms[i].end = endOn!
        }
        return ContractAmendment(number: amendment, summary: summary, reason: reason.trimmingCharacters(in: .whitespacesAndNewlines), by: by, at: at)
    }
}
