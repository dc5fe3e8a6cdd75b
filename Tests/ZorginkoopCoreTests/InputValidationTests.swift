import Foundation
import Testing
@testable import ZorginkoopCore

@Suite("Assessed-bids validation")
struct InputValidationTests {
    func problems(_ bids: [AssessedBid], draws: [Draw] = [], tender: String = "T") -> [Problem] {
        AssessedBids(design: "test", tender: tender, draws: draws, bids: bids).validate(against: smallDesign())
    }

    @Test("An unknown tender is reported and nothing else is checked")
    func unknownTender() {
        #expect(problems([bid("A", 1, 1)], tender: "X").map(\.path) == ["tender"])
    }

    @Test("Scores off the scale and unknown criteria are reported with their path")
    func scoresOnTheScale() {
        var b = bid("A", 11, 5)
        b.consensus?["Q9"] = 3
        b.assessments = [IndividualAssessment(assessor: "x", scores: ["Q1": Score(thousandths: 2500)])]
        #expect(problems([b]).map(\.path) == ["bids[0].assessments[0].scores.Q1", "bids[0].consensus.Q1", "bids[0].consensus.Q9"])
    }

    @Test("Duplicate bid ids, unknown segments and sub-segments, municipalities and requirements are reported")
    func referencesResolve() {
        var b2 = bid("A", 5, 5)
        b2.subSegments = ["NOPE"]
        var b3 = bid("C", 5, 5, serves: .only(municipalities: ["zz"], justification: " "))
        b3.requirements["NOPE"] = .pass
        b3.capacity = ["yy": 1]
        var b4 = bid("D", 5, 5)
        b4.segment = "X"
        let paths = problems([bid("A", 5, 5), b2, b3, b4]).map(\.path)
        #expect(paths == ["bids[1].id", "bids[1].subSegments[0]", "bids[2].serves.municipalities[0]", "bids[2].serves.justification",
                          "bids[2].capacity.yy", "bids[2].requirements.NOPE", "bids[3].segment"])
    }

    @Test("A draw must name bids of its sub-segment and who drew")
    func drawsChecked() {
        let draw = Draw(subSegment: "SS", order: ["A", "Z"], drawnBy: "", drawnAt: "")
        #expect(problems([bid("A", 5, 5)], draws: [draw]).map(\.path) == ["draws[0].order[1]", "draws[0].drawnBy"])
    }

    @Test("select refuses invalid input and reports every problem")
    func selectRefuses() {
        let input = AssessedBids(design: "test", tender: "T", bids: [bid("A", 11, 5)])
        #expect(throws: InvalidInput.self) { try SelectionEngine.select(input, design: smallDesign()) }
    }
}
