import Foundation
import Testing
@testable import ZorginkoopCore

private func date(_ text: String) -> CalendarDate { CalendarDate(iso: text)! }
private func period(_ begin: String, _ end: String) -> DatePeriod { DatePeriod(date(begin), date(end)) }

/// The example of `../shared/istandaarden/jw/JW323.xml`: provider 65656055 declares April 2026 to
/// municipality 0384; its contract pays 45A03 at € 12.50 and 45A04 at € 15.00 an hour.
enum Example {
    static let provider = "65656055", municipality = "0384"

    static func contract(code: String, cents: Int, deliveryFrom: CalendarDate? = date("2026-01-01"), crisis: Bool = false,
                         tariffs: [Int: Money]? = nil) -> ContractedProduct {
        ContractedProduct(contract: "WMO-WON-2025-01", provider: provider, municipality: municipality, segment: "WON", category: "45",
                          code: code, unit: .hour, from: date("2026-01-01"), to: date("2029-12-31"), deliveryFrom: deliveryFrom,
                          tariffs: tariffs ?? [2026: Money(cents: cents), 2027: Money(cents: cents + 50)], crisis: crisis)
    }

    static let contracts = [contract(code: "45A03", cents: 1250), contract(code: "45A04", cents: 1500)]

    static func allocation(_ number: String, client: String, code: String?, volume: Int = 20, frequency: VolumeFrequency = .perMonth,
                           start: String = "2026-01-01", end: String? = "2026-12-31") -> Allocation {
        Allocation(number: number, client: client, municipality: municipality, provider: provider, category: "45", code: code,
                   unit: .hour, volume: volume, frequency: frequency, start: date(start), end: end.map(date))
    }

    static let allocations = [
        allocation("10072", client: "999900006", code: "45A03"),
        allocation("10073", client: "999900006", code: "45A04"),
        allocation("10074", client: "999900018", code: "45A03"),
    ]

    static func line(_ reference: String, client: String = "999900006", allocation: String = "10072", code: String = "45A03",
                     _ begin: String = "2026-04-01", _ end: String = "2026-04-30", volume: Int = 4, tariff: Int? = 1250,
                     amount: Int? = nil, direction: DebitCredit = .debit, previous: String? = nil) -> DeclarationLine {
        DeclarationLine(reference: reference, previousReference: previous, client: client, allocation: allocation, category: "45", code: code,
                        period: period(begin, end), volume: volume, unit: .hour, tariff: tariff.map { Money(cents: $0) },
                        amount: Money(cents: amount ?? volume * (tariff ?? 1250)), direction: direction)
    }

    static func declaration(_ lines: [DeclarationLine], number: String = "DN001", month: String = "2026-04") -> Declaration {
        let first = date(month + "-01")
        return Declaration(law: .jeugdwet, messageId: "765432198", messageDate: date("2026-05-06"), provider: provider, municipality: municipality,
                           number: number, period: DatePeriod(first, first.lastOfMonth), date: date("2026-05-06"),
                           total: lines.reduce(.zero) { $0 + $1.amount }, lines: lines)
    }

    /// The five lines of the example message, as it has them.
    static let jw323Lines = [
        line("RN001", allocation: "10072", code: "45A03", volume: 4, tariff: 1250),
        line("RN002", allocation: "10073", code: "45A04", volume: 16, tariff: 1500),
        line("RN003", client: "999900018", allocation: "10074", code: "45A03", volume: 4, tariff: 1250),
        line("RN004", client: "999900018", allocation: "10073", code: "45A04", volume: 16, tariff: 1500),
        line("RN004", client: "999900018", allocation: "10073", code: "45A04", "2026-03-01", "2026-03-31", volume: 14, tariff: 1500),
    ]
}

@Suite("Declarations: the volume rule and the calendar")
struct DeclarationCalendarTests {
    @Test("IV077: 3 hours a week from 7 October to 30 December 2025 allows 12, 15 and 15 hours a month and 39 in all")
    func weeklyVolume() {
        let a = Allocation(number: "1", client: "999900006", municipality: "0384", provider: "1", category: "45", code: "45A03", unit: .hour,
                           volume: 3, frequency: .perWeek, start: date("2025-10-07"), end: date("2025-12-30"))
        #expect(a.maximum(for: period("2025-10-07", "2025-10-31")) == 12)
        #expect(a.maximum(for: period("2025-11-01", "2025-11-30")) == 15)
        #expect(a.maximum(for: period("2025-12-01", "2025-12-30")) == 15)
        #expect(a.totalMaximum == 39)
        #expect(period("2025-10-07", "2025-12-30").isoWeeksTouched == 13)
    }

