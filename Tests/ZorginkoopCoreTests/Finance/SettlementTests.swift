import Foundation
import Testing
@testable import ZorginkoopCore

private func euros(_ text: String) -> Money { Money(euros: text)! }
private func d(_ text: String) -> Decimal { Decimal(string: text)! }

@Suite("Money in whole cents")
struct MoneyTests {
    @Test("Euros are read exactly, to the cent, and nothing finer; written for files and for Dutch pages")
    func reading() {
        #expect(Money(euros: "1200000.00")?.cents == 120_000_000)
        #expect(Money(euros: "-12.5")?.cents == -1250)
        #expect(Money(euros: "12.345") == nil)
        #expect(Money(euros: "1.200.000,00") == nil)
        #expect(Money(euros: d("4.74"))?.cents == 474)
        #expect(Money(cents: 120_000_050).dutch == "€ 1.200.000,50")
        #expect(Money(cents: -1250).dutch == "-€ 12,50")
        #expect(Money(cents: 5).euros == "0.05")
    }

    @Test("A percentage is rounded once, half away from zero, to the cent")
    func percent() {
        #expect(Money(cents: 333).percent(50) == Money(cents: 167))     // 166.5 → 167
        #expect(Money(cents: -333).percent(50) == Money(cents: -167))
        #expect(Money(cents: 100_000).percent(d("62.5")) == Money(cents: 62_500))
    }

    @Test("Twelve advances add up to the budget, the cents left over in the last months")
    func advances() {
        let parts = euros("1000.00").parts(12)  // 100000 / 12 = 8333 rest 4
        #expect(parts.prefix(8).allSatisfy { $0.cents == 8333 } && parts.suffix(4).allSatisfy { $0.cents == 8334 })
        #expect(parts.reduce(Money.zero, +) == euros("1000.00"))
        #expect(Money(cents: -100).parts(12).reduce(Money.zero, +) == Money(cents: -100))
    }

    @Test("Sharing by a key adds up exactly; the left-over cent goes to the largest remainder")
    func sharing() {
        let shares = Money(cents: 100).shared(by: ["a": 1, "b": 1, "c": 1])  // 33.33… each, one cent left: to a
        #expect(shares == ["a": Money(cents: 34), "b": Money(cents: 33), "c": Money(cents: 33)])
        let byClients = euros("1255000.00").shared(by: ["doetinchem": 2, "aalten": 1])
        #expect(byClients == ["doetinchem": euros("836666.67"), "aalten": euros("418333.33")])
        #expect(Money(cents: 1).shared(by: ["a": 0, "b": 3]) == ["a": .zero, "b": Money(cents: 1)])
    }
}

/// The lump-sum settlement of FINANCE.md, by hand: budget € 1,200,000, band ± 5 % (€ 60,000),
/// 75 % of an underspending returned, 50 % of an overspending paid.
@Suite("The year-end settlement of a lump sum")
struct SettlementTests {
    static func year(realised: String, valve: String = "0", outside: SettlementTerms.Outside = .excess, advances: String? = nil) -> LumpSumYear {
        LumpSumYear(provider: "Stichting Het Anker", year: 2023, budget: euros("1200000"), realised: euros(realised), valve: euros(valve),
                    advancesPaid: advances.map(euros), terms: SettlementTerms(band: 5, outside: outside, underspendReturned: 75, overspendPaid: 50))
    }

    @Test("Inside the band nothing is settled, up to the band's edge itself")
    func insideBand() {
        for realised in ["1230000", "1260000", "1140000"] {
            let s = Settlement(Self.year(realised: realised))
            #expect(s.outcome == .withinBand && s.settlement == .zero && s.total == euros("1200000") && s.balance == .zero, "\(realised)")
        }
    }

    @Test("Overspending beyond the band: half of the € 40,000 outside it is paid, € 20,000")
    func overspent() {
        let s = Settlement(Self.year(realised: "1300000"))
        #expect(s.deviation == euros("100000") && s.bandAmount == euros("60000"))
        #expect(s.outcome == .overspent && s.shared == euros("40000") && s.settlement == euros("20000"))
        #expect(s.total == euros("1220000") && s.balance == euros("20000"))
    }

    @Test("Underspending beyond the band: 75 % of the € 60,000 outside it is paid back, € 45,000")
    func underspent() {
        let s = Settlement(Self.year(realised: "1080000"))
        #expect(s.deviation == euros("-120000"))
        #expect(s.outcome == .underspent && s.shared == euros("60000") && s.settlement == euros("-45000"))
        #expect(s.total == euros("1155000") && s.balance == euros("-45000"))
    }

    @Test("Outside the band, the terms may share the whole deviation: half of € 100,000, or 75 % of € 120,000")
    func wholeDeviation() {
        #expect(Settlement(Self.year(realised: "1300000", outside: .whole)).settlement == euros("50000"))
        #expect(Settlement(Self.year(realised: "1080000", outside: .whole)).settlement == euros("-90000"))
    }

    @Test("The safety valve pays complex and crisis care in full, outside the budget and the band")
    func valve() {
        let s = Settlement(Self.year(realised: "1230000", valve: "35000", advances: "1100000"))
        #expect(s.outcome == .withinBand)
        #expect(s.total == euros("1235000"))
        #expect(s.balance == euros("135000"), "eleven advances paid: € 1,235,000 − € 1,100,000")
    }

    @Test("Bad terms and amounts are named by their path")
    func problems() {
        var year = Self.year(realised: "1")
        year.provider = " "
        year.budget = .zero
        year.terms.band = 60
        year.terms.overspendPaid = 120
        year.costSharing = CostSharingKey(basis: .clients, weights: ["aalten": -1])
        #expect(year.problems().map(\.path) == ["provider", "budget", "terms.band", "terms.overspendPaid", "costSharing.weights.aalten"])
    }
}
