import Foundation
import Testing
@testable import ZorginkoopCore
import ZorginkoopCatalog

@Suite("The waiting-room rule, hand-computed")
struct SelectionRuleTests {
    @Test("Weighted score: IAJ weights 15/30/20/15/20 with 8, 7, 6, 9, 5 on 0-10 is 68.5")
    func weightedScoreOfTheDocsExample() throws {
        let design = try Catalog.bundledDesign("achterhoek-2022")
        let iaj = try #require(design.segment("IAJ"))
        let score = WeightedScore(
            consensus: ["PASSEND": 8, "INTEGRAAL": 7, "SAMENWERKING": 6, "INNOVATIE": 9, "LOKAAL": 5],
            weights: iaj.weights, scale: design.scoreScale)
        #expect(score?.value == Decimal(string: "68.5"))
    }

    @Test("Weighted score on a scale that does not start at zero: 1-5 maps 1 to 0 and 5 to 100")
    func weightedScoreOnAnOffsetScale() {
        let scale = ScoreScale(min: 1, max: 5, step: 1)
        #expect(WeightedScore(consensus: ["A": 5, "B": 5], weights: ["A": 50, "B": 50], scale: scale)?.value == 100)
        #expect(WeightedScore(consensus: ["A": 1, "B": 3], weights: ["A": 50, "B": 50], scale: scale)?.value == 25)
        #expect(WeightedScore(consensus: ["A": 1], weights: ["A": 50, "B": 50], scale: scale) == nil)
    }

    @Test("Seed example: IAJ Persoonlijke verzorging, min 1 max 4: the second-best is invited when the best does not cover")
    func seedExampleSecondBestInvited() throws {
        let design = try Catalog.bundledDesign("achterhoek-2022")
        let west = ["aalten", "berkelland", "bronckhorst"]
        func pv(_ id: String, _ score: Score, serves: ServiceArea) -> AssessedBid {
            let requirements = Dictionary(uniqueKeysWithValues: design.requirements(forLot: "JEUGD").map { ($0.code, RequirementOutcome.pass) })
            return AssessedBid(id: id, bidder: "Aanbieder \(id)", segment: "IAJ", subSegments: ["IAJ-PV"], serves: serves,
                               requirements: requirements,
                               consensus: ["PASSEND": score, "INTEGRAAL": score, "SAMENWERKING": score, "INNOVATIE": score, "LOKAAL": score])
        }
        let input = AssessedBids(design: "achterhoek-2022", tender: "MWD-2022", bids: [
            pv("BEST", 9, serves: .only(municipalities: west, justification: "Locaties in het westen")),
            pv("SECOND", 8, serves: .all),
            pv("THIRD", 7, serves: .all),
        ])
        let result = try #require(try SelectionEngine.select(input, design: design).subSegments.first { $0.code == "IAJ-PV" })
        #expect(result.min == 1 && result.max == 4)
        #expect(result.selected == ["BEST", "SECOND"])
        #expect(result.waitingRoom == ["THIRD"])
        #expect(result.gaps.isEmpty)
        #expect(result.ranking.map(\.score) == [90, 80, 70])
        let invitation = try #require(result.explanation.first { $0.kind == .invitedForCoverage })
        #expect(invitation.bids == ["SECOND"])
        // Oude IJsselstreek does not take part in IAJ, so it is no gap.
        #expect(!invitation.text.contains("Oude IJsselstreek"))
        #expect(invitation.text.contains("Doetinchem"))
    }

    @Test("Only the minimum is selected when it covers every municipality")
    func minimumSufficesWhenCovered() throws {
        let result = try selectOne(smallDesign(min: 1, max: 3), [bid("A", 9, 9), bid("B", 8, 8), bid("C", 7, 7)])
        #expect(result.selected == ["A"])
        #expect(result.waitingRoom == ["B", "C"])
        #expect(result.gaps.isEmpty && result.ties.isEmpty && result.shortfall == nil)
    }

