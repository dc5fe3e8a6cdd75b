import Foundation
import Testing
@testable import ZorginkoopCore

private func d(_ text: String) -> Decimal { Decimal(string: text)! }

@Suite("The cost-price build-up of a tariff")
struct TariffBuildUpTests {
    /// FINANCE.md's published example for youth support: wage € 24.68 (FWG 45), productivity 80 %,
    /// overhead 20 %, tariff € 38.00 including margin. It gives no surcharges or social charges (we
    /// take the € 24.68 as the full cost of an hour) and no risk surcharge: 38.00 / 37.02 implies 2.65 %.
    static let published = TariffBuildUp(product: "45A48", year: 2026, wages: [.init(scale: "FWG 45", step: 0, hourlyWage: Money(cents: 2468))],
                                         productivity: 80, overhead: 20, risk: d("2.65"))

    @Test("The published example: € 24.68 / 80 % = € 30.85 per client hour, + 20 % = € 37.02 cost price, + 2.65 % = € 38.00")
    func publishedExample() {
        let s = Self.published.steps
        #expect(s.perClientHour == d("30.85"))
        #expect(s.costPrice == d("37.02"))
        #expect(s.tariff == Money(cents: 3800))  // 37.02 × 1.0265 = 38.00103
        #expect(Self.published.problems().isEmpty)
    }

    @Test("Every parameter counts, in order, and the tariff is rounded once at the end")
    func fullBuildUp() {
        // A mix of steps: 60 % at € 20.00 and 40 % at € 25.00 → € 22.00.
        // Surcharges 8 % holiday pay + 5 % irregular hours + 8.33 % year-end bonus = 21.33 % → 26.6926.
        // Social charges 25 % → 33.36575. Productivity 75 % → 44.4876666…
        // Overhead 15 % → 51.16081666…; risk 3 % → 52.6956411666… → € 52.70.
        let b = TariffBuildUp(product: "45A49", year: 2026,
                              wages: [.init(scale: "FWG 50", step: 3, hourlyWage: Money(cents: 2000), share: 60),
                                      .init(scale: "FWG 50", step: 7, hourlyWage: Money(cents: 2500), share: 40)],
                              holidayPay: 8, irregularHours: 5, yearEndBonus: d("8.33"), socialCharges: 25, productivity: 75, overhead: 15, risk: 3)
        let s = b.steps
        #expect(s.wage == 22)
        #expect(s.withSurcharges == d("26.6926"))
        #expect(s.employerCost == d("33.36575"))
        #expect(s.tariff == Money(cents: 5270))
        // Rounding each step to the cent first would give 44.49 → 51.16 → 52.69: a cent less.
        #expect(Money(roundingEuros: d("51.16") * d("1.03")) == Money(cents: 5269))
    }

    @Test("Bad parameters are named by their path")
    func problems() {
        var b = Self.published
        b.wages = [.init(scale: "FWG 45", step: 0, hourlyWage: .zero, share: 90)]
        b.productivity = 0
        b.risk = 80
        #expect(b.problems().map(\.path) == ["wages[0].hourlyWage", "wages", "risk", "productivity"])
    }
}
