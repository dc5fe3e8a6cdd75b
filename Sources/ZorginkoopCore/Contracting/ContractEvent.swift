import Foundation

/// One step in a contract's history, as the contract page lists it.
public struct ContractEvent: Codable, Hashable, Sendable {
    public enum Kind: String, Codable, Hashable, Sendable, CaseIterable {
        case created, extended, notExtended, proofAccepted, amendment, terminated

        public var dutch: String {
            switch self {
            case .created: "aangemaakt"
            case .extended: "verlengd"
            case .notExtended: "niet verlengd"
            case .proofAccepted: "bewijs geaccepteerd"
            case .amendment: "wijziging"
            case .terminated: "ontbonden"
            }
        }
    }

    public var kind: Kind
    public var municipality: String?
    /// The number of an amendment (1, 2, …) within its contract.
    public var amendment: Int?
    public var at: Date
    public var by: String
    public var summary: String
    public var reason: String

    public init(kind: Kind, municipality: String? = nil, amendment: Int? = nil, at: Date, by: String, summary: String, reason: String = "") {
        self.kind = kind
        self.municipality = municipality
        self.amendment = amendment
        self.at = at
        self.by = by
        self.summary = summary
        self.reason = reason
    }
}