    @Test("Higher-ranked waiting bids that close no gap are passed over, and the explanation says so")
    func passesOverBidsThatCloseNoGap() throws {
        let result = try selectOne(smallDesign(min: 1, max: 3), [
            bid("A", 9, 9, serves: only("a", "b")),
            bid("B", 8, 8, serves: only("a")),
            bid("C", 7, 7, serves: only("c")),
        ])
        #expect(result.selected == ["A", "C"])
        #expect(result.waitingRoom == ["B"])
        let step = try #require(result.explanation.first { $0.kind == .invitedForCoverage })
        #expect(step.text.contains("zonder bijdrage aan een gat: B"))
    }

    @Test("Maximum reached with gaps left is reported with the gaps")
    func maximumReachedWithGaps() throws {
        let result = try selectOne(smallDesign(min: 1, max: 2), [
            bid("A", 9, 9, serves: only("a")),
            bid("B", 8, 8, serves: only("b")),
            bid("C", 7, 7, serves: only("c")),
        ])
        #expect(result.selected == ["A", "B"])
        #expect(result.maximumReachedWithGaps)
        #expect(result.gaps.map(\.municipality) == ["c"])
        #expect(result.waitingRoom == ["C"])
    }

    @Test("No waiting bid closes a gap: selection stops at the minimum and the gap is reported")
    func noBidClosesTheGap() throws {
        let result = try selectOne(smallDesign(min: 1, max: 3), [
            bid("A", 9, 9, serves: only("a", "b")),
            bid("B", 8, 8, serves: only("a")),
        ])
        #expect(result.selected == ["A"])
        #expect(result.gaps.map(\.municipality) == ["c"])
        #expect(!result.maximumReachedWithGaps)
        #expect(result.explanation.contains { $0.kind == .noWaitingBidClosesGaps })
    }

    @Test("Fewer eligible bids than the minimum is a shortfall; all eligible are selected")
    func shortfall() throws {
        let result = try selectOne(smallDesign(min: 3, max: 4), [bid("A", 9, 9), bid("B", 8, 8)])
        #expect(result.selected == ["A", "B"])
        #expect(result.shortfall == Shortfall(eligible: 2, min: 3))
    }

    @Test("A failed requirement excludes the bid and names the requirement")
    func failedRequirementExcludes() throws {
        var failing = bid("A", 10, 10)
        failing.requirements["KVK"] = .fail(reason: "Uittreksel ontbreekt")
        failing.consensus = nil
        let result = try selectOne(smallDesign(), [failing, bid("B", 5, 5)])
        #expect(result.excluded.map(\.bid) == ["A"])
        #expect(result.excluded[0].reasons == ["voldoet niet aan minimumeis KVK (KvK): Uittreksel ontbreekt"])
        #expect(result.selected == ["B"])
    }

    @Test("A requirement not assessed excludes the bid")
    func unassessedRequirementExcludes() throws {
        var unassessed = bid("A", 10, 10)
        unassessed.requirements["KVK"] = nil
        let result = try selectOne(smallDesign(), [unassessed])
        #expect(result.excluded.first?.reasons == ["minimumeis KVK (KvK) is niet beoordeeld"])
    }

    @Test("A missing consensus score: not ranked, with the criterion named")
    func missingConsensusIsNotRanked() throws {
        var partial = bid("A", 10, 10)
        partial.consensus = ["Q1": 10]
        var unscored = bid("B", 10, 10)
        unscored.consensus = nil
        let result = try selectOne(smallDesign(), [partial, unscored, bid("C", 1, 1)])
        #expect(result.ranking.map(\.bid) == ["C"])
        #expect(result.excluded.first { $0.bid == "A" }?.reasons == ["geen consensusscore voor criterium Q2 (Tweede)"])
        #expect(result.excluded.first { $0.bid == "B" }?.reasons.first?.hasPrefix("geen consensusscore") == true)
    }