    @Test("Day numbers and dates convert both ways, across leap days and centuries")
    func dayNumbers() {
        #expect(date("1970-01-01").dayNumber == 0)
        #expect(date("2026-04-30").dayNumber - date("2026-04-01").dayNumber == 29)
        for text in ["1900-03-01", "2000-02-29", "2024-12-31", "2026-04-30", "2100-02-28", "1969-12-31"] {
            #expect(CalendarDate(dayNumber: date(text).dayNumber) == date(text))
        }
        #expect(DeclarationEngine.firstDay(ofMonth: Int32(YearMonth(year: 2026, month: 12).index + 1)) == Int32(date("2027-01-01").dayNumber))
    }

    @Test("Other frequencies: per day counts the days, per month the months, a total the whole allocation")
    func otherFrequencies() {
        func a(_ volume: Int, _ f: VolumeFrequency, end: String? = "2026-06-30") -> Allocation {
            Allocation(number: "1", client: "c", municipality: "m", provider: "p", category: "45", code: nil, unit: .etmaal, volume: volume,
                       frequency: f, start: date("2026-02-10"), end: end.map(date))
        }
        #expect(a(1, .perDay).maximum(for: period("2026-02-10", "2026-02-28")) == 19)
        #expect(a(10, .perMonth).maximum(for: period("2026-03-01", "2026-03-31")) == 10)
        #expect(a(10, .perMonth).totalMaximum == 50)
        #expect(a(40, .total).maximum(for: period("2026-03-01", "2026-03-31")) == nil)
        #expect(a(40, .total, end: nil).totalMaximum == 40)
        #expect(a(2, .perWeek, end: nil).totalMaximum == nil)
    }
}

@Suite("Declarations: each line checked against contract and allocation")
struct DeclarationCheckTests {
    private func verdicts(_ lines: [DeclarationLine], contracts: [ContractedProduct] = Example.contracts,
                          allocations: [Allocation]? = Example.allocations) -> [LineVerdict] {
        var check = DeclarationCheck(contracts: contracts, allocations: allocations)
        return check.check(Example.declaration(lines))
    }

    @Test("The example message: three lines paid; RN004 is on another client's allocation, and its reference comes twice")
    func exampleMessage() {
        let out = verdicts(Example.jw323Lines)
        #expect(Example.jw323Lines.reduce(0) { $0 + $1.amount.cents } == 79_000)
        #expect(out.map(\.approved) == [true, true, true, false, false])
        // RN004 in April uses allocation 10073, which is the other client's and was debited by RN002.
        #expect(out[3].rules == [.otherClient, .secondDebit])
        #expect(out[4].rules == [.duplicateReference, .otherClient])
        #expect(out[3].returnCodes == ["8187", "9389"])
        #expect(out[0].returnCodes == [] && out[0].contract == "WMO-WON-2025-01" && out[0].segment == "WON")
    }

    /// Each case breaks exactly one rule of a line that is otherwise paid.
    static let cases: [(DeclarationRule, DeclarationLine, [ContractedProduct]?, [Allocation]?)] = [
        (.periodNotOneMonth, Example.line("A", "2026-04-01", "2026-05-31", volume: 4), nil, nil),
        (.periodStartsTooLate, Example.line("A", "2026-04-02", "2026-04-30"), nil, nil),
        (.periodEndsTooEarly, Example.line("A", "2026-04-01", "2026-04-29"), nil, nil),
        (.amountNotVolumeTimesTariff, Example.line("A", volume: 4, tariff: 1250, amount: 5001), nil, nil),
        (.notContracted, Example.line("A", "2030-01-01", "2030-01-31"), nil,
         [Example.allocation("10072", client: "999900006", code: "45A03", start: "2026-01-01", end: nil)]),
        (.qualityMarkGate, Example.line("A"), [Example.contract(code: "45A03", cents: 1250, deliveryFrom: nil)], nil),
        (.tariffDiffers, Example.line("A", tariff: 1300), nil, nil),
        (.unknownAllocation, Example.line("A", allocation: "99999"), nil, nil),
        (.otherClient, Example.line("A", client: "999900018"), nil, nil),
        (.categoryDiffers, Example.line("A"), nil,
         [Allocation(number: "10072", client: "999900006", municipality: "0384", provider: Example.provider, category: "44", code: nil,
                     unit: .hour, volume: 20, frequency: .perMonth, start: date("2026-01-01"), end: date("2026-12-31"))]),
        (.codeDiffers, Example.line("A", allocation: "10073"), nil, nil),
        (.unitDiffers, Example.line("A"), nil,
         [Allocation(number: "10072", client: "999900006", municipality: "0384", provider: Example.provider, category: "45", code: "45A03",
                     unit: .minute, volume: 20, frequency: .perMonth, start: date("2026-01-01"), end: date("2026-12-31"))]),
        (.beginOutsideAllocation, Example.line("A", "2026-04-01", "2026-04-30"), nil,
         [Example.allocation("10072", client: "999900006", code: "45A03", start: "2026-04-10", end: "2026-12-31")]),
        (.volumeAbovePeriodMaximum, Example.line("A", volume: 21), nil, nil),
        (.volumeAboveAllocationTotal, Example.line("A", volume: 4), nil,
         [Example.allocation("10072", client: "999900006", code: "45A03", volume: 3, frequency: .total)]),
    ]

