import Foundation
import Testing
@testable import ZorginkoopCore
import ZorginkoopCatalog

private func isoDay(_ text: String) -> CalendarDate { CalendarDate(iso: text)! }

@Suite("Finance in the contract period: what the register pays for, budgets, ceilings")
struct BudgetTests {
    static func contract(_ number: String, segment: String, lead: String?, proofs: [StartProof] = [], terminatedOn: CalendarDate? = nil) -> RegisteredContract {
        let term = ContractTerm(start: isoDay("2026-01-01"), initialEnd: isoDay("2027-12-31"), initialTermMonths: 24, extensionMonths: 12,
                                maxExtensions: 2, maxTotalMonths: 48, maxEnd: isoDay("2029-12-31"))
        return RegisteredContract(number: number, source: .award, tender: "T", bid: nil, segment: segment, title: "t",
                                  parties: [ContractParty(role: .lead, organisation: lead, name: "A", kvkNumber: "12345678")],
                                  subSegments: [], term: term, start: term.start,
                                  terms: [MunicipalTerm(municipality: "doetinchem", end: term.initialEnd, extensionsUsed: 0),
                                          MunicipalTerm(municipality: "aalten", end: isoDay("2028-12-31"), extensionsUsed: 1)],
                                  proofs: proofs, terminatedOn: terminatedOn)
    }

    @Test("A contract pays each funded product of its segment in each of its municipalities, by the four-digit code, at the design's tariff per year; crisis care is always paid; the quality-mark gate and a termination bound it")
    func flattening() throws {
        let design = try Catalog.bundledDesign("achterhoek-2026")
        let agb = ["org-a": "12345678"]
        let open = StartProof(requirement: "HKZ", name: "Keurmerk", due: isoDay("2026-04-01"))
        var accepted = open
        accepted.acceptedOn = isoDay("2026-03-10")
        let products = ContractedProduct.from([
            Self.contract("C1", segment: "CRI", lead: "org-a", proofs: [accepted], terminatedOn: isoDay("2027-07-01")),
            Self.contract("C2", segment: "WON", lead: "org-a", proofs: [open]),
            Self.contract("C3", segment: "AJ-SPEC", lead: "org-a"),
            Self.contract("C4", segment: "CRI", lead: "org-b"),
        ], design: design, agbCodes: agb)
        let c1 = products.filter { $0.contract == "C1" }
        #expect(c1.count == 4, "two products in two municipalities")
        #expect(Set(c1.map(\.municipality)) == ["0222", "0197"])
        let doetinchem = try #require(c1.first { $0.municipality == "0222" && $0.code == "CRI01" })
        #expect(doetinchem.tariffs == [2026: Money(cents: 11850), 2027: Money(cents: 12597)])
        #expect(doetinchem.crisis && doetinchem.unit == .hour && doetinchem.provider == "12345678")
        #expect(doetinchem.deliveryFrom == isoDay("2026-03-10"), "paid from the day the last proof was accepted")
        #expect(doetinchem.to == isoDay("2027-06-30"), "not after the termination")
        let c2 = products.filter { $0.contract == "C2" }
        #expect(c2.count == 6 && c2.allSatisfy { $0.deliveryFrom == nil && !$0.crisis }, "an open proof: behind the gate")
        #expect(products.filter { $0.contract == "C3" || $0.contract == "C4" }.isEmpty)
        let unpayable = ContractedProduct.unpayable([Self.contract("C3", segment: "AJ-SPEC", lead: "org-a"), Self.contract("C4", segment: "CRI", lead: "org-b")],
                                                    design: design, agbCodes: agb)
        #expect(unpayable.map(\.contract) == ["C3", "C4"])
        #expect(unpayable[1].reason.contains("AGB-code"))
    }

    @Test("A budget names a municipality and segment of the design and an amount above zero")
    func budgetProblems() throws {
        let design = try Catalog.bundledDesign("achterhoek-2026")
        #expect(Budget(year: 2026, municipality: "doetinchem", segment: "CRI", amount: Money(cents: 1)).problems(in: design).isEmpty)
        let bad = Budget(year: 1900, municipality: "utrecht", segment: "X", amount: .zero).problems(in: design)
        #expect(bad.map(\.path) == ["year", "municipality", "segment", "amount"])
    }