    @Test("Quality mark in progress: eligible with a condition when due by the contract start, excluded when later")
    func pendingQualityMark() throws {
        var onTime = bid("A", 9, 9)
        onTime.requirements["KEURMERK"] = .pending(expected: CalendarDate(iso: "2026-01-01")!)
        var late = bid("B", 9, 9)
        late.requirements["KEURMERK"] = .pending(expected: CalendarDate(iso: "2026-01-02")!)
        var notAllowed = bid("C", 9, 9)
        notAllowed.requirements["KVK"] = .pending(expected: CalendarDate(iso: "2025-06-01")!)
        let result = try selectOne(smallDesign(), [onTime, late, notAllowed])
        #expect(result.selected == ["A"])
        #expect(result.conditions == [Condition(bid: "A", requirement: "KEURMERK", expected: CalendarDate(iso: "2026-01-01")!)])
        #expect(Set(result.excluded.map(\.bid)) == ["B", "C"])
        #expect(result.excluded.first { $0.bid == "B" }!.reasons[0].contains("na de start van de overeenkomst"))
        #expect(result.excluded.first { $0.bid == "C" }!.reasons[0].contains("mag voor deze eis niet later volgen"))
    }

    @Test("Equal scores at the minimum's cut are an unresolved tie; input order never breaks it")
    func tieAtTheCutIsUnresolved() throws {
        let bids = [bid("A", 9, 9), bid("B", 7, 7), bid("C", 7, 7), bid("D", 5, 5)]
        for order in [bids, bids.reversed()] {
            let result = try selectOne(smallDesign(min: 2, max: 3), order)
            #expect(result.selected == ["A"])
            #expect(result.ties == [Tie(stage: .minimum, bids: ["B", "C"], score: 70, places: 1)])
            #expect(result.waitingRoom == ["B", "C", "D"])
            #expect(result.ranking.map(\.rank) == [1, 2, 2, 4])
        }
    }

    @Test("A recorded draw orders the tied bids")
    func drawResolvesTie() throws {
        let draw = Draw(subSegment: "SS", order: ["C", "B"], drawnBy: "Notaris", drawnAt: "2026-03-01T10:00:00+01:00")
        let result = try selectOne(smallDesign(min: 2, max: 3), [bid("A", 9, 9), bid("B", 7, 7), bid("C", 7, 7)], draws: [draw])
        #expect(result.selected == ["A", "C"])
        #expect(result.waitingRoom == ["B"])
        #expect(result.ties.isEmpty)
        #expect(result.explanation.contains { $0.kind == .drawApplied && $0.text.contains("Notaris") })
    }

    @Test("A tie that fits entirely within the minimum is no tie to resolve")
    func tieInsideTheMinimum() throws {
        let result = try selectOne(smallDesign(min: 2, max: 3), [bid("A", 7, 7), bid("B", 7, 7), bid("C", 5, 5)])
        #expect(result.selected == ["A", "B"])
        #expect(result.ties.isEmpty)
    }

    @Test("Equal-scored waiting bids that would each close a gap are an unresolved tie")
    func tieBetweenGapClosers() throws {
        let result = try selectOne(smallDesign(min: 1, max: 3), [
            bid("A", 9, 9, serves: only("a", "b")),
            bid("B", 6, 6, serves: only("c")),
            bid("C", 6, 6, serves: .all),
        ])
        #expect(result.selected == ["A"])
        #expect(result.ties == [Tie(stage: .coverage, bids: ["B", "C"], score: 60, places: 2)])
    }

    @Test("Specialisms: each municipality needs each required specialism")
    func specialismCoverage() throws {
        let result = try selectOne(smallDesign(min: 1, max: 4, specialisms: ["LVB", "GGZ"]), [
            bid("A", 9, 9, specialisms: ["LVB"]),
            bid("B", 8, 8, specialisms: ["LVB"]),
            bid("C", 7, 7, serves: only("a"), specialisms: ["GGZ"]),
            bid("D", 6, 6, specialisms: ["GGZ"]),
        ])
        #expect(result.selected == ["A", "C", "D"])
        #expect(result.gaps.isEmpty)
    }