    @Test("Each rule fires on its own case and on nothing else")
    func eachRule() {
        #expect(verdicts([Example.line("A")]).first?.rules == [])
        for (rule, line, contracts, allocations) in Self.cases {
            let out = verdicts([line], contracts: contracts ?? Example.contracts, allocations: allocations ?? Example.allocations)
            #expect(out.first?.rules == [rule], "\(rule)")
        }
    }

    @Test("The product period ends outside the allocation when the allocation ended earlier in the month")
    func endOutsideAllocation() {
        let allocations = [Example.allocation("10072", client: "999900006", code: "45A03", start: "2026-01-01", end: "2026-04-15")]
        #expect(verdicts([Example.line("A", "2026-04-01", "2026-04-15")], allocations: allocations).first?.rules == [])
        #expect(verdicts([Example.line("A", "2026-04-01", "2026-04-30")], allocations: allocations).first?.rules == [.endOutsideAllocation])
    }

    @Test("One debit per allocation and month; a credit cancels it, after which a corrected debit is paid")
    func debitsAndCredits() {
        let out = verdicts([
            Example.line("A"),
            Example.line("B"),
            Example.line("C", direction: .credit, previous: "A"),
            Example.line("D", volume: 5),
            Example.line("E", direction: .credit, previous: "A"),
            Example.line("F", direction: .credit, previous: "X"),
            Example.line("G", direction: .credit),
        ])
        #expect(out.map(\.rules) == [[], [.secondDebit], [], [], [.alreadyCredited], [.creditWithoutDebit], [.creditWithoutDebit]])
    }

    @Test("The allocation's total counts what was approved before, minus what was credited")
    func totalOverTime() {
        let allocations = [Example.allocation("10072", client: "999900006", code: "45A03", volume: 10, frequency: .total)]
        let out = verdicts([
            Example.line("A", volume: 6),
            Example.line("B", "2026-05-01", "2026-05-31", volume: 6),
            Example.line("C", direction: .credit, previous: "A"),
            Example.line("D", "2026-05-01", "2026-05-31", volume: 6),
        ], allocations: allocations)
        #expect(out.map(\.rules) == [[], [.volumeAboveAllocationTotal], [], []])
    }

    @Test("The tariff is the contract's for the year of the product period; a later year has its own")
    func tariffPerYear() {
        let contracts = [Example.contract(code: "45A03", cents: 1250)]
        let allocations = [Example.allocation("10072", client: "999900006", code: "45A03", start: "2026-01-01", end: nil)]
        let jan2027 = Example.line("A", "2027-01-01", "2027-01-31", tariff: 1300)
        let wrong2027 = Example.line("B", "2027-02-01", "2027-02-28", tariff: 1250)
        #expect(verdicts([jan2027, wrong2027], contracts: contracts, allocations: allocations).map(\.rules) == [[], [.tariffDiffers]])
        let noTariff = Example.contract(code: "45A03", cents: 1250, tariffs: [2026: Money(cents: 1250)])
        #expect(verdicts([jan2027], contracts: [noTariff], allocations: allocations).first?.rules == [.tariffDiffers])
    }

    @Test("A line without a tariff is checked by its amount per unit")
    func lineWithoutTariff() {
        #expect(verdicts([Example.line("A", volume: 4, tariff: nil, amount: 5000)]).first?.rules == [])
        #expect(verdicts([Example.line("A", volume: 4, tariff: nil, amount: 5200)]).first?.rules == [.tariffDiffers])
    }

    @Test("Without the municipality's allocations the allocation rules are skipped; the contract rules still hold")
    func withoutAllocations() {
        let out = verdicts([Example.line("A", allocation: "99999"), Example.line("B", allocation: "99998", tariff: 1300)], allocations: nil)
        #expect(out.map(\.rules) == [[], [.tariffDiffers]])
    }

    @Test("A reference is unique per provider, also across messages; a rejected line's reference is spent too")
    func referencesAcrossMessages() {
        var check = DeclarationCheck(contracts: Example.contracts, allocations: Example.allocations)
        let first = check.check(Example.declaration([Example.line("A"), Example.line("B", "2026-03-01", "2026-03-31", tariff: 1)], number: "DN1"))
        let second = check.check(Example.declaration([Example.line("A", "2026-05-01", "2026-05-31"),
                                                      Example.line("B", "2026-03-01", "2026-03-31")], number: "DN2", month: "2026-05"))
        #expect(first.map(\.approved) == [true, false])
        #expect(second.map(\.rules) == [[.duplicateReference], [.duplicateReference]])
    }

