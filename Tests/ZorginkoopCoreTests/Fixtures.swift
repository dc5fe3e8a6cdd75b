import Foundation
@testable import ZorginkoopCore

/// A small design for hand-computed cases: three municipalities, one lot with one segment and
/// one sub-segment, two criteria weighted 60/40, scale 0 to 10.
func smallDesign(min: Int = 1, max: Int = 3, specialisms: [String] = [], capacity: [String: Int] = [:]) -> Design {
    Design(
        code: "test", name: "Test",
        region: Region(code: "r", name: "Regio", leadMunicipality: "a", municipalities: [
            Municipality(code: "a", name: "Aa", cbsCode: "GM0001", clients: 100, clientsYear: 2023, transportArrangement: "ZOOV"),
            Municipality(code: "b", name: "Bee", cbsCode: "GM0002", clients: 50, clientsYear: 2023, transportArrangement: "ZOOV"),
            Municipality(code: "c", name: "Cee", cbsCode: "GM0003", clients: 25, clientsYear: 2023, transportArrangement: "ZOOV"),
        ]),
        scoreScale: ScoreScale(min: 0, max: 10, step: 1),
        requirements: [
            Requirement(code: "KVK", name: "KvK", description: ""),
            Requirement(code: "KEURMERK", name: "Keurmerk", description: "", proofMayFollow: true),
        ],
        lots: [Lot(code: "L", name: "Perceel", description: "", criteria: [
            Criterion(code: "Q1", name: "Eerste", description: ""),
            Criterion(code: "Q2", name: "Tweede", description: ""),
        ], segments: [Segment(code: "S", name: "Segment", description: "", weights: ["Q1": 60, "Q2": 40],
                              fundingModel: .effortBased, subSegments: [
            SubSegment(code: "SS", name: "Sub", description: "", minProviders: min, maxProviders: max,
                       requiredSpecialisms: specialisms, requiredCapacity: capacity),
        ])])],
        tenders: [Tender(code: "T", name: "Tender", procedure: .european, lots: ["L"], contractTerm: ContractTerm(
            start: CalendarDate(iso: "2026-01-01")!, initialEnd: CalendarDate(iso: "2027-12-31")!, initialTermMonths: 24,
            extensionMonths: 12, maxExtensions: 1, maxTotalMonths: 36, maxEnd: CalendarDate(iso: "2028-12-31")!))])
}

/// A bid on the small design's only sub-segment, passing every requirement.
func bid(_ id: String, _ q1: Score, _ q2: Score, serves: ServiceArea = .all, specialisms: [String] = [],
         capacity: [String: Int] = [:], bidder: String? = nil) -> AssessedBid {
    AssessedBid(id: id, bidder: bidder ?? "Aanbieder \(id)", segment: "S", subSegments: ["SS"], serves: serves,
                specialisms: specialisms, capacity: capacity,
                requirements: ["KVK": .pass, "KEURMERK": .pass], consensus: ["Q1": q1, "Q2": q2])
}

func only(_ municipalities: String...) -> ServiceArea {
    .only(municipalities: municipalities, justification: "Alleen hier aanwezig")
}

func selectOne(_ design: Design, _ bids: [AssessedBid], draws: [Draw] = [], noGo: [NoGo] = []) throws -> SubSegmentSelection {
    let input = AssessedBids(design: design.code, tender: "T", noGo: noGo, draws: draws, bids: bids)
    return try SelectionEngine.select(input, design: design).subSegments[0]
}
