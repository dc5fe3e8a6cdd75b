import Foundation
import Testing
@testable import ZorginkoopCore

@Suite("Committees and conflicts of interest")
struct CommitteeTests {
    @Test("Only an appointed member who declared no conflict may see the bids")
    func accessNeedsDeclaration() throws {
        var a = try smallAssessment()
        #expect(a.access(of: "p") == .noDeclaration)
        #expect(a.access(of: "x") == .notAMember)
        #expect(!a.maySeeBids("p"))
        try a.clear("p")
        #expect(a.maySeeBids("p"))
        #expect(a.effectiveCommittee == ["p", "q", "r"])
        #expect(throws: AwardError.notACommitteeMember(assessor: "x", segment: "S")) {
            try a.declare(ConflictDeclaration(assessor: "x", conflict: .noConflict, declaredAt: t0))
        }
    }

    @Test("A declared conflict removes the assessor from the segment, for good")
    func conflictRemoves() throws {
        var a = try smallAssessment()
        try a.clear("r")
        try a.declare(ConflictDeclaration(assessor: "r", conflict: .conflict(bidders: ["Aanbieder B"], explanation: "Oud-werkgever"), declaredAt: t0))
        #expect(a.effectiveCommittee == ["p", "q"])
        #expect(a.access(of: "r") == .conflict(bidders: ["Aanbieder B"]))
        #expect(!a.maySeeBids("r"))
        #expect(throws: AwardError.conflictAlreadyDeclared(assessor: "r")) { try a.clear("r") }
    }

    @Test("A conflict names bidders of the segment and is explained")
    func conflictIsSpecific() throws {
        var a = try smallAssessment(bids: [declared("A", members: ["Partner"]), declared("B")])
        #expect(a.bidderNames == ["Aanbieder A", "Aanbieder B", "Partner"])
        #expect(throws: AwardError.conflictWithoutBidders) {
            try a.declare(ConflictDeclaration(assessor: "p", conflict: .conflict(bidders: [], explanation: "x"), declaredAt: t0))
        }
        #expect(throws: AwardError.notABidderOfSegment(name: "Onbekend")) {
            try a.declare(ConflictDeclaration(assessor: "p", conflict: .conflict(bidders: ["Onbekend"], explanation: "x"), declaredAt: t0))
        }
        #expect(throws: AwardError.missingText(field: "toelichting op het belangenconflict")) {
            try a.declare(ConflictDeclaration(assessor: "p", conflict: .conflict(bidders: ["Partner"], explanation: " "), declaredAt: t0))
        }
        try a.declare(ConflictDeclaration(assessor: "p", conflict: .conflict(bidders: ["Partner"], explanation: "Familie"), declaredAt: t0))
        #expect(a.effectiveCommittee == ["q", "r"])
    }
}

@Suite("Minimum-requirement checks")
struct RequirementCheckTests {
    func check(_ bid: String, _ requirement: String, _ outcome: RequirementOutcome) -> RequirementCheck {
        RequirementCheck(bid: bid, requirement: requirement, outcome: outcome, evidence: "Bijlage 3", checkedBy: "officer", checkedAt: t0)
    }

    @Test("A fail needs a reason; proof may follow only where the design allows it")
    func outcomesAreValidated() throws {
        var a = try smallAssessment()
        #expect(throws: AwardError.missingText(field: "reden van afwijzing")) { try a.record(check("A", "KVK", .fail(reason: ""))) }
        #expect(throws: AwardError.proofMayNotFollow(requirement: "KVK")) { try a.record(check("A", "KVK", .pending(expected: day("2025-12-01")))) }
        #expect(throws: AwardError.unknownRequirement("SKJ")) { try a.record(check("A", "SKJ", .pass)) }
        #expect(throws: AwardError.bidOfOtherSegment(bid: "Z", segment: "S")) { try a.record(check("Z", "KVK", .pass)) }
        try a.record(check("A", "KEURMERK", .pending(expected: day("2025-12-01"))))
        #expect(a.requirementOutcomes(of: "A") == ["KEURMERK": .pending(expected: day("2025-12-01"))])
    }