    @Test("Lines approved before count without being checked again")
    func history() {
        var check = DeclarationCheck(contracts: Example.contracts, allocations: Example.allocations)
        check.recordApproved(Example.declaration([Example.line("A")]))
        #expect(check.check(Example.declaration([Example.line("B")])).first?.rules == [.secondDebit])
    }
}

@Suite("Monitoring: spend per cell and month, forecast, ceilings and the 70 % alert")
struct MonitoringTests {
    @Test("Approved spend is summed per municipality × segment × provider × month, credits negative; rejected apart")
    func spendPerCell() {
        var check = DeclarationCheck(contracts: Example.contracts + [Example.contract(code: "45A99", cents: 1000, crisis: true)],
                                     allocations: Example.allocations + [Example.allocation("20000", client: "999900030", code: nil)])
        _ = check.check(Example.declaration(Example.jw323Lines))
        _ = check.check(Example.declaration([
            Example.line("M1", "2026-05-01", "2026-05-31", volume: 2),
            Example.line("M2", direction: .credit, previous: "RN001"),
            Example.line("M3", client: "999900030", allocation: "20000", code: "45A99", "2026-05-01", "2026-05-31", volume: 3, tariff: 1000),
        ], number: "DN2", month: "2026-05"))
        let spend = check.spend()
        let cell = SpendCellKey(municipality: "0384", segment: "WON", provider: Example.provider)
        #expect(spend.keys.sorted() == [cell])
        let april = spend[cell]![YearMonth(year: 2026, month: 4)]!
        let may = spend[cell]![YearMonth(year: 2026, month: 5)]!
        #expect(april.approved == Money(cents: 5000 + 24000 + 5000 - 5000) && april.lines == 4 && april.volume == 24 - 4 + 0)
        #expect(april.rejected == Money(cents: 24000) && april.rejectedLines == 1)
        #expect(check.spend()[cell]?[YearMonth(year: 2026, month: 3)]?.rejected == Money(cents: 21000))
        #expect(may.approved == Money(cents: 2500 + 3000) && may.alwaysPaid == Money(cents: 2500 + 3000))
        #expect(april.alwaysPaid == april.approved, "every allocation of the example names its product: all specific")
    }

    @Test("The forecast adds the average month for each month left, half up to the cent")
    func forecast() {
        let spent = [YearMonth(year: 2026, month: 1): Money(cents: 100), YearMonth(year: 2026, month: 2): Money(cents: 201),
                     YearMonth(year: 2026, month: 3): Money(cents: 100), YearMonth(year: 2025, month: 12): Money(cents: 999)]
        // 401 over 3 months: 133.67 → 134 a month for 9 months.
        #expect(Monitoring.forecast(spent, year: 2026, through: YearMonth(year: 2026, month: 3)) == Money(cents: 401 + 9 * 134))
        #expect(Monitoring.forecast(spent, year: 2026, through: YearMonth(year: 2027, month: 1)) == Money(cents: 401))
    }

    @Test("A ceiling is pro rata when the contract starts in the year; the alert goes at 70 % with two fortnights")
    func ceilingAndAlert() {
        let whole = Ceiling(provider: "p", year: 2026, annual: Money(euros: "365000.00")!)
        let fromJuly = Ceiling(provider: "p", year: 2026, annual: Money(euros: "365000.00")!, contractStart: date("2026-07-01"))
        #expect(whole.amount == Money(euros: "365000.00")!)
        #expect(fromJuly.amount == Money(euros: "184000.00")!)  // 184 days of 365
        #expect(fromJuly.alertThreshold == Money(euros: "128800.00")!)
        #expect(CeilingAlert(ceiling: fromJuly, spent: Money(euros: "128799.99")!, forecast: Money(euros: "150000.00")!, seenOn: date("2026-10-01")) == nil)
        let alert = CeilingAlert(ceiling: fromJuly, spent: Money(euros: "128800.00")!, forecast: Money(euros: "190000.00")!, seenOn: date("2026-10-01"))
        #expect(alert?.consultationBy == date("2026-10-15") && alert?.decisionBy == date("2026-10-29") && alert?.percentSpent == 70)
        let threatened = CeilingAlert(ceiling: fromJuly, spent: Money(euros: "100000.00")!, forecast: Money(euros: "184000.01")!, seenOn: date("2026-10-01"))
        #expect(threatened != nil, "a threatened overrun alerts before 70 %")
        #expect(Ceiling(provider: "p", year: 2028, annual: Money(cents: 36600), contractStart: date("2028-12-31")).amount == Money(cents: 100))
    }
}
