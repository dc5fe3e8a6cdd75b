import Foundation
import Testing
@testable import ZorginkoopCore
import ZorginkoopCatalog

@Suite("Contracts from the term table")
struct ContractTests {
    let design: Design

    init() throws { design = try Catalog.bundledDesign("achterhoek-2026") }

    func crisisBid(_ id: String, _ score: Score, subSegments: [String], serves: ServiceArea = .all,
                   members: [String] = [], subcontractors: [String] = []) -> AssessedBid {
        bid2026(id, lot: "CRISIS", segment: "CRI", score, subSegments: subSegments, serves: serves, members: members, subcontractors: subcontractors)
    }

    func bid2026(_ id: String, lot: String, segment: String, _ score: Score, subSegments: [String], serves: ServiceArea = .all,
                 members: [String] = [], subcontractors: [String] = []) -> AssessedBid {
        let requirements = Dictionary(uniqueKeysWithValues: design.requirements(forLot: lot).map { ($0.code, RequirementOutcome.pass) })
        let consensus = Dictionary(uniqueKeysWithValues: design.lot(lot)!.criteria.map { ($0.code, score) })
        return AssessedBid(id: id, bidder: "Zorg \(id)", combinationMembers: members, subcontractors: subcontractors,
                           segment: segment, subSegments: subSegments, serves: serves, requirements: requirements, consensus: consensus)
    }

    @Test("Crisis Jeugdhulp: 2026-01-01 to 2027-12-31, three extensions of 24 months to 2033-12-31; parties, sub-segments, municipalities after no-go")
    func crisisContracts() throws {
        let input = AssessedBids(design: design.code, tender: "CRISIS", noGo: [NoGo(segment: "CRI", municipality: "montferland")], bids: [
            crisisBid("X", 9, subSegments: ["CRI-AMB", "CRI-VBL"], members: ["Partner Y"], subcontractors: ["Onderaannemer Z"]),
            crisisBid("Y", 8, subSegments: ["CRI-VBL"], serves: .only(municipalities: ["doetinchem", "montferland"], justification: "Eén locatie")),
            crisisBid("W", 7, subSegments: ["CRI-VBL"]),
        ])
        let selection = try SelectionEngine.select(input, design: design)
        let contracts = try Contract.forFinalAward(selection, input: input, design: design)
        #expect(contracts.map(\.bid) == ["X", "Y"])
        let x = contracts[0]
        #expect(x.parties == ["Zorg X", "Partner Y"] && x.subcontractors == ["Onderaannemer Z"])
        #expect(x.subSegments == ["CRI-AMB", "CRI-VBL"])
        #expect(x.municipalities == ["aalten", "berkelland", "bronckhorst", "doetinchem", "oost-gelre", "oude-ijsselstreek", "winterswijk"])
        #expect(x.start == day("2026-01-01") && x.initialEnd == day("2027-12-31") && x.maxEnd == day("2033-12-31"))
        #expect(x.extensionOptions.map(\.number) == [1, 2, 3])
        #expect(x.extensionOptions.map(\.months) == [24, 24, 24])
        #expect(x.extensionOptions.map(\.end) == [day("2029-12-31"), day("2031-12-31"), day("2033-12-31")])
        #expect(contracts[1].subSegments == ["CRI-VBL"])
        #expect(contracts[1].municipalities == ["doetinchem"])
    }

    @Test("Jeugdhulp met Verblijf: four years to 2029-12-31, two extensions to 2031-12-31 and 2033-12-31")
    func verblijfContracts() throws {
        let input = AssessedBids(design: design.code, tender: "JMV", bids: [
            bid2026("P", lot: "JMV", segment: "JMV-GWV", 8, subSegments: ["JMV-PLZ"]),
        ])
        let contracts = try Contract.forFinalAward(try SelectionEngine.select(input, design: design), input: input, design: design)
        #expect(contracts.count == 1)
        #expect(contracts[0].initialEnd == day("2029-12-31"))
        #expect(contracts[0].extensionOptions.map(\.end) == [day("2031-12-31"), day("2033-12-31")])
        #expect(contracts[0].maxEnd == day("2033-12-31"))
        #expect(contracts[0].municipalities.count == 8)
    }

    @Test("No contracts while a tie awaits a draw")
    func tieBlocksContracts() throws {
        let input = AssessedBids(design: design.code, tender: "CRISIS", bids: [
            crisisBid("X", 8, subSegments: ["CRI-AMB"]), crisisBid("Y", 8, subSegments: ["CRI-AMB"]),
        ])
        let selection = try SelectionEngine.select(input, design: design)
        #expect(throws: AwardError.unresolvedTies(subSegments: ["CRI-AMB"])) {
            try Contract.forFinalAward(selection, input: input, design: design)
        }
    }
}

@Suite("Waiting room during the contract period")
struct WaitingRoomCallUpTests {
    /// A selected (9); waiting B (8), then C and D tied (7), then E (6).
    func selection(draw: [String]? = nil) throws -> SubSegmentSelection {
        let draws = draw.map { [Draw(subSegment: "SS", order: $0, drawnBy: "notaris", drawnAt: "2026-01-05")] } ?? []
        return try selectOne(smallDesign(min: 1, max: 3),
                             [bid("A", 9, 9), bid("B", 8, 8), bid("C", 7, 7), bid("D", 7, 7), bid("E", 6, 6)], draws: draws)
    }