    @Test("Capacity: bids are added until each municipality's required places are offered")
    func capacityCoverage() throws {
        let result = try selectOne(smallDesign(min: 1, max: 4, capacity: ["a": 10]), [
            bid("A", 9, 9, capacity: ["a": 4]),
            bid("B", 8, 8, capacity: ["b": 9]),
            bid("C", 7, 7, capacity: ["a": 4]),
            bid("D", 6, 6, capacity: ["a": 4]),
            bid("E", 5, 5, capacity: ["a": 4]),
        ])
        #expect(result.selected == ["A", "C", "D"])
        #expect(result.waitingRoom == ["B", "E"])
        #expect(result.gaps.isEmpty)
    }

    @Test("Capacity still short at the maximum is reported with required and available places")
    func capacityGapReported() throws {
        let result = try selectOne(smallDesign(min: 1, max: 2, capacity: ["a": 10]), [
            bid("A", 9, 9, capacity: ["a": 4]),
            bid("B", 8, 8, capacity: ["a": 4]),
        ])
        #expect(result.gaps == [Gap(kind: .capacity, municipality: "a", municipalityName: "Aa", required: 10, available: 8)])
        #expect(result.maximumReachedWithGaps)
    }

    @Test("A no-go removes the municipality from coverage")
    func noGoRemovesMunicipality() throws {
        let bids = [bid("A", 9, 9, serves: only("a", "b")), bid("B", 8, 8, serves: only("c"))]
        let withC = try selectOne(smallDesign(), bids)
        #expect(withC.selected == ["A", "B"])
        let withoutC = try selectOne(smallDesign(), bids, noGo: [NoGo(segment: "S", municipality: "c")])
        #expect(withoutC.selected == ["A"])
        #expect(withoutC.gaps.isEmpty)
    }

    @Test("A combination is one party: a member may not also bid alone in the same sub-segment")
    func combinationIsOneParty() throws {
        var combination = bid("A", 9, 9, bidder: "Leider")
        combination.combinationMembers = ["Lid"]
        let alone = bid("B", 8, 8, bidder: "Lid")
        let input = AssessedBids(design: "test", tender: "T", bids: [combination, alone])
        let problems = input.validate(against: smallDesign())
        #expect(problems.count == 1)
        #expect(problems[0].path == "bids[1]")
        #expect(problems[0].message.contains("'Lid'"))
        // and the combination counts once toward the maximum
        let result = try selectOne(smallDesign(min: 1, max: 1), [combination, bid("C", 5, 5)])
        #expect(result.selected == ["A"])
    }
}

@Suite("Draws settle the tie the ranking reports")
struct DrawSettlesReportedTieTests {
    @Test("A draw naming exactly the gap-closing rivals settles their tie, though a third bid has the same score")
    func drawAmongGapClosersSettlesTheirTie() throws {
        let bids = [
            bid("A", 9, 9, serves: only("a", "b")),
            bid("B", 6, 6, serves: only("c")),
            bid("C", 6, 6, serves: .all),
            bid("D", 6, 6, serves: only("a")),  // same score, closes no gap: not part of the tie
        ]
        let tied = try selectOne(smallDesign(min: 1, max: 3), bids)
        let tie = try #require(tied.ties.first)
        #expect(tie.bids == ["B", "C"])
        let draw = Draw(subSegment: "SS", order: tie.bids.reversed(), drawnBy: "Notaris", drawnAt: "2026-03-01T10:00:00+01:00")
        let settled = try selectOne(smallDesign(min: 1, max: 3), bids, draws: [draw])
        #expect(settled.ties.isEmpty)
        #expect(settled.selected == ["A", "C"])
        #expect(settled.explanation.contains { $0.kind == .drawApplied && $0.text.contains("gaat C voor") })
    }
}
