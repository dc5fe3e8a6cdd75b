import Foundation
import Testing
@testable import ZorginkoopCore
import ZorginkoopCatalog

/// Properties that hold for every input, checked over generated tenders: the bundled designs with
/// example bids, and the small design with random bids, draws, no-gos and coverage requirements.
@Suite("Selection properties over generated inputs")
struct SelectionPropertyTests {
    static let seeds: [UInt64] = Array(1...25)

    static func randomSmallInput(seed: UInt64) -> (Design, AssessedBids) {
        var rng = SeededRandom(seed: seed)
        let min = Int.random(in: 1...4, using: &rng)
        let design = smallDesign(min: min, max: min + Int.random(in: 0...3, using: &rng),
                                 specialisms: rng.chance(0.4) ? ["LVB", "GGZ"] : [],
                                 capacity: rng.chance(0.4) ? ["a": Int.random(in: 1...12, using: &rng)] : [:])
        let municipalities = ["a", "b", "c"]
        let bids = (0..<Int.random(in: 0...12, using: &rng)).map { i -> AssessedBid in
            // A coarse scale of scores makes ties frequent.
            var b = bid(String(format: "B%02d", i), Score(integerLiteral: Int.random(in: 4...7, using: &rng)), Score(integerLiteral: Int.random(in: 4...7, using: &rng)),
                        serves: rng.chance(0.5) ? .all : .only(municipalities: municipalities.filter { _ in rng.chance(0.5) } + ["a"], justification: "Nabij"),
                        specialisms: ["LVB", "GGZ"].filter { _ in rng.chance(0.5) },
                        capacity: ["a": Int.random(in: 0...5, using: &rng)])
            if rng.chance(0.1) { b.requirements["KVK"] = .fail(reason: "Ontbreekt") }
            if rng.chance(0.1) { b.consensus = nil }
            return b
        }
        var draws: [Draw] = []
        if rng.chance(0.5) {
            draws = [Draw(subSegment: "SS", order: bids.map(\.id).shuffled(using: &rng), drawnBy: "Notaris", drawnAt: "2026-01-01")]
        }
        let noGo = rng.chance(0.3) ? [NoGo(segment: "S", municipality: "c")] : []
        return (design, AssessedBids(design: "test", tender: "T", noGo: noGo, draws: draws, bids: bids))
    }

    static func allInputs() throws -> [(Design, AssessedBids)] {
        let design2022 = try Catalog.bundledDesign("achterhoek-2022")
        let design2026 = try Catalog.bundledDesign("achterhoek-2026")
        var inputs = seeds.prefix(6).map { (design2022, ExampleBids.generate(design: design2022, seed: $0)) }
        inputs += design2026.tenders.map { (design2026, ExampleBids.generate(design: design2026, tender: $0.code, seed: 3)) }
        inputs += (1...300).map { randomSmallInput(seed: $0) }
        return inputs
    }

    @Test("Every bid of a sub-segment lands in exactly one of selected, waiting room and excluded")
    func partition() throws {
        for (design, input) in try Self.allInputs() {
            for result in try SelectionEngine.select(input, design: design).subSegments {
                let bidding = input.bids.filter { $0.subSegments.contains(result.code) }.map(\.id).sorted()
                let placed = (result.selected + result.waitingRoom + result.excluded.map(\.bid)).sorted()
                #expect(placed == bidding, "\(design.code) \(result.code)")
            }
        }
    }

    @Test("The selected count stays within min and max, unless short of eligible bids or stopped at a tie")
    func boundsHold() throws {
        for (design, input) in try Self.allInputs() {
            for r in try SelectionEngine.select(input, design: design).subSegments {
                #expect(r.selected.count <= r.max)
                if r.ties.isEmpty {
                    #expect(r.selected.count >= Swift.min(r.min, r.ranking.count))
                    #expect((r.shortfall != nil) == (r.ranking.count < r.min))
                }
                // Beyond the minimum only for coverage.
                let invited = r.explanation.filter { $0.kind == .invitedForCoverage }.count
                #expect(r.selected.count <= Swift.max(r.min, 0) + invited)
            }
        }
    }

