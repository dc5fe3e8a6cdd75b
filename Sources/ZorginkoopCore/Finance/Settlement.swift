import Foundation

/// The year-end settlement of a lump sum (task-based funding, `docs/finance.md`). No public
/// source gives the formulas, so every part is a parameter: the tolerance band, whether the
/// shares apply to the whole deviation or only to what lies outside the band, the shares of
/// under- and overspending, the safety valve, and the key by which the municipalities share the
/// cost.
public struct SettlementTerms: Codable, Hashable, Sendable {
    public enum Outside: String, Codable, CaseIterable, Sendable {
        /// Only the part of the deviation beyond the band is shared (the band is a deductible).
        case excess
        /// Once outside the band, the whole deviation is shared.
        case whole
    }

    /// Within ± this percentage of the budget nothing is settled.
    public var band: Decimal
    public var outside: Outside
    /// The share of the underspending (beyond the band, or whole) the provider pays back, in percent.
    public var underspendReturned: Decimal
    /// The share of the overspending (beyond the band, or whole) the municipalities pay, in percent.
    public var overspendPaid: Decimal

    public init(band: Decimal, outside: Outside = .excess, underspendReturned: Decimal, overspendPaid: Decimal) {
        self.band = band
        self.outside = outside
        self.underspendReturned = underspendReturned
        self.overspendPaid = overspendPaid
    }

    enum CodingKeys: String, CodingKey { case band, outside, underspendReturned, overspendPaid }

    /// `outside` may be left out: the band is then a deductible (`excess`).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        band = try c.decode(Decimal.self, forKey: .band)
        outside = try c.decodeIfPresent(Outside.self, forKey: .outside) ?? .excess
        underspendReturned = try c.decode(Decimal.self, forKey: .underspendReturned)
        overspendPaid = try c.decode(Decimal.self, forKey: .overspendPaid)
    }

    public func problems(at path: String = "") -> [Problem] {
        var v = ProblemCollector()
        for (field, value, high) in [("band", band, Decimal(50)), ("underspendReturned", underspendReturned, 100), ("overspendPaid", overspendPaid, 100)]
        where !(0...high).contains(value) {
            v.add(path + field, "een percentage van 0 tot en met \(high) (niet \(value))")
        }
        return v.problems
    }
}

/// How the municipalities share the cost, and by what: clients, inhabitants or actual use.
public struct CostSharingKey: Codable, Hashable, Sendable {
    public enum Basis: String, Codable, CaseIterable, Sendable {
        case clients, inhabitants, use
    }

    public var basis: Basis
    /// The weight of each municipality (its clients, inhabitants, or euros of use).
    public var weights: [String: Decimal]

    public init(basis: Basis, weights: [String: Decimal]) {
        self.basis = basis
        self.weights = weights
    }
}

/// One provider's lump sum for one year and what happened.
public struct LumpSumYear: Codable, Hashable, Sendable {
    public var provider: String
    public var year: Int
    /// The negotiated budget B.
    public var budget: Money
    /// The provider's realised cost within the task, without the cases under the safety valve.
    public var realised: Money
    /// Complex and crisis care under the safety valve: paid in full, outside the budget.
    public var valve: Money
    /// The advances paid so far; by default twelve of B/12.
    public var advancesPaid: Money?
    public var terms: SettlementTerms
    public var costSharing: CostSharingKey?

    public init(provider: String, year: Int, budget: Money, realised: Money, valve: Money = .zero, advancesPaid: Money? = nil,
                terms: SettlementTerms, costSharing: CostSharingKey? = nil) {
        self.provider = provider
        self.year = year
        self.budget = budget
        self.realised = realised
        self.valve = valve
        self.advancesPaid = advancesPaid
        self.terms = terms
        self.costSharing = costSharing
    }

    enum CodingKeys: String, CodingKey { case provider, year, budget, realised, valve, advancesPaid, terms, costSharing }

    /// `valve`, `advancesPaid` and `costSharing` may be left out: no valve, twelve advances of B/12, no key.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        provider = try c.decode(String.self, forKey: .provider)
        year = try c.decode(Int.self, forKey: .year)
        budget = try c.decode(Money.self, forKey: .budget)
        realised = try c.decode(Money.self, forKey: .realised)
        valve = try c.decodeIfPresent(Money.self, forKey: .valve) ?? .zero
        advancesPaid = try c.decodeIfPresent(Money.self, forKey: .advancesPaid)
        terms = try c.decode(SettlementTerms.self, forKey: .terms)
        costSharing = try c.decodeIfPresent(CostSharingKey.self, forKey: .costSharing)
    }

    public func problems() -> [Problem] {
        var v = ProblemCollector()
        if provider.isBlank { v.add("provider", "vul de aanbieder in") }
        if !(1900...2200).contains(year) { v.add("year", "'\(year)' is geen jaartal") }
        if budget.cents <= 0 { v.add("budget", "het budget is groter dan 0") }
        if realised.cents < 0 { v.add("realised", "de realisatie is niet negatief") }
        if valve.cents < 0 { v.add("valve", "het bedrag onder het ventiel is niet negatief") }
        if let advancesPaid, advancesPaid.cents < 0 { v.add("advancesPaid", "de betaalde voorschotten zijn niet negatief") }
        for p in terms.problems(at: "terms.") { v.add(p.path, p.message) }
        if let key = costSharing {
            if key.weights.isEmpty { v.add("costSharing.weights", "geef per gemeente haar gewicht") }
            for (m, w) in key.weights.sorted(by: { $0.key < $1.key }) where w < 0 {
                v.add("costSharing.weights.\(m)", "een gewicht is niet negatief (niet \(w))")
            }
            if !key.weights.isEmpty && key.weights.values.allSatisfy({ $0 == 0 }) {
                v.add("costSharing.weights", "ten minste één gemeente heeft een gewicht groter dan 0")
            }
        }
        return v.problems
    }
}

/// The settlement, every step written out.
public struct Settlement: Hashable, Sendable {
    public enum Outcome: String, Hashable, Sendable {
        case withinBand, overspent, underspent
    }

    public var input: LumpSumYear
    public var monthlyAdvances: [Money]
    public var bandAmount: Money
    /// realised − budget: positive is overspending.
    public var deviation: Money
    public var outcome: Outcome
    /// The part of the deviation the shares apply to.
    public var shared: Money
    /// Positive: the municipalities pay the provider; negative: the provider pays back.
    public var settlement: Money
    /// What the year costs: budget + settlement + valve.
    public var total: Money
    public var advancesPaid: Money
    /// total − advances paid: positive is still to pay to the provider.
    public var balance: Money
    /// The year's cost per municipality by the key, adding up to `total` exactly.
    public var perMunicipality: [String: Money]

    public init(_ year: LumpSumYear) {
        input = year
        monthlyAdvances = year.budget.parts(12)
        bandAmount = year.budget.percent(year.terms.band)
        deviation = year.realised - year.budget
        if deviation.magnitude <= bandAmount {
            outcome = .withinBand
            shared = .zero
            settlement = .zero
        } else {
            outcome = deviation.cents > 0 ? .overspent : .underspent
            let beyond = year.terms.outside == .excess ? deviation.magnitude - bandAmount : deviation.magnitude
            shared = beyond
            settlement = outcome == .overspent ? beyond.percent(year.terms.overspendPaid) : -beyond.percent(year.terms.underspendReturned)
        }
        let total = year.budget + settlement + year.valve
        self.total = total
        advancesPaid = year.advancesPaid ?? year.budget
        balance = total - advancesPaid
        perMunicipality = year.costSharing.map { total.shared(by: $0.weights) } ?? [:]
    }
}
