import Foundation

extension ContractedProduct {
    /// The register's contracts with their segment's funded products, flattened for the check: one
    /// entry per contract × municipality × product (`docs/finance.md`, "Which contract pays").
    /// `agbCodes` gives a provider organisation's AGB code by its id; a contract whose lead has none
    /// cannot be declared against and is left out (`ContractedProduct.unpayable` names them).
    public static func from(_ contracts: [RegisteredContract], design: Design, agbCodes: [String: String]) -> [ContractedProduct] {
        contracts.flatMap { contract -> [ContractedProduct] in
            guard let organisation = contract.lead?.organisation, let agb = agbCodes[organisation],
                  let products = design.segment(contract.segment)?.funding?.products else { return [] }
            return contract.terms.flatMap { term -> [ContractedProduct] in
                guard let municipality = design.municipality(term.municipality)?.municipalityCode else { return [] }
                let to = min(term.end, contract.terminatedOn.map { $0.adding(days: -1) } ?? term.end)
                return products.map { product in
                    ContractedProduct(contract: contract.number, provider: agb, municipality: municipality, segment: contract.segment,
                                      category: product.category, code: product.code, unit: product.unit, from: contract.start, to: to,
                                      deliveryFrom: contract.deliveryFrom, tariffs: product.tariffsByYear,
                                      crisis: design.segment(contract.segment)?.isCrisis ?? false)
                }
            }
        }
    }

    /// The contracts that `from` leaves out, with the reason, for the finance page.
    public static func unpayable(_ contracts: [RegisteredContract], design: Design, agbCodes: [String: String]) -> [(contract: String, reason: String)] {
        contracts.compactMap { contract in
            if design.segment(contract.segment)?.funding?.products.isEmpty ?? true {
                return (contract.number, "het segment \(contract.segment) heeft geen producten met tarieven in het ontwerp")
            }
            guard let organisation = contract.lead?.organisation, agbCodes[organisation] != nil else {
                return (contract.number, "de hoofdaannemer heeft geen AGB-code in Zorginkoop")
            }
            return nil
        }
    }
}

extension RegisteredContract {
    /// The first day the quality-mark gate lets the provider deliver and be paid: the start, or the
    /// day the last start proof was accepted when that is later; nil while a proof is open.
    public var deliveryFrom: CalendarDate? {
        guard !proofs.contains(where: \.isOpen) else { return nil }
        return ([start] + proofs.compactMap(\.acceptedOn)).max()
    }
}

extension Municipality {
    /// The four-digit municipality code of the iStandaarden messages: the CBS code without `GM`.
    public var municipalityCode: String? {
        let digits = cbsCode.uppercased().hasPrefix("GM") ? String(cbsCode.dropFirst(2)) : cbsCode
        return digits.count == 4 && digits.allSatisfy(\.isASCIIDigit) ? digits : nil
    }
}

extension Design {
    /// The design's municipality for a four-digit code from a message.
    public func municipality(messageCode: String) -> Municipality? {
        region.municipalities.first { $0.municipalityCode == messageCode }
    }
}

extension Segment {
    /// Crisis care is always paid, also above a ceiling (`docs/finance.md`). A segment is crisis
    /// care when its code or name says so: the designs have no separate flag.
    public var isCrisis: Bool { code.uppercased().hasPrefix("CRI") || name.lowercased().contains("crisis") }
}

extension FundedProduct {
    public var tariffsByYear: [Int: Money] {
        Dictionary(uniqueKeysWithValues: tariffs.compactMap { year, money in Int(year).map { ($0, money) } })
    }
}

/// A municipality's budget for one segment in one calendar year, set by its finance consultant.
public struct Budget: Codable, Hashable, Sendable {
    public var year: Int
    /// The design's municipality code (`doetinchem`).
    public var municipality: String
    public var segment: String
    public var amount: Money

    public init(year: Int, municipality: String, segment: String, amount: Money) {
        self.year = year
        self.municipality = municipality
        self.segment = segment
        self.amount = amount
    }

    /// What is wrong with it against the design, by field.
    public func problems(in design: Design) -> [Problem] {
        var v = ProblemCollector()
        if !(2000...2100).contains(year) { v.add("year", "'\(year)' is geen begrotingsjaar") }
        if design.municipality(municipality) == nil { v.add("municipality", "'\(municipality)' is geen gemeente van de regio") }
        if design.segment(segment) == nil { v.add("segment", "'\(segment)' is geen segment van het ontwerp") }
        if amount.cents <= 0 { v.add("amount", "een budget is groter dan € 0,00") }
        return v.problems
    }
}

/// Spend against a budget or a ceiling in one year: spent so far, the forecast to 31 December,
/// and what that means.
public struct SpendStatus: Codable, Hashable, Sendable {
    public var limit: Money
    public var spent: Money
    public var forecast: Money

