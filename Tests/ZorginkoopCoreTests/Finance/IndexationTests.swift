import Foundation
import Testing
@testable import ZorginkoopCore

/// The VNG indexation of FINANCE.md: the 2024 vector, every variant of the method, and the
/// first-contract-year rule. The expected figures are computed by hand in the comments.
/// An exact decimal: a floating-point literal would not be (4.74 is 4.7400000000000002 as a Double).
private func d(_ text: String) -> Decimal { Decimal(string: text)! }

@Suite("Indexation by the VNG method")
struct IndexationTests {
    /// VNG, indexation 2024: OVA and PCC, provisional and final 2023, provisional 2024.
    static let vng2024: [Int: [String: SubIndexFigures]] = [
        2023: ["OVA": SubIndexFigures(provisional: d("4.74"), final: d("6.36")), "PCC": SubIndexFigures(provisional: d("4.87"), final: d("7.02"))],
        2024: ["OVA": SubIndexFigures(provisional: d("4.94")), "PCC": SubIndexFigures(provisional: d("2.51"))],
    ]

    static func index2024(_ correction: IndexationMethod.Correction, _ combination: IndexationMethod.Combination,
                          _ rounding: IndexationMethod.Rounding) throws -> YearIndex {
        let method = IndexationMethod(weights: ["OVA": 90, "PCC": 10], correction: correction, combination: combination, rounding: rounding)
        let years = Indexation.years(method, figures: vng2024)
        #expect(years.map(\.year) == [2024], "2023 has no previous year to correct")
        return try #require(years.first)
    }

    @Test("The published vector: weighted 4.753, 6.426 and 4.697; correction 1.597 as a ratio; VNG's 6.30 from components rounded to 4.70 and 1.60")
    func publishedVector() throws {
        let y = try Self.index2024(.ratio, .add, .components)
        #expect(y.weightedPreviousProvisional == Decimal(string: "4.753"))  // 0.9 × 4.74 + 0.1 × 4.87
        #expect(y.weightedPreviousFinal == Decimal(string: "6.426"))        // 0.9 × 6.36 + 0.1 × 7.02
        #expect(y.weightedProvisional == Decimal(string: "4.697"))          // 0.9 × 4.94 + 0.1 × 2.51
        #expect(y.provisional == Decimal(string: "4.70"))
        #expect(y.correction == Decimal(string: "1.6"))                     // 106.426 / 104.753 − 1 = 1.597 %
        #expect(y.index == Decimal(string: "6.3"))
    }

    @Test("Every variant of the method, computed by hand",
          arguments: [
              // ratio 1.59709…, difference 6.426 − 4.753 = 1.673
              (IndexationMethod.Correction.ratio, IndexationMethod.Combination.add, IndexationMethod.Rounding.result, "6.29"),  // 4.697 + 1.59709 = 6.29409
              (.ratio, .compound, .components, "6.38"),      // 1.047 × 1.016 − 1 = 6.3752 %
              (.ratio, .compound, .result, "6.37"),          // 1.04697 × 1.0159709 − 1 = 6.3691 %
              (.difference, .add, .components, "6.37"),      // 4.70 + 1.67
              (.difference, .add, .result, "6.37"),          // 4.697 + 1.673 = 6.370
              (.difference, .compound, .components, "6.45"), // 1.047 × 1.0167 − 1 = 6.44849 %
              (.difference, .compound, .result, "6.45"),     // 1.04697 × 1.01673 − 1 = 6.448581 %
          ])
    func variants(_ correction: IndexationMethod.Correction, _ combination: IndexationMethod.Combination,
                  _ rounding: IndexationMethod.Rounding, _ expected: String) throws {
        #expect(try Self.index2024(correction, combination, rounding).index == Decimal(string: expected))
    }

    @Test("A contract at 2023's prices gets 2024's provisional index without a correction over 2023, and nothing for 2023 itself")
    func firstContractYear() {
        let years = Indexation.years(.csJeugd, figures: Self.vng2024, firstContractYear: 2023)
        #expect(years.map(\.year) == [2024])
        #expect(years.first?.correction == 0)
        #expect(years.first?.index == Decimal(string: "4.7"))
        var later = Self.vng2024
        later[2024]?["OVA"]?.final = d("5.10")
        later[2024]?["PCC"]?.final = d("2.51")
        later[2025] = ["OVA": SubIndexFigures(provisional: d("3.00")), "PCC": SubIndexFigures(provisional: d("2.00"))]
        let next = Indexation.years(.csJeugd, figures: later, firstContractYear: 2023)
        // 2025: provisional 0.9 × 3 + 0.1 × 2 = 2.90; 2024 weighted final 0.9 × 5.10 + 0.1 × 2.51 = 4.841
        // against 4.697: 104.841 / 104.697 − 1 = 0.1375… % → 0.14; index 3.04.
        #expect(next.map(\.year) == [2024, 2025])
        #expect(next.last?.correction == Decimal(string: "0.14"))
        #expect(next.last?.index == Decimal(string: "3.04"))
    }

    @Test("A year without all its figures is not computed")
    func missingFigures() {
        var figures = Self.vng2024
        figures[2023]?["PCC"]?.final = nil
        #expect(Indexation.years(.csJeugd, figures: figures).isEmpty)
        figures[2024]?["PCC"] = nil
        #expect(Indexation.years(.csJeugd, figures: figures, firstContractYear: 2023).isEmpty)
    }

    @Test("Rounding is half away from zero, to two decimals, also below zero")
    func rounding() {
        #expect(Indexation.round2(Decimal(string: "6.295")!) == Decimal(string: "6.3"))
        #expect(Indexation.round2(Decimal(string: "6.2949")!) == Decimal(string: "6.29"))
        #expect(Indexation.round2(Decimal(string: "-1.605")!) == Decimal(string: "-1.61"))
        // A negative correction (the final index below the provisional) is kept as it is.
        let method = IndexationMethod(weights: ["OVA": 100], correction: .difference)
        let years = Indexation.years(method, figures: [2023: ["OVA": SubIndexFigures(provisional: d("3"), final: d("1.395"))],
                                                       2024: ["OVA": SubIndexFigures(provisional: d("2"))]])
        #expect(years.first?.correction == Decimal(string: "-1.61"))
        #expect(years.first?.index == Decimal(string: "0.39"))
    }

    @Test("Weights must be 0–100 each and sum to 100")
    func weights() {
        #expect(IndexationMethod.csJeugd.problems().isEmpty)
        #expect(IndexationMethod(weights: ["OVA": 90, "PCC": 20]).problems().map(\.message) == ["de gewichten tellen op tot 110, niet tot 100"])
        #expect(IndexationMethod(weights: ["OVA": 120, "PCC": -20]).problems().map(\.path) == ["weights.OVA", "weights.PCC"])
        #expect(IndexationMethod(weights: [:]).problems().map(\.path) == ["weights"])
    }
}