    @Test("The year's spend: per municipality × segment against its budget with the forecast; per provider against its ceiling, always-paid care not counted, the alert from the day it was first seen")
    func yearSpend() throws {
        let design = try Catalog.bundledDesign("achterhoek-2026")
        func cell(_ approved: Int, always: Int = 0) -> CellSpend {
            var s = CellSpend()
            s.approved = Money(cents: approved)
            s.alwaysPaid = Money(cents: always)
            return s
        }
        let won = SpendCellKey(municipality: "0222", segment: "WON", provider: "11111111")
        let cri = SpendCellKey(municipality: "0222", segment: "CRI", provider: "11111111")
        let spend: [SpendCellKey: [YearMonth: CellSpend]] = [
            won: [YearMonth(year: 2026, month: 1): cell(30_000), YearMonth(year: 2026, month: 2): cell(40_000), YearMonth(year: 2025, month: 12): cell(99_999)],
            cri: [YearMonth(year: 2026, month: 2): cell(10_000, always: 10_000)],
        ]
        let budgets = [Budget(year: 2026, municipality: "doetinchem", segment: "WON", amount: Money(cents: 360_000))]
        let ceiling = Ceiling(provider: "11111111", year: 2026, annual: Money(cents: 100_000))
        let year = YearSpend(year: 2026, spend: spend, design: design, budgets: budgets, ceilings: [ceiling], through: YearMonth(year: 2026, month: 2),
                             today: isoDay("2026-03-05"), firstSeen: [ceiling: isoDay("2026-03-01")])
        let row = try #require(year.budgets.first { $0.segment == "WON" })
        #expect(row.municipality == "doetinchem" && row.spent == Money(cents: 70_000))
        // 70,000 over two months: 35,000 a month for ten more.
        #expect(row.forecast == Money(cents: 420_000) && row.status?.forecastOver == true && row.status?.percentSpent == 19)
        #expect(year.budgets.first { $0.segment == "CRI" }?.budget == nil, "spend without a budget is still shown")
        #expect(year.byMonth == [1: Money(cents: 30_000), 2: Money(cents: 50_000)])
        let c = try #require(year.ceilings.first)
        #expect(c.alwaysPaid == Money(cents: 10_000) && c.status.spent == Money(cents: 70_000), "crisis care does not count toward the ceiling")
        #expect(c.alert?.percentSpent == 70 && c.alert?.noticeOn == isoDay("2026-03-01") && c.alert?.consultationBy == isoDay("2026-03-15"))
    }

    @Test("Example declarations: valid BSNs, distinct per seed and client; each message one month, lines at the contract's tariff except the faults asked for")
    func exampleDeclarations() throws {
        let numbers = (0..<100_000).map(BSN.example)
        #expect(numbers.allSatisfy { BSN.isValid($0) })
        #expect(Set(numbers).count == numbers.count)
        let product = ContractedProduct(contract: "C", provider: "12345678", municipality: "0222", segment: "WON", category: "01", code: "WON01",
                                        unit: .etmaal, from: isoDay("2026-01-01"), to: isoDay("2027-12-31"), deliveryFrom: isoDay("2026-01-01"),
                                        tariffs: [2026: Money(cents: 18240)])
        var clean = ExampleDeclarations(clients: 30)
        clean.wrongTariff = 0; clean.uncontracted = 0; clean.secondDebit = 0
        let messages = clean.messages(for: [product], law: .wmo, from: YearMonth(year: 2026, month: 1), through: YearMonth(year: 2026, month: 3), seed: 3)
        #expect(messages.count == 3 && messages.allSatisfy { $0.lines.count == 30 })
        #expect(messages[1].lines[0].volume == 28 && messages[1].lines[0].amount == Money(cents: 28 * 18240), "an etmaal a day of February")
        var check = DeclarationCheck(contracts: [product], allocations: nil)
        let all = messages.flatMap { check.check($0) }
        #expect(all.allSatisfy { $0.approved })
        let faulty = ExampleDeclarations(clients: 500).messages(for: [product], law: .wmo, from: YearMonth(year: 2026, month: 1),
                                                               through: YearMonth(year: 2026, month: 1), seed: 4)[0]
        var second = DeclarationCheck(contracts: [product], allocations: nil)
        let verdicts = second.check(faulty)
        let rules = Set(verdicts.flatMap(\.rules))
        #expect(rules.contains(.tariffDiffers) && rules.contains(.notContracted))
        #expect(verdicts.filter(\.approved).count > 400)
    }
}
