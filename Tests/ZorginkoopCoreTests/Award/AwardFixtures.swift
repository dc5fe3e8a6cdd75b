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
