import Foundation
import Testing
@testable import ZorginkoopCore
import ZorginkoopCatalog

@Suite("The bundled Achterhoek designs")
struct BundledDesignTests {
    @Test("Both bundled designs load and validate without problems", arguments: ["achterhoek-2022", "achterhoek-2026"])
    func bundledDesignsAreValid(code: String) throws {
        let design = try Catalog.bundledDesign(code)
        #expect(design.validate().isEmpty)
        #expect(design.region.municipalities.count == 8)
        #expect(design.region.leadMunicipality == "doetinchem")
        #expect(design.region.totalClients == 10_437)
    }

    @Test("2022: the seed's min-max table per sub-segment")
    func minMaxTable2022() throws {
        let design = try Catalog.bundledDesign("achterhoek-2022")
        let table = Dictionary(uniqueKeysWithValues: design.subSegments.map { ($0.code, [$0.minProviders, $0.maxProviders]) })
        #expect(table == [
            "IAJ-PV": [1, 4], "IAJ-OND": [29, 40], "IAJ-BEH": [16, 35], "IAJ-ASH": [1, 3],
            "GWV-PLZ": [4, 10], "GWV-GHZ": [6, 12], "GWV-VBG": [11, 15], "GWV-WGZ": [7, 10],
            "HCV-JZP": [3, 3], "HCV-VBC": [7, 12], "HCV-CGZ": [2, 3],
            "WMO-OND-OND": [30, 70], "WMO-OND-PV": [3, 6],
            "WMO-WON-BW": [9, 23], "WMO-WON-BSW": [9, 23], "WMO-WON-BT": [12, 26], "WMO-LOG-LOG": [3, 9],
        ])
    }

    @Test("2022: the seed's weights per segment (Passend, Integraal, Samenwerking, Innovatie, Lokaal)")
    func weights2022() throws {
        let design = try Catalog.bundledDesign("achterhoek-2022")
        let order = ["PASSEND", "INTEGRAAL", "SAMENWERKING", "INNOVATIE", "LOKAAL"]
        let expected: [String: [Int]] = [
            "IAJ": [15, 30, 20, 15, 20], "GWV": [15, 25, 20, 25, 15], "HCV": [25, 30, 20, 20, 5],
            "WMO-OND": [15, 25, 20, 15, 25], "WMO-WON": [20, 20, 25, 20, 15], "WMO-LOG": [25, 25, 25, 10, 15],
        ]
        for (code, weights) in expected {
            let segment = try #require(design.segment(code))
            #expect(order.map { segment.weights[$0] ?? -1 } == weights, "segment \(code)")
        }
    }

    @Test("2022: Oude IJsselstreek does not take part in IAJ and Wmo Ondersteuning, and does elsewhere")
    func participation2022() throws {
        let design = try Catalog.bundledDesign("achterhoek-2022")
        for segment in design.segments {
            let takesPart = design.participants(ofSegment: segment).contains { $0.code == "oude-ijsselstreek" }
            #expect(takesPart == !["IAJ", "WMO-OND"].contains(segment.code), "segment \(segment.code)")
        }
    }

    @Test("2022: the behavioural scientist is required for lot Jeugd only")
    func behaviouralScientistForJeugd() throws {
        let design = try Catalog.bundledDesign("achterhoek-2022")
        #expect(design.requirements(forLot: "JEUGD").contains { $0.code == "GEDRAGSWETENSCHAPPER" })
        #expect(!design.requirements(forLot: "WMO").contains { $0.code == "GEDRAGSWETENSCHAPPER" })
        #expect(design.requirements(forLot: "WMO").count == 7)
    }

    @Test("2026: the eight tenders with the seed's contract-term table")
    func termTable2026() throws {
        let design = try Catalog.bundledDesign("achterhoek-2026")
        let rows = design.tenders.map { t in
            [t.code, t.contractTerm.start.description, t.contractTerm.initialEnd.description, "\(t.contractTerm.initialTermMonths)",
             "\(t.contractTerm.extensionMonths)", "\(t.contractTerm.maxExtensions)", "\(t.contractTerm.maxTotalMonths)", t.contractTerm.maxEnd.description]
        }
        #expect(rows == [
            ["AJ-REG", "2026-01-01", "2029-12-31", "48", "24", "2", "96", "2033-12-31"],
            ["AJ-LOK", "2026-01-01", "2027-12-31", "24", "24", "3", "96", "2033-12-31"],
            ["JMV", "2026-01-01", "2029-12-31", "48", "24", "2", "96", "2033-12-31"],
            ["CRISIS", "2026-01-01", "2027-12-31", "24", "24", "3", "96", "2033-12-31"],
            ["WMO-BEG", "2026-01-01", "2027-12-31", "24", "24", "3", "96", "2033-12-31"],
            ["WMO-WON", "2026-01-01", "2027-12-31", "24", "24", "3", "96", "2033-12-31"],
            ["WGZ", "2026-01-01", "2027-12-31", "24", "24", "3", "96", "2033-12-31"],
            ["WMO-SAFE", "2026-01-01", "2027-12-31", "24", "24", "3", "96", "2033-12-31"],
        ])
        #expect(design.segments.allSatisfy { $0.fundingModel == .effortBased })
    }
}