    @Test("A failed bid is excluded from scoring with its reason")
    func failedBidIsNotScored() throws {
        var a = try smallAssessment()
        try a.clear("p")
        try a.record(check("A", "KVK", .fail(reason: "geen inschrijving in het handelsregister")))
        let reasons = ["voldoet niet aan minimumeis KVK (KvK): geen inschrijving in het handelsregister"]
        #expect(a.exclusionReasons(of: "A") == reasons)
        #expect(throws: AwardError.bidExcluded(bid: "A", reasons: reasons)) { try a.score("p", "A", 5, 5) }
        // A corrected check replaces the fail; the history keeps both.
        try a.record(check("A", "KVK", .pass))
        #expect(a.exclusionReasons(of: "A").isEmpty)
        #expect(a.requirementChecks.count == 2)
    }

    @Test("Open proofs are flagged when due on or after the start, overdue, or still open at the start")
    func openProofFlags() throws {
        var a = try smallAssessment()
        try a.record(check("A", "KEURMERK", .pending(expected: day("2025-12-01"))))
        try a.record(check("B", "KEURMERK", .pending(expected: day("2026-01-01"))))
        try a.record(check("C", "KEURMERK", .pending(expected: day("2025-11-01"))))
        try a.record(check("C", "KEURMERK", .pass))
        let start = day("2026-01-01")
        func flags(today: String) -> [String: [OpenProof.Flag]] {
            Dictionary(uniqueKeysWithValues: a.openProofs(contractStart: start, today: day(today)).map { ($0.bid, $0.flags) })
        }
        #expect(flags(today: "2025-11-15") == ["A": [], "B": [.dueOnOrAfterStart]])
        #expect(flags(today: "2025-12-01") == ["A": [], "B": [.dueOnOrAfterStart]])
        #expect(flags(today: "2025-12-02") == ["A": [.overdue], "B": [.dueOnOrAfterStart]])
        #expect(flags(today: "2026-01-01") == ["A": [.overdue, .missingAtStart], "B": [.dueOnOrAfterStart, .missingAtStart]])
    }
}