    public init(limit: Money, spent: Money, forecast: Money) {
        self.limit = limit
        self.spent = spent
        self.forecast = forecast
    }

    /// In whole percents, rounded down (69.99 % is not 70 %).
    public var percentSpent: Int { limit.cents > 0 ? spent.cents * 100 / limit.cents : 0 }
    public var forecastOver: Bool { forecast > limit }
    public var remaining: Money { limit - spent }
}

/// The money of one year, from the approved spend per cell and month: per municipality × segment
/// against its budget, per provider against its ceiling, with the 70 % alerts (`docs/finance.md`).
public struct YearSpend: Sendable {
    public struct BudgetRow: Sendable, Hashable {
        public var municipality: String
        public var segment: String
        public var budget: Money?
        public var byMonth: [Int: Money]
        public var status: SpendStatus?
        public var spent: Money
        public var forecast: Money
    }

    public struct CeilingRow: Sendable, Hashable {
        public var ceiling: Ceiling
        public var status: SpendStatus
        public var alwaysPaid: Money
        public var alert: CeilingAlert?
    }

    public var year: Int
    /// The last month with declarations counted (the forecast runs from it).
    public var through: YearMonth?
    public var budgets: [BudgetRow]
    public var ceilings: [CeilingRow]
    /// Approved spend per month over all cells shown.
    public var byMonth: [Int: Money]

    /// `spend` is keyed by message municipality codes (four digits) and AGB codes; budgets by the
    /// design's municipality codes. `firstSeen` gives, per ceiling, the day its alert was first
    /// seen, so the dates of the alert do not move with each visit.
    public init(year: Int, spend: [SpendCellKey: [YearMonth: CellSpend]], design: Design, budgets: [Budget], ceilings: [Ceiling],
                through: YearMonth?, today: CalendarDate, firstSeen: [Ceiling: CalendarDate] = [:]) {
        self.year = year
        self.through = through
        let cells = spend.mapValues { $0.filter { $0.key.year == year } }
        func designCode(_ messageCode: String) -> String { design.municipality(messageCode: messageCode)?.code ?? messageCode }
        var perBudget: [Pair: [Int: Money]] = [:]
        var total: [Int: Money] = [:]
        for (key, months) in cells {
            let pair = Pair(municipality: designCode(key.municipality), segment: key.segment)
            for (month, s) in months {
                perBudget[pair, default: [:]][month.month, default: .zero] += s.approved
                total[month.month, default: .zero] += s.approved
            }
        }
        byMonth = total
        let set = Dictionary(budgets.filter { $0.year == year }.map { (Pair(municipality: $0.municipality, segment: $0.segment), $0.amount) },
                             uniquingKeysWith: { a, _ in a })
        let pairs = Set(perBudget.keys).union(set.keys).sorted { ($0.municipality, $0.segment) < ($1.municipality, $1.segment) }
        self.budgets = pairs.map { pair in
            let months = perBudget[pair] ?? [:]
            let spent = months.values.reduce(.zero, +)
            let forecast = Self.forecast(months, year: year, through: through)
            return BudgetRow(municipality: pair.municipality, segment: pair.segment, budget: set[pair], byMonth: months,
                             status: set[pair].map { SpendStatus(limit: $0, spent: spent, forecast: forecast) }, spent: spent, forecast: forecast)
        }
        self.ceilings = ceilings.filter { $0.year == year }.map { ceiling in
            var months: [Int: Money] = [:]
            var always = Money.zero
            for (key, ms) in cells where key.provider == ceiling.provider && (ceiling.municipality == nil || designCode(key.municipality) == ceiling.municipality) {
                for (m, s) in ms {
                    months[m.month, default: .zero] += s.approved
                    always += s.alwaysPaid
                }
            }
            // Care that is always paid does not count toward the ceiling.
            let counted = months.values.reduce(.zero, +) - always
            let forecast = Self.forecast(months, year: year, through: through) - always
            let status = SpendStatus(limit: ceiling.amount, spent: counted, forecast: forecast)
            return CeilingRow(ceiling: ceiling, status: status, alwaysPaid: always,
                              alert: CeilingAlert(ceiling: ceiling, spent: counted, forecast: forecast, alwaysPaid: always, seenOn: firstSeen[ceiling] ?? today))
        }
    }

    struct Pair: Hashable { var municipality: String, segment: String }

    static func forecast(_ months: [Int: Money], year: Int, through: YearMonth?) -> Money {
        guard let through else { return months.values.reduce(.zero, +) }
        return Monitoring.forecast(Dictionary(uniqueKeysWithValues: months.map { (YearMonth(year: year, month: $0.key), $0.value) }),
                                   year: year, through: through)
    }
}
