import Foundation

/// The yearly indexation agreed up front (the VNG method, `docs/finance.md`): each year's index is
/// the weighted provisional index for the year plus a correction of last year's weighted
/// provisional index against its final value. How the correction is taken, how it is combined and
/// when it is rounded differ between publications, so each is a parameter.
public struct IndexationMethod: Codable, Hashable, Sendable {
    public enum Correction: String, Codable, CaseIterable, Sendable {
        /// `(1 + final) / (1 + provisional) − 1`.
        case ratio
        /// `final − provisional`.
        case difference
    }

    public enum Combination: String, Codable, CaseIterable, Sendable {
        /// `provisional + correction`.
        case add
        /// `(1 + provisional) × (1 + correction) − 1`.
        case compound
    }

    public enum Rounding: String, Codable, CaseIterable, Sendable {
        /// The weighted provisional index and the correction to two decimals each, before combining.
        case components
        /// Only the index.
        case result
    }

    /// Weight per sub-index (e.g. OVA 90, PCC 10), summing to 100.
    public var weights: [String: Int]
    public var correction: Correction
    public var combination: Combination
    public var rounding: Rounding

    public init(weights: [String: Int], correction: Correction = .ratio, combination: Combination = .add, rounding: Rounding = .components) {
        self.weights = weights
        self.correction = correction
        self.combination = combination
        self.rounding = rounding
    }

    /// Youth care, contract standard CS Jeugd (VNG 2022): 90 % wages (OVA), 10 % material costs (PCC).
    public static let csJeugd = IndexationMethod(weights: ["OVA": 90, "PCC": 10])

    public func problems() -> [Problem] {
        var v = ProblemCollector()
        if weights.isEmpty { v.add("weights", "geef ten minste één deelindex met zijn gewicht (zoals OVA 90, PCC 10)") }
        for (code, weight) in weights.sorted(by: { $0.key < $1.key }) where !(0...100).contains(weight) {
            v.add("weights.\(code)", "een gewicht ligt tussen 0 en 100 (niet \(weight))")
        }
        let total = weights.values.reduce(0, +)
        if !weights.isEmpty && total != 100 { v.add("weights", "de gewichten tellen op tot \(total), niet tot 100") }
        return v.problems
    }
}

/// The published figures of one sub-index for one year, in percent.
public struct SubIndexFigures: Codable, Hashable, Sendable {
    public var provisional: Decimal?
    public var final: Decimal?

    public init(provisional: Decimal? = nil, final: Decimal? = nil) {
        self.provisional = provisional
        self.final = final
    }
}

/// One year's index and how it came about, in percent.
public struct YearIndex: Hashable, Sendable {
    public var year: Int
    /// The weighted provisional index of the year, rounded when the method rounds components.
    public var provisional: Decimal
    /// The correction over the previous year (0 in the first contract year's successor).
    public var correction: Decimal
    public var index: Decimal
    /// Unrounded weighted figures, for the explanation.
    public var weightedProvisional: Decimal
    public var weightedPreviousProvisional: Decimal?
    public var weightedPreviousFinal: Decimal?
}

public enum Indexation {
    /// Two decimals, half away from zero: 6.295 → 6.30, −1.605 → −1.61.
    public static func round2(_ value: Decimal) -> Decimal { value.rounded(2) }

    /// The weighted figure of a year, or nil when a sub-index lacks it.
    static func weighted(_ figures: [String: SubIndexFigures]?, _ method: IndexationMethod, _ pick: (SubIndexFigures) -> Decimal?) -> Decimal? {
        guard let figures else { return nil }
        var sum = Decimal(0)
        for (code, weight) in method.weights {
            guard let value = figures[code].flatMap(pick) else { return nil }
            sum += value * Decimal(weight) / 100
        }
        return sum
    }