@Suite("Blind individual scoring")
struct IndividualScoringTests {
    @Test("Scores lie on the scale, are motivated, and come from cleared members only")
    func scoresAreValidated() throws {
        var a = try smallAssessment()
        #expect(throws: AwardError.mayNotSeeBids(assessor: "p", access: .noDeclaration)) { try a.score("p", "A", 5, 5) }
        try a.clear("p")
        let scale = ScoreScale(min: 0, max: 10, step: 1)
        #expect(throws: AwardError.scoreOffScale(score: 11, scale: scale)) { try a.score("p", "A", 11, 5) }
        #expect(throws: AwardError.scoreOffScale(score: Score(thousandths: 7500), scale: scale)) { try a.score("p", "A", Score(thousandths: 7500), 5) }
        #expect(throws: AwardError.unknownCriterion("Q3")) {
            try a.record(IndividualScore(assessor: "p", bid: "A", criterion: "Q3", score: 5, motivation: "m", submittedAt: t0))
        }
        #expect(throws: AwardError.missingText(field: "motivering van de score")) {
            try a.record(IndividualScore(assessor: "p", bid: "A", criterion: "Q1", score: 5, motivation: "", submittedAt: t0))
        }
    }

    @Test("Nobody sees another's scores until the whole effective committee has scored every criterion")
    func blindUntilAllSubmitted() throws {
        var a = try smallAssessment()
        try a.clear("p", "q")
        try a.declare(ConflictDeclaration(assessor: "r", conflict: .conflict(bidders: ["Aanbieder C"], explanation: "Bestuurder"), declaredAt: t0))
        try a.score("p", "A", 4, 7)
        #expect(a.visibleScores(for: "A", to: "p").map(\.assessor) == ["p", "p"])
        #expect(a.visibleScores(for: "A", to: "q").isEmpty)
        #expect(a.spread(for: "A") == nil)
        // q scores one criterion: still blind.
        try a.record(IndividualScore(assessor: "q", bid: "A", criterion: "Q1", score: 7, motivation: "m", submittedAt: t0))
        #expect(!a.individualScoresOpen(for: "A"))
        #expect(a.awaitingScores(for: "A") == ["q"])
        // p may still change a score while blind.
        try a.record(IndividualScore(assessor: "p", bid: "A", criterion: "Q1", score: 4, motivation: "Herzien", submittedAt: t0))
        try a.record(IndividualScore(assessor: "q", bid: "A", criterion: "Q2", score: 8, motivation: "m", submittedAt: t0))
        #expect(a.individualScoresOpen(for: "A"))
        #expect(a.visibleScores(for: "A", to: "p").count == 4)
        #expect(a.visibleScores(for: "A", to: "q").count == 4)
        #expect(a.visibleScores(for: "A", to: "r").isEmpty)
        #expect(!a.individualScoresOpen(for: "B"))
        // Open scores are frozen.
        #expect(throws: AwardError.individualScoresClosed(bid: "A")) { try a.score("p", "A", 5, 7) }
        // Spread: Q1 4 and 7 is a range of 3 on 0-10, a large disagreement; Q2 7 and 8 is not.
        let spread = try #require(a.spread(for: "A"))
        #expect(spread.map(\.criterion) == ["Q1", "Q2"])
        #expect(spread[0].min == 4 && spread[0].max == 7 && spread[0].range == 3 && spread[0].largeDisagreement && spread[0].count == 2)
        #expect(spread[1].range == 1 && !spread[1].largeDisagreement)
    }

    @Test("Large disagreement is a range of at least 30% of the scale's span")
    func disagreementThreshold() {
        let tenPoints = ScoreScale(min: 0, max: 10, step: 1)
        #expect(ScoreSpread(criterion: "Q", scores: [5, 7], scale: tenPoints)?.largeDisagreement == false)
        #expect(ScoreSpread(criterion: "Q", scores: [5, 8, 6], scale: tenPoints)?.largeDisagreement == true)
        // 1 to 5 in half points: span 4, threshold 1.2; a range of 1 is not large, 1.5 is.
        let fivePoints = ScoreScale(min: 1, max: 5, step: Score(thousandths: 500))
        #expect(ScoreSpread(criterion: "Q", scores: [3, 4], scale: fivePoints)?.largeDisagreement == false)
        #expect(ScoreSpread(criterion: "Q", scores: [3, Score(thousandths: 4500)], scale: fivePoints)?.largeDisagreement == true)
        #expect(ScoreSpread(criterion: "Q", scores: [], scale: fivePoints) == nil)
    }
}

@Suite("Consensus")
struct ConsensusTests {
    func scoredAssessment() throws -> SegmentAssessment {
        var a = try smallAssessment(committee: ["p", "q"])
        try a.clear("p", "q")
        try a.score("p", "A", 6, 7)
        return a
    }