    @Test("The next available waiting bid is called, skipping those withdrawn, declined or already called; the explanation names bidders, not bid ids")
    func nextAvailable() throws {
        let s = try selection()
        #expect(s.waitingRoom == ["B", "C", "D", "E"])
        let first = WaitingRoomCallUp(selection: s, statuses: [:])
        #expect(first.outcome == .next(bid: "B", position: 1))
        #expect(first.explanation == "Inschrijving Aanbieder B is de eerstvolgende beschikbare inschrijving in de wachtkamer van Sub: plaats 1, score 80.")
        let later = WaitingRoomCallUp(selection: s, statuses: ["B": .declined, "C": .calledUp, "D": .withdrawn])
        #expect(later.outcome == .next(bid: "E", position: 4))
        #expect(later.skipped.map(\.bid) == ["B", "C", "D"])
        #expect(later.explanation.hasSuffix("Overgeslagen: Aanbieder B: heeft een oproep afgewezen; Aanbieder C: al opgeroepen; Aanbieder D: teruggetrokken."))
    }

    @Test("Equal scores without a draw: nobody is called until a draw is recorded")
    func tieNeedsDraw() throws {
        let open = WaitingRoomCallUp(selection: try selection(), statuses: ["B": .contracted])
        #expect(open.outcome == .tieNeedsDraw(bids: ["C", "D"]))
        let drawn = try selection(draw: ["D", "C"])
        #expect(drawn.waitingRoom == ["B", "D", "C", "E"])
        #expect(WaitingRoomCallUp(selection: drawn, statuses: ["B": .contracted]).outcome == .next(bid: "D", position: 2))
        // With one of the tied bids gone, the other is simply next.
        #expect(WaitingRoomCallUp(selection: try selection(), statuses: ["B": .contracted, "C": .withdrawn]).outcome == .next(bid: "D", position: 3))
    }

    @Test("An exhausted waiting room says so")
    func exhausted() throws {
        let s = try selection()
        let none = WaitingRoomCallUp(selection: s, statuses: ["B": .contracted, "C": .contracted, "D": .declined, "E": .withdrawn])
        #expect(none.outcome == .exhausted)
        #expect(none.explanation.hasPrefix("De wachtkamer van Sub bevat geen beschikbare inschrijving meer."))
    }
}

@Suite("Award letter content")
struct AwardLetterTests {
    func letter(for bidder: String) throws -> AwardLetter {
        let (design, a) = try assessedSmallCase()
        let selection = try SelectionEngine.select(try AssessedBids(design: design, tender: "T", segments: [a]), design: design)
        return try AwardLetter(bidder: bidder, selection: selection, segments: [a], design: design,
                               standstill: Standstill(sentAt: instant("2026-03-20T10:00:00+01:00")),
                               relativeAdvantages: ["C": ["Q1": "C werkt aantoonbaar samen met het wijkteam"]])
    }

    @Test("A waiting bidder gets its decision, its own scores with motivations, and the selected bid's scores and advantages")
    func waitingBidder() throws {
        let l = try letter(for: "Aanbieder B")
        #expect(l.standstillLastDay == day("2026-04-09"))
        #expect(l.standstillEnd == instant("2026-04-09T23:59:59+02:00"))
        #expect(l.howToObject.contains("tot en met 9-4-2026 23:59:59 uur"))
        #expect(l.decisions.count == 1)
        let d = l.decisions[0]
        #expect(d.subSegment == "SS" && d.bid == "B")
        #expect(d.decision == .waitingRoom(position: 1))
        #expect(d.weightedScore == 72 && d.rank == 2)
        #expect(d.ownScores.map(\.score) == [8, 6])
        #expect(d.ownScores.map(\.text) == ["Q1 van B overtuigt", "Q2 van B overtuigt"])
        #expect(d.ownScores.map(\.weight) == [60, 40])
        #expect(d.ownScores.map(\.name) == ["Eerste", "Tweede"])
        #expect(d.selectedBids.map(\.bid) == ["C"])
        #expect(d.selectedBids[0].weightedScore == 78)
        #expect(d.selectedBids[0].scores.map(\.score) == [7, 9])
        #expect(d.selectedBids[0].scores.map(\.text) == ["C werkt aantoonbaar samen met het wijkteam", "Q2 van C overtuigt"])
    }

    @Test("Selected and excluded bidders; an unknown bidder gets no letter")
    func otherDecisions() throws {
        #expect(try letter(for: "Aanbieder C").decisions[0].decision == .selected)
        let a = try letter(for: "Aanbieder A").decisions[0]
        #expect(a.decision == .excluded(reasons: ["voldoet niet aan minimumeis KVK (KvK): niet ingeschreven"]))
        #expect(a.ownScores.isEmpty && a.weightedScore == nil && a.rank == nil)
        #expect(a.selectedBids.map(\.bid) == ["C"])
        #expect(throws: AwardError.unknownBid("Niemand")) { try letter(for: "Niemand") }
    }
}
