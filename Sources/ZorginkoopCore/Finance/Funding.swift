import Foundation

/// What a segment's funding model needs, as design data (`docs/finance.md`): products with their
/// tariffs per year (effort-based, P×Q), arrangements with their declaration moments
/// (output-based), or a budget per year (task-based).
public struct SegmentFunding: Codable, Hashable, Sendable {
    public var products: [FundedProduct]
    public var arrangements: [Arrangement]
    /// Task-based: the segment's budget per calendar year ("2026").
    public var budgets: [String: Money]

    public init(products: [FundedProduct] = [], arrangements: [Arrangement] = [], budgets: [String: Money] = [:]) {
        self.products = products
        self.arrangements = arrangements
        self.budgets = budgets
    }

    enum CodingKeys: String, CodingKey { case products, arrangements, budgets }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        products = try c.decodeIfPresent([FundedProduct].self, forKey: .products) ?? []
        arrangements = try c.decodeIfPresent([Arrangement].self, forKey: .arrangements) ?? []
        budgets = try c.decodeIfPresent([String: Money].self, forKey: .budgets) ?? [:]
    }
}

/// The unit of a product (iStandaarden code list WJ756).
public enum ProductUnit: String, Codable, CaseIterable, Sendable {
    case minute = "01", hour = "04", etmaal = "14", dagdeel = "16", piecesOutput = "82", euros = "83", piecesEffort = "84"

    public var dutchName: String {
        switch self {
        case .minute: "minuut"
        case .hour: "uur"
        case .etmaal: "etmaal"
        case .dagdeel: "dagdeel"
        case .piecesOutput: "stuks (output)"
        case .euros: "euro's"
        case .piecesEffort: "stuks (inspanning)"
        }
    }
}

/// A product of the iJw/iWmo product list, with its unit and its tariff per unit per year.
public struct FundedProduct: Codable, Hashable, Sendable {
    /// Product category, two digits (e.g. 45: jeugdhulp ambulant).
    public var category: String
    /// Product code, five characters.
    public var code: String
    public var name: String
    public var unit: ProductUnit
    /// The tariff per unit per calendar year ("2026"): the year's tariff, already rounded to the cent.
    public var tariffs: [String: Money]

    public init(category: String, code: String, name: String, unit: ProductUnit, tariffs: [String: Money]) {
        self.category = category
        self.code = code
        self.name = name
        self.unit = unit
        self.tariffs = tariffs
    }
}

/// An output-based arrangement: a profile at an intensity for a fixed amount, declared in parts.
public struct Arrangement: Codable, Hashable, Sendable {
    public struct Moment: Codable, Hashable, Sendable {
        /// When this part may be declared, e.g. "start" or "einde".
        public var moment: String
        public var percent: Int

        public init(moment: String, percent: Int) {
            self.moment = moment
            self.percent = percent
        }
    }

    public var code: String
    public var profile: String
    public var intensity: String
    public var amount: Money
    /// The parts of the amount and when each is declared; the percentages sum to 100.
    public var moments: [Moment]

    public init(code: String, profile: String, intensity: String, amount: Money, moments: [Moment]) {
        self.code = code
        self.profile = profile
        self.intensity = intensity
        self.amount = amount
        self.moments = moments
    }
}

extension SegmentFunding {
    /// Every problem with its path under `path` (the segment's `funding`), given the segment's model.
    func validate(for model: FundingModel, at path: String, _ v: inout ProblemCollector) {
        switch model {
        case .effortBased, .priceTimesQuantity:
            if products.isEmpty { v.add("\(path).products", "\(model.dutchName.lowercased()) bekostigen vraagt producten met hun tarief per jaar") }
        case .outputBased:
            if arrangements.isEmpty { v.add("\(path).arrangements", "outputgericht bekostigen vraagt arrangementen met hun bedrag en declaratiemomenten") }
        case .taskBased:
            if budgets.isEmpty { v.add("\(path).budgets", "taakgericht bekostigen vraagt een budget per jaar") }
        }
        v.requireUnique(products.map(\.code), path: { "\(path).products[\($0)].code" }, what: "Product")
        for (i, p) in products.enumerated() {
            let at = "\(path).products[\(i)]"
            if p.category.count != 2 || !p.category.allSatisfy(\.isASCIIDigit) {
                v.add("\(at).category", "een productcategorie bestaat uit twee cijfers (niet '\(p.category)')")
            }
            if p.code.count != 5 || !p.code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
                v.add("\(at).code", "een productcode bestaat uit vijf letters of cijfers (niet '\(p.code)')")
            }
            if model == .effortBased && p.unit == .piecesOutput {
                v.add("\(at).unit", "eenheid 82 (stuks output) hoort bij outputgericht bekostigen, niet bij inspanningsgericht")
            }
            if p.tariffs.isEmpty { v.add("\(at).tariffs", "geef het tarief van ten minste één jaar") }
            Self.validateYears(p.tariffs, at: "\(at).tariffs", what: "een tarief", &v)
        }
        v.requireUnique(arrangements.map(\.code), path: { "\(path).arrangements[\($0)].code" }, what: "Arrangement")
        for (i, a) in arrangements.enumerated() {
            let at = "\(path).arrangements[\(i)]"
            if a.amount.cents <= 0 { v.add("\(at).amount", "het bedrag van een arrangement is groter dan 0") }
            if a.moments.isEmpty { v.add("\(at).moments", "geef ten minste één declaratiemoment (zoals 40 % bij de start en 60 % aan het einde)") }
            for (j, m) in a.moments.enumerated() where !(1...100).contains(m.percent) {
                v.add("\(at).moments[\(j)].percent", "een deel ligt tussen 1 en 100 % (niet \(m.percent))")
            }
            let total = a.moments.map(\.percent).reduce(0) { $0 + min(max($1, 0), 100) }
            if !a.moments.isEmpty && total != 100 { v.add("\(at).moments", "de declaratiemomenten tellen op tot \(total) %, niet tot 100 %") }
        }
        Self.validateYears(budgets, at: "\(path).budgets", what: "een budget", &v)
    }

    private static func validateYears(_ amounts: [String: Money], at path: String, what: String, _ v: inout ProblemCollector) {
        for (year, amount) in amounts.sorted(by: { $0.key < $1.key }) {
            if year.count != 4 || Int(year).map({ (1900...2200).contains($0) }) != true {
                v.add("\(path).\(year)", "'\(year)' is geen jaartal")
            } else if amount.cents <= 0 {
                v.add("\(path).\(year)", "\(what) is groter dan 0")
            }
        }
    }
}