    @Test("Consensus waits for every individual score and needs a rationale")
    func consensusNeedsAllScores() throws {
        var a = try scoredAssessment()
        #expect(throws: AwardError.individualScoresIncomplete(bid: "A", waitingFor: ["q"])) {
            try a.recordConsensus(bid: "A", criterion: "Q1", score: 6, rationale: "r", by: "voorzitter", at: t0)
        }
        try a.score("q", "A", 8, 7)
        #expect(throws: AwardError.missingText(field: "motivering van de consensusscore")) {
            try a.recordConsensus(bid: "A", criterion: "Q1", score: 7, rationale: "", by: "voorzitter", at: t0)
        }
        try a.recordConsensus(bid: "A", criterion: "Q1", score: 7, rationale: "Sterk plan", by: "voorzitter", at: t0)
        #expect(a.consensusScores(of: "A") == nil)
        #expect(throws: AwardError.consensusAlreadyRecorded(bid: "A", criterion: "Q1")) {
            try a.recordConsensus(bid: "A", criterion: "Q1", score: 8, rationale: "x", by: "voorzitter", at: t0)
        }
        try a.recordConsensus(bid: "A", criterion: "Q2", score: 7, rationale: "Goed", by: "voorzitter", at: t0)
        #expect(a.consensusScores(of: "A") == ["Q1": 7, "Q2": 7])
    }

    @Test("A change after consensus needs a reason and is kept as a revision")
    func revisionsAreRecorded() throws {
        var a = try scoredAssessment()
        try a.score("q", "A", 8, 7)
        try a.agree("A", 7, 7)
        #expect(throws: AwardError.missingText(field: "reden van de wijziging")) {
            try a.reviseConsensus(bid: "A", criterion: "Q1", score: 6, rationale: "Zwakker", reason: "", by: "officer", at: t0)
        }
        #expect(throws: AwardError.noConsensusYet(bid: "B", criterion: "Q1")) {
            try a.reviseConsensus(bid: "B", criterion: "Q1", score: 6, rationale: "r", reason: "r", by: "officer", at: t0)
        }
        let later = instant("2025-09-10T14:00:00+02:00")
        try a.reviseConsensus(bid: "A", criterion: "Q1", score: 6, rationale: "Zwakker onderbouwd",
                              reason: "Rekenfout in het verslag", by: "officer", at: later)
        #expect(throws: AwardError.revisionChangesNothing(bid: "A", criterion: "Q1")) {
            try a.reviseConsensus(bid: "A", criterion: "Q1", score: 6, rationale: "Zwakker onderbouwd", reason: "nogmaals", by: "officer", at: later)
        }
        let entry = try #require(a.consensusScore(bid: "A", criterion: "Q1"))
        #expect(entry.score == 6 && entry.originalScore == 7 && entry.rationale == "Zwakker onderbouwd")
        #expect(entry.revisions == [ConsensusRevision(by: "officer", at: later, reason: "Rekenfout in het verslag", oldScore: 7, newScore: 6,
                                                      oldRationale: "Q1 van A overtuigt", newRationale: "Zwakker onderbouwd")])
        #expect(a.consensusScores(of: "A") == ["Q1": 6, "Q2": 7])
    }
}

@Suite("From assessment to selection")
struct SelectionInputTests {
    @Test("A hand-computed case through the engine: C 78, B 72, A failed, D without consensus")
    func assessmentFeedsTheEngine() throws {
        let (design, a) = try assessedSmallCase()
        let input = try AssessedBids(design: design, tender: "T", segments: [a])
        #expect(input.validate(against: design).isEmpty)
        let b = try #require(input.bids.first { $0.id == "B" })
        #expect(b.assessments == [IndividualAssessment(assessor: "p", scores: ["Q1": 8, "Q2": 5]),
                                  IndividualAssessment(assessor: "q", scores: ["Q1": 8, "Q2": 7])])
        #expect(b.consensus == ["Q1": 8, "Q2": 6])
        let result = try SelectionEngine.select(input, design: design).subSegments[0]
        #expect(result.ranking.map(\.bid) == ["C", "B"])
        #expect(result.ranking.map(\.score) == [78, 72])
        #expect(result.selected == ["C"])
        #expect(result.waitingRoom == ["B"])
        #expect(result.excluded.map(\.bid) == ["A", "D"])
        #expect(result.excluded[0].reasons == ["voldoet niet aan minimumeis KVK (KvK): niet ingeschreven"])
        #expect(result.excluded[1].reasons[0].hasPrefix("geen consensusscore"))
    }
}

@Suite("Stored assessment")
struct StoredAssessmentTests {
    @Test("A segment assessment survives a JSON round trip unchanged")
    func jsonRoundTrip() throws {
        var (_, a) = try assessedSmallCase()
        try a.reviseConsensus(bid: "B", criterion: "Q2", score: 5, rationale: "Minder concreet", reason: "Verslag gecorrigeerd",
                              by: "officer", at: instant("2025-09-12T10:00:00+02:00"))
        try a.record(RequirementCheck(bid: "B", requirement: "KEURMERK", outcome: .pending(expected: day("2025-12-01")),
                                      checkedBy: "officer", checkedAt: t0))
        let data = try JSONEncoder().encode(a)
        #expect(try JSONDecoder().decode(SegmentAssessment.self, from: data) == a)
    }
}
