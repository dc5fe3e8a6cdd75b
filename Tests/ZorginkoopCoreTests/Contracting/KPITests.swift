import Foundation
import Testing
@testable import ZorginkoopCore

@Suite("KPIs: periods, due dates, targets and reports")
struct KPITests {
    static func date(_ y: Int, _ m: Int, _ d: Int) -> CalendarDate { CalendarDate(year: y, month: m, day: d)! }

    static let waiting = KPI(code: "WACHTTIJD", name: "Wachttijd", definition: "", unit: .days, target: 42_000, direction: .atMost, period: .quarter)
    static let planned = KPI(code: "UITVAL", name: "Volgens plan", definition: "", unit: .percent, target: 80_000, direction: .atLeast,
                             period: .halfYear, segments: ["S"])

    static func design() -> Design {
        var d = smallDesign()
        d.kpis = [waiting, planned]
        return d
    }

    static func contract(start: CalendarDate = date(2026, 2, 1)) -> RegisteredContract {
        let term = smallDesign().tenders[0].contractTerm
        return RegisteredContract(number: "T-001", source: .award, tender: "T", bid: nil, segment: "S", title: "",
                                  parties: [], subSegments: ["SS"], term: term, start: start,
                                  terms: [MunicipalTerm(municipality: "a", end: term.initialEnd, extensionsUsed: 0)])
    }

    @Test("Periods read and print as 2026-K3, 2028-H1 and 2027; a report is due on the last day of the month after the period (leap years too)")
    func periods() throws {
        let q = try #require(KPIPeriod("2026-k3", kind: .quarter))
        #expect(q.description == "2026-K3" && q.first == Self.date(2026, 7, 1) && q.last == Self.date(2026, 9, 30) && q.due == Self.date(2026, 10, 31))
        let q4 = try #require(KPIPeriod("2027-K4", kind: .quarter))
        #expect(q4.due == Self.date(2028, 1, 31) && q4.next.description == "2028-K1")
        let h = try #require(KPIPeriod("2027-H2", kind: .halfYear))
        #expect(h.last == Self.date(2027, 12, 31) && h.due == Self.date(2028, 1, 31))
        #expect(KPIPeriod("2027-K4", kind: .quarter)!.next.due == Self.date(2028, 4, 30))
        let q1 = try #require(KPIPeriod("2028-K1", kind: .quarter))
        #expect(q1.last == Self.date(2028, 3, 31) && q1.due == Self.date(2028, 4, 30))
        let winter = try #require(KPIPeriod(kind: .quarter, year: 2027, index: 4)).next  // 2028-K1
        #expect(winter.first == Self.date(2028, 1, 1))
        #expect(KPIPeriod("2027-K5", kind: .quarter) == nil && KPIPeriod("2027-H1", kind: .quarter) == nil && KPIPeriod("2027", kind: .halfYear) == nil)
        #expect(KPIPeriod("2027", kind: .year)?.due == Self.date(2028, 1, 31))
        // From a start on 1-2-2026, the quarters that ended by 15-10-2026: K1, K2 and K3.
        #expect(KPIPeriod.ended(kind: .quarter, from: Self.date(2026, 2, 1), through: Self.date(2026, 10, 15)).map(\.description) == ["2026-K1", "2026-K2", "2026-K3"])
    }

    @Test("A report is checked: the KPI must belong to the segment, the period be of its kind and over, after the start, a percentage within 0-100")
    func reportRules() throws {
        let c = Self.contract()
        let d = Self.design()
        let day = Self.date(2026, 10, 15)
        let ok = try c.report("WACHTTIJD", period: "2026-K3", value: 38_500, design: d, on: day, by: "p")
        #expect(ok.period == "2026-K3" && ok.value == 38_500)
        #expect(throws: KPIReportError.unknownKPI("ONBEKEND", segment: "S")) { try c.report("ONBEKEND", period: "2026-K3", value: 1, design: d, on: day, by: "p") }
        #expect(throws: KPIReportError.badPeriod("2026-K3", expected: .halfYear)) { try c.report("UITVAL", period: "2026-K3", value: 1, design: d, on: day, by: "p") }
        #expect(throws: KPIReportError.periodNotEnded("2026-K4", last: Self.date(2026, 12, 31))) {
            try c.report("WACHTTIJD", period: "2026-K4", value: 1, design: d, on: day, by: "p")
        }
        #expect(throws: KPIReportError.beforeContract("2025-K4")) { try c.report("WACHTTIJD", period: "2025-K4", value: 1, design: d, on: day, by: "p") }
        #expect(throws: KPIReportError.outOfRange(value: 100_001, unit: .percent)) { try c.report("UITVAL", period: "2026-H1", value: 100_001, design: d, on: day, by: "p") }
    }

    @Test("A series marks each ended period: met or not against the direction, late when reported after its due date or missing after it")
    func series() {
        let c = Self.contract()
        let reports = [
            KPIReport(contract: "T-001", kpi: "WACHTTIJD", period: "2026-K1", value: 42_000, reportedOn: Self.date(2026, 4, 30), by: "p"),  // on time, at the target
            KPIReport(contract: "T-001", kpi: "WACHTTIJD", period: "2026-K2", value: 50_000, reportedOn: Self.date(2026, 8, 1), by: "p"),   // a day late
        ]
        let s = KPISeries(contract: c, kpi: Self.waiting, reports: reports, on: Self.date(2026, 11, 1))
        #expect(s.points.map(\.period.description) == ["2026-K1", "2026-K2", "2026-K3"])
        #expect(s.points.map(\.met) == [true, false, nil])
        #expect(s.points.map(\.late) == [false, true, true], "K3 was due 31-10-2026 and is missing on 1-11")
        #expect(KPISeries(contract: c, kpi: Self.waiting, reports: reports, on: Self.date(2026, 10, 31)).points.last?.late == false)
        #expect(s.lateCount == 2)
    }

    @Test("Every KPI code is unique and names segments of the design")
    func validation() {
        var d = Self.design()
        d.kpis.append(KPI(code: "WACHTTIJD", name: "dubbel", definition: "", unit: .days, target: 1, direction: .atMost, period: .year, segments: ["X"]))
        let paths = d.validate().map(\.path)
        #expect(paths.contains("kpis[2].code") && paths.contains("kpis[2].segments[0]"))
        #expect(Self.design().validate().isEmpty)
    }
}