    @Test("The ranking is sorted by score, ranks are competition ranks, the waiting room keeps rank order")
    func rankingSorted() throws {
        for (design, input) in try Self.allInputs() {
            for r in try SelectionEngine.select(input, design: design).subSegments {
                #expect(zip(r.ranking, r.ranking.dropFirst()).allSatisfy { $0.score >= $1.score })
                for (i, b) in r.ranking.enumerated() {
                    #expect(b.rank == 1 + r.ranking.filter { $0.score > b.score }.count)
                    #expect(b.position == i + 1)
                }
                let positions = r.waitingRoom.map { id in r.ranking.firstIndex { $0.bid == id }! }
                #expect(positions == positions.sorted())
                // No bid is selected while a better-scored bid waits, unless coverage or a tie explains it.
                let lowestSelected = r.ranking.filter { r.selected.contains($0.bid) }.map(\.score).min()
                if let lowestSelected, r.explanation.allSatisfy({ $0.kind != .invitedForCoverage }) {
                    #expect(r.waitingRoom.allSatisfy { id in r.ranking.first { $0.bid == id }!.score <= lowestSelected })
                }
            }
        }
    }

    @Test("Deterministic: the same input in any order gives the same result")
    func determinism() throws {
        var rng = SeededRandom(seed: 99)
        for (design, input) in try Self.allInputs() {
            var shuffled = input
            shuffled.bids.shuffle(using: &rng)
            #expect(try SelectionEngine.select(input, design: design) == SelectionEngine.select(shuffled, design: design))
        }
    }

    @Test("The explanation agrees with the result: one step per selected, waiting and excluded bid")
    func explanationAgrees() throws {
        for (design, input) in try Self.allInputs() {
            for r in try SelectionEngine.select(input, design: design).subSegments {
                let steps = r.explanation
                let selectedSteps = steps.filter { [.selectedForMinimum, .invitedForCoverage].contains($0.kind) }.flatMap(\.bids)
                #expect(selectedSteps == r.selected)
                #expect(steps.filter { $0.kind == .waiting }.flatMap(\.bids) == r.waitingRoom)
                #expect(steps.filter { $0.kind == .excluded }.flatMap(\.bids) == r.excluded.map(\.bid))
                #expect(steps.map(\.number) == Array(1...steps.count).filter { _ in !steps.isEmpty })
                #expect(steps.filter { $0.kind == .tieUnresolved }.count == r.ties.count)
                if !r.gaps.isEmpty && r.ties.isEmpty {
                    #expect(steps.contains { [.maximumReachedWithGaps, .noWaitingBidClosesGaps].contains($0.kind) })
                }
            }
        }
    }

    @Test("Gaps are exactly the open cells: recomputing coverage from the selected bids agrees")
    func gapsAreOpenCells() throws {
        for (design, input) in try Self.allInputs().suffix(300) {
            let r = try SelectionEngine.select(input, design: design).subSegments[0]
            let selected = input.bids.filter { r.selected.contains($0.id) }
            let participants = ["a", "b", "c"].filter { m in !input.noGo.contains { $0.municipality == m } }
            let sub = design.subSegments[0]
            func serves(_ b: AssessedBid, _ m: String) -> Bool {
                if case let .only(list, _) = b.serves { return list.contains(m) }
                return true
            }
            var expected = 0
            for m in participants {
                let serving = selected.filter { serves($0, m) }
                if sub.requiredSpecialisms.isEmpty {
                    if serving.isEmpty { expected += 1 }
                } else {
                    expected += sub.requiredSpecialisms.filter { s in !serving.contains { $0.specialisms.contains(s) } }.count
                }
                if let need = sub.requiredCapacity[m], serving.reduce(0, { $0 + ($1.capacity[m] ?? 0) }) < need { expected += 1 }
            }
            #expect(r.gaps.count == expected)
        }
    }

    @Test("Example bids are deterministic per seed and show a tie, an invitation for coverage and exclusions")
    func exampleBidsShowTheRules() throws {
        let design = try Catalog.bundledDesign("achterhoek-2022")
        for seed in Self.seeds.prefix(5) {
            let input = ExampleBids.generate(design: design, seed: seed)
            #expect(input == ExampleBids.generate(design: design, seed: seed))
            #expect(input.validate(against: design).isEmpty)
            let result = try SelectionEngine.select(input, design: design)
            #expect(result.subSegments.contains { !$0.ties.isEmpty }, "seed \(seed): a tie")
            #expect(result.subSegments.contains { $0.explanation.contains { $0.kind == .invitedForCoverage } }, "seed \(seed): coverage")
            #expect(result.subSegments.contains { !$0.excluded.isEmpty }, "seed \(seed): exclusions")
            #expect(input.bids.contains { if case .only = $0.serves { true } else { false } }, "seed \(seed): partial service")
            #expect(input.bids.allSatisfy { $0.consensus == nil || $0.assessments.count == 3 }, "seed \(seed): three assessors")
        }
        #expect(ExampleBids.generate(design: design, seed: 1) != ExampleBids.generate(design: design, seed: 2))
    }
}
