import Foundation
@testable import ZorginkoopCore

/// An instant from ISO 8601 with offset: `2026-03-20T10:00:00+01:00`.
func instant(_ iso: String) -> Date {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    guard let date = formatter.date(from: iso) else { fatalError("bad instant \(iso)") }
    return date
}

func day(_ iso: String) -> CalendarDate { CalendarDate(iso: iso)! }

let t0 = instant("2025-09-01T09:00:00+02:00")

/// A declared bid on the small design's only sub-segment.
func declared(_ id: String, serves: ServiceArea = .all, members: [String] = []) -> DeclaredBid {
    DeclaredBid(id: id, bidder: "Aanbieder \(id)", combinationMembers: members, segment: "S", subSegments: ["SS"], serves: serves)
}

/// The small design's segment with bids A, B, C and committee p, q, r; nothing declared yet.
func smallAssessment(bids: [DeclaredBid] = [declared("A"), declared("B"), declared("C")],
                     committee: [String] = ["p", "q", "r"]) throws -> SegmentAssessment {
    try SegmentAssessment(segment: "S", design: smallDesign(), bids: bids, committee: committee)
}

extension SegmentAssessment {
    mutating func clear(_ assessors: String...) throws {
        for a in assessors { try declare(ConflictDeclaration(assessor: a, conflict: .noConflict, declaredAt: t0)) }
    }

    mutating func passAll(_ bid: String) throws {
        for r in requirements {
            try record(RequirementCheck(bid: bid, requirement: r.code, outcome: .pass, checkedBy: "officer", checkedAt: t0))
        }
    }

    /// Scores Q1 and Q2 of a bid for an assessor, with a motivation.
    mutating func score(_ assessor: String, _ bid: String, _ q1: Score, _ q2: Score) throws {
        try record(IndividualScore(assessor: assessor, bid: bid, criterion: "Q1", score: q1, motivation: "Motivering \(assessor)", submittedAt: t0))
        try record(IndividualScore(assessor: assessor, bid: bid, criterion: "Q2", score: q2, motivation: "Motivering \(assessor)", submittedAt: t0))
    }

    mutating func agree(_ bid: String, _ q1: Score, _ q2: Score) throws {
        try recordConsensus(bid: bid, criterion: "Q1", score: q1, rationale: "Q1 van \(bid) overtuigt", by: "voorzitter", at: t0)
        try recordConsensus(bid: bid, criterion: "Q2", score: q2, rationale: "Q2 van \(bid) overtuigt", by: "voorzitter", at: t0)
    }
}

/// The hand-computed case: on the small design (min 1, max 3), A fails KVK, B scores 72 and C 78 in
/// consensus, D has no consensus; r declared a conflict with D.
func assessedSmallCase() throws -> (Design, SegmentAssessment) {
    let design = smallDesign(min: 1, max: 3)
    var a = try SegmentAssessment(segment: "S", design: design,
                                  bids: [declared("A"), declared("B"), declared("C"), declared("D")], committee: ["p", "q", "r"])
    try a.clear("p", "q")
    try a.declare(ConflictDeclaration(assessor: "r", conflict: .conflict(bidders: ["Aanbieder D"], explanation: "Adviseur"), declaredAt: t0))
    try a.record(RequirementCheck(bid: "A", requirement: "KVK", outcome: .fail(reason: "niet ingeschreven"), checkedBy: "officer", checkedAt: t0))
    try a.record(RequirementCheck(bid: "A", requirement: "KEURMERK", outcome: .pass, checkedBy: "officer", checkedAt: t0))
    for bid in ["B", "C", "D"] { try a.passAll(bid) }
    try a.score("p", "B", 8, 5); try a.score("q", "B", 8, 7)
    try a.score("p", "C", 7, 9); try a.score("q", "C", 6, 9)
    try a.score("p", "D", 9, 9)
    // B: 60 × 8 + 40 × 6 = 720 steps of 10, 72; C: 60 × 7 + 40 × 9 = 780, 78.
    try a.agree("B", 8, 6)
    try a.agree("C", 7, 9)
    return (design, a)
}