    /// Every year that can be computed, in order; a year needs its own provisional figures and, unless
    /// it follows the first contract year (a contract at that year's prices is not corrected over
    /// it), the previous year's provisional and final figures.
    public static func years(_ method: IndexationMethod, figures: [Int: [String: SubIndexFigures]], firstContractYear: Int? = nil) -> [YearIndex] {
        figures.keys.sorted().compactMap { year in
            guard let provisional = weighted(figures[year], method, \.provisional) else { return nil }
            if let first = firstContractYear, year <= first { return nil }
            let uncorrected = firstContractYear == year - 1
            let previousProvisional = weighted(figures[year - 1], method, \.provisional)
            let previousFinal = weighted(figures[year - 1], method, \.final)
            let correction: Decimal
            if uncorrected {
                correction = 0
            } else {
                guard let p = previousProvisional, let f = previousFinal else { return nil }
                correction = switch method.correction {
                case .ratio: (100 + f) / (100 + p) * 100 - 100
                case .difference: f - p
                }
            }
            let (prov, corr) = method.rounding == .components ? (round2(provisional), round2(correction)) : (provisional, correction)
            let combined = switch method.combination {
            case .add: prov + corr
            case .compound: (100 + prov) * (100 + corr) / 100 - 100
            }
            return YearIndex(year: year, provisional: prov, correction: corr, index: round2(combined), weightedProvisional: provisional,
                             weightedPreviousProvisional: previousProvisional, weightedPreviousFinal: previousFinal)
        }
    }
}

/// The figures file of `zorginkoop indexation` (`docs/finance.md`): the method, optionally the
/// first contract year, and per year the published figures of each sub-index in percent.
public struct IndexationFile: Decodable, Sendable {
    public var method: IndexationMethod
    public var firstContractYear: Int?
    public var figures: [Int: [String: SubIndexFigures]]

    enum CodingKeys: String, CodingKey { case weights, correction, combination, rounding, firstContractYear, years }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        method = IndexationMethod(weights: try c.decode([String: Int].self, forKey: .weights),
                                  correction: try c.decodeIfPresent(IndexationMethod.Correction.self, forKey: .correction) ?? .ratio,
                                  combination: try c.decodeIfPresent(IndexationMethod.Combination.self, forKey: .combination) ?? .add,
                                  rounding: try c.decodeIfPresent(IndexationMethod.Rounding.self, forKey: .rounding) ?? .components)
        firstContractYear = try c.decodeIfPresent(Int.self, forKey: .firstContractYear)
        let years = try c.decode([String: [String: SubIndexFigures]].self, forKey: .years)
        var figures: [Int: [String: SubIndexFigures]] = [:]
        for (key, value) in years {
            guard key.count == 4, let year = Int(key), (1900...2200).contains(year) else {
                throw DecodingError.dataCorrupted(.init(codingPath: [CodingKeys.years], debugDescription: "'\(key)' is geen jaartal (zoals \"2024\")"))
            }
            figures[year] = value
        }
        self.figures = figures
    }

    /// Every problem with its path: the weights, and figures that are absurd or of an unknown sub-index.
    public func problems() -> [Problem] {
        var v = ProblemCollector()
        for p in method.problems() { v.add(p.path, p.message) }
        for (year, subIndices) in figures.sorted(by: { $0.key < $1.key }) {
            for (code, f) in subIndices.sorted(by: { $0.key < $1.key }) {
                let path = "years.\(year).\(code)"
                if method.weights[code] == nil {
                    v.add(path, "deelindex '\(code)' heeft geen gewicht (gewichten: \(method.weights.keys.sorted().joined(separator: ", ")))")
                }
                for (field, value) in [("provisional", f.provisional), ("final", f.final)] {
                    if let value, !(-50...100).contains(value) {
                        v.add("\(path).\(field)", "een index in procenten ligt tussen -50 en 100 (niet \(value))")
                    }
                }
            }
        }
        if figures.isEmpty { v.add("years", "geef de gepubliceerde cijfers van ten minste één jaar") }
        return v.problems
    }
}