@Suite("Design validation")
struct DesignValidationTests {
    func problems(_ change: (inout Design) -> Void) -> [Problem] {
        var design = smallDesign()
        change(&design)
        return design.validate()
    }

    @Test("The small test design is valid")
    func smallDesignIsValid() {
        #expect(smallDesign().validate().isEmpty)
    }

    @Test("Weights that do not sum to 100 are reported at the segment's weights")
    func weightsMustSumTo100() {
        let found = problems { $0.lots[0].segments[0].weights["Q2"] = 30 }
        #expect(found == [Problem("lots[0].segments[0].weights", "de wegingen van segment 'S' tellen op tot 90 in plaats van 100")])
    }

    @Test("A weight for an unknown criterion, and a criterion without weight, are reported")
    func weightsMustMatchCriteria() {
        let found = problems { $0.lots[0].segments[0].weights = ["Q1": 60, "QX": 40] }
        #expect(found.map(\.path) == ["lots[0].segments[0].weights.QX", "lots[0].segments[0].weights"])
    }

    @Test("min above max is reported at maxProviders")
    func minNotAboveMax() {
        let found = problems { $0.lots[0].segments[0].subSegments[0].minProviders = 5 }
        #expect(found.map(\.path) == ["lots[0].segments[0].subSegments[0].maxProviders"])
    }

    @Test("Duplicate codes are reported at the second occurrence")
    func codesUnique() {
        let found = problems { $0.region.municipalities[2].code = "a" }
        #expect(found.contains(Problem("region.municipalities[2].code", "Gemeente 'a' komt meer dan eens voor; codes moeten uniek zijn")))
    }

    @Test("Unresolved references are reported: lead municipality, requirement lot, tender lot, participation")
    func referencesResolve() {
        let found = problems {
            $0.region.leadMunicipality = "x"
            $0.requirements[0].lots = ["NOPE"]
            $0.tenders[0].lots.append("NOPE")
            $0.lots[0].segments[0].nonParticipation = [NonParticipation(municipality: "zz", reason: "")]
        }
        let paths = Set(found.map(\.path))
        #expect(paths.isSuperset(of: ["region.leadMunicipality", "requirements[0].lots[0]", "tenders[0].lots[1]",
                                      "lots[0].segments[0].nonParticipation[0].municipality",
                                      "lots[0].segments[0].nonParticipation[0].reason"]))
    }

    @Test("Contract terms must be consistent: initial end, total months and maximum end")
    func termsConsistent() {
        let found = problems {
            $0.tenders[0].contractTerm.initialEnd = CalendarDate(iso: "2027-12-30")!
            $0.tenders[0].contractTerm.maxTotalMonths = 48
        }
        #expect(found.map(\.path) == ["tenders[0].contractTerm.initialEnd", "tenders[0].contractTerm.maxTotalMonths",
                                      "tenders[0].contractTerm.maxEnd"])
    }

    @Test("A score scale with a step that does not fit is reported")
    func scaleConsistent() {
        let found = problems { $0.scoreScale = ScoreScale(min: 0, max: 10, step: 3) }
        #expect(found.map(\.path) == ["scoreScale.step"])
    }
}

@Suite("Calendar dates")
struct CalendarDateTests {
    @Test("A term of n months from the first of a month ends on the last day before it")
    func periods() {
        let start = CalendarDate(iso: "2026-01-01")!
        #expect(start.lastDayOfPeriod(months: 48).description == "2029-12-31")
        #expect(start.lastDayOfPeriod(months: 96).description == "2033-12-31")
        #expect(CalendarDate(iso: "2022-07-01")!.lastDayOfPeriod(months: 36).description == "2025-06-30")
    }

    @Test("Month arithmetic clamps to the month's end and knows leap years")
    func clamping() {
        #expect(CalendarDate(iso: "2024-01-31")!.adding(months: 1).description == "2024-02-29")
        #expect(CalendarDate(iso: "2023-01-31")!.adding(months: 1).description == "2023-02-28")
        #expect(CalendarDate(iso: "2026-03-01")!.adding(months: -3).description == "2025-12-01")
    }

    @Test("The next calendar day crosses months, years and leap days")
    func nextDay() {
        #expect(CalendarDate(iso: "2026-12-31")!.dayAfter().description == "2027-01-01")
        #expect(CalendarDate(iso: "2024-02-28")!.dayAfter().description == "2024-02-29")
        #expect(CalendarDate(iso: "2026-03-29")!.dayAfter().description == "2026-03-30")
    }

    @Test("Impossible dates are refused", arguments: ["2023-02-29", "2026-04-31", "2026-13-01", "26-01-01", "2026-1-1"])
    func invalid(text: String) {
        #expect(CalendarDate(iso: text) == nil)
    }
}
