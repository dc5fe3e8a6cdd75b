import Foundation

/// The assessed bids do not fit the design; nothing was selected.
public struct InvalidInput: Error, Sendable {
    public var problems: [Problem]

    public init(problems: [Problem]) { self.problems = problems }
}

/// Ranking, selection under the waiting-room rule, and the waiting room, per sub-segment.
/// The rule is written out for officials in docs/selection.md; this is its only implementation.
public enum SelectionEngine {
    /// Selects per sub-segment of the tender. Throws `InvalidInput` when the bids do not fit the design.
    public static func select(_ input: AssessedBids, design: Design) throws -> TenderSelection {
        let problems = input.validate(against: design)
        guard problems.isEmpty else { throw InvalidInput(problems: problems) }
        let tender = design.tender(input.tender)!
        // Input order must never matter: everything below works on bids sorted by id.
        let bids = input.bids.sorted { $0.id < $1.id }
        var results: [SubSegmentSelection] = []
        for lot in design.lots(of: tender) {
            let requirements = design.requirements(forLot: lot.code)
            for segment in lot.segments {
                let segmentBids = bids.filter { $0.segment == segment.code }
                // Eligibility and score belong to the bid and its segment: assess once for all its sub-segments.
                let assessor = EligibilityAssessor(design: design, tender: tender, lot: lot, segment: segment,
                                                   requirements: requirements)
                let eligibility = Dictionary(uniqueKeysWithValues: segmentBids.map { ($0.id, assessor.assess($0)) })
                let participants = participants(of: segment, design: design, noGo: input.noGo)
                for sub in segment.subSegments {
                    let context = SubSegmentContext(
                        segment: segment, sub: sub, participants: participants,
                        coverage: input.coverage.first { $0.subSegment == sub.code }
                            ?? CoverageRequirement(subSegment: sub.code, specialisms: sub.requiredSpecialisms,
                                                   capacity: sub.requiredCapacity),
                        draw: input.draws.first { $0.subSegment == sub.code })
                    results.append(context.select(segmentBids.filter { $0.subSegments.contains(sub.code) }, eligibility: eligibility))
                }
            }
        }
        return TenderSelection(design: design.code, tender: tender.code, subSegments: results)
    }

    static func participants(of segment: Segment, design: Design, noGo: [NoGo]) -> [Municipality] {
        let out = Set(noGo.filter { $0.segment == segment.code }.map(\.municipality))
        return design.participants(ofSegment: segment).filter { !out.contains($0.code) }
    }
}

enum Eligibility {
    case eligible(WeightedScore, pending: [Condition])
    case excluded([String])
}

/// Decides whether a bid may be ranked in its segment, and its weighted score.
struct EligibilityAssessor {
    let design: Design
    let tender: Tender
    let lot: Lot
    let segment: Segment
    let requirements: [Requirement]

    func assess(_ bid: AssessedBid) -> Eligibility {
        var reasons: [String] = []
        var pending: [Condition] = []
        for requirement in requirements {
            var label: String { "minimumeis \(requirement.code) (\(requirement.name))" }
            switch bid.requirements[requirement.code] {
            case nil:
                reasons.append("\(label) is niet beoordeeld")
            case .pass:
                break
            case let .fail(reason):
                reasons.append("voldoet niet aan \(label): \(reason)")
            case let .pending(expected):
                if !requirement.proofMayFollow {
                    reasons.append("\(label): bewijs ontbreekt en mag voor deze eis niet later volgen")
                } else if expected > tender.contractTerm.start {
                    reasons.append("\(label): bewijs verwacht op \(expected.dutch), na de start van de overeenkomst op \(tender.contractTerm.start.dutch)")
                } else {
                    pending.append(Condition(bid: bid.id, requirement: requirement.code, expected: expected))
                }
            }
        }
        // A bid that fails a requirement is not assessed, so missing scores are not worth reporting.
        guard reasons.isEmpty else { return .excluded(reasons) }
        guard let consensus = bid.consensus else {
            return .excluded(["geen consensusscore: de commissie heeft deze inschrijving nog niet in consensus beoordeeld"])
        }
        let missing = lot.criteria.filter { (segment.weights[$0.code] ?? 0) > 0 && consensus[$0.code] == nil }
        guard missing.isEmpty else {
            return .excluded(missing.map { "geen consensusscore voor criterium \($0.code) (\($0.name))" })
        }
        // Validation has put every score on the scale.
        let score = WeightedScore(consensus: consensus, weights: segment.weights, scale: design.scoreScale)!
        return .eligible(score, pending: pending)
    }
}

/// Everything the rule needs to know about one sub-segment.
struct SubSegmentContext {
    let segment: Segment
    let sub: SubSegment
    let participants: [Municipality]
    let coverage: CoverageRequirement
    let draw: Draw?

    /// An eligible bid with its score and place.
    /// A class, not a struct: candidates are filtered and copied between lists many times, and
    /// copying a whole bid each time costs more than the rule itself.
    final class Candidate {
        let bid: AssessedBid
        let score: WeightedScore
        /// The bids with exactly this score, this one included.
        let group: [String]
        let orderedByDraw: Bool
        var id: String { bid.id }

        init(bid: AssessedBid, score: WeightedScore, group: [String], orderedByDraw: Bool) {
            self.bid = bid
            self.score = score
            self.group = group
            self.orderedByDraw = orderedByDraw
        }
    }

    final class StepLog {
        var steps: [Step] = []
        func add(_ kind: Step.Kind, _ bids: [String], _ text: String) {
            steps.append(Step(number: steps.count + 1, kind: kind, bids: bids, text: text))
        }
    }

    func select(_ bids: [AssessedBid], eligibility: [String: Eligibility]) -> SubSegmentSelection {
        let log = StepLog()
        var excluded: [ExcludedBid] = []
        var eligible: [(AssessedBid, WeightedScore)] = []
        var conditions: [Condition] = []
        for bid in bids {
            switch eligibility[bid.id]! {
            case let .excluded(reasons):
                excluded.append(ExcludedBid(bid: bid.id, bidder: bid.bidder, reasons: reasons))
                log.add(.excluded, [bid.id], "Inschrijving \(bid.id) (\(bid.bidder)) is uitgesloten: \(reasons.joined(separator: "; ")).")
            case let .eligible(score, pending):
                eligible.append((bid, score))
                conditions += pending
            }
        }
        let order = rankOrder(eligible, log: log)
        let ranking = rankedBids(order)

        var selected: [Candidate] = []
        var ties: [Tie] = []
        var shortfall: Shortfall?
        var maximumReachedWithGaps = false
        var halted = false

        if order.count < sub.minProviders {
            shortfall = Shortfall(eligible: order.count, min: sub.minProviders)
        }
        // Step 1: the minimum number, best ranked first.
        let minimum = Swift.min(sub.minProviders, order.count)
        var position = 0
        while selected.count < minimum {
            let candidate = order[position]
            let groupRest = order[position...].prefix { candidate.group.contains($0.id) }
            let placesLeft = minimum - selected.count
            if !candidate.orderedByDraw && groupRest.count > 1 && groupRest.count > placesLeft {
                let tie = Tie(stage: .minimum, bids: groupRest.map(\.id), score: candidate.score.value, places: placesLeft)
                ties.append(tie)
                log.add(.tieUnresolved, tie.bids, "Gelijke score (\(candidate.score.dutch)) tussen \(list(tie.bids)) voor \(placesLeft) resterende plaats(en) binnen het minimum van \(sub.minProviders). Zonder vastgelegde loting wordt hier niet gekozen; de selectie stopt tot er geloot is.")
                halted = true
                break
            }
            selected.append(candidate)
            log.add(.selectedForMinimum, [candidate.id], "Inschrijving \(candidate.id) (\(candidate.bid.bidder)) is geselecteerd: positie \(position + 1) in de rangorde met score \(candidate.score.dutch), binnen het minimum van \(sub.minProviders) aanbieder(s).")
            position += 1
        }

        // Step 2: while coverage has gaps and the maximum allows, invite the best-ranked waiting bid that reduces a gap.
        var gaps = self.gaps(for: selected)
        if !halted {
            log.add(.coverageChecked, [], gaps.isEmpty
                ? "Dekking na het minimum: alle \(participants.count) deelnemende gemeenten zijn gedekt\(cellsNote)."
                : "Dekking na het minimum: \(gaps.count) gat(en): \(gaps.map(\.description).joined(separator: "; ")).")
        }
        while !halted && !gaps.isEmpty {
            if selected.count >= sub.maxProviders {
                maximumReachedWithGaps = true
                log.add(.maximumReachedWithGaps, [], "Het maximum van \(sub.maxProviders) aanbieder(s) is bereikt terwijl er nog gaten zijn: \(gaps.map(\.description).joined(separator: "; ")).")
                break
            }
            let chosenIDs = Set(selected.map(\.id))
            let waiting = order.filter { !chosenIDs.contains($0.id) }
            let helpful = waiting.filter { !reducedGaps(by: $0.bid, in: gaps).isEmpty }
            guard let leader = helpful.first else {
                log.add(.noWaitingBidClosesGaps, [], "Geen wachtende inschrijving dekt een van de resterende gaten: \(gaps.map(\.description).joined(separator: "; ")).")
                break
            }
            let rivals = helpful.filter { leader.group.contains($0.id) }
            var chosen = leader
            if rivals.count > 1 && !leader.orderedByDraw {
                // The tie is between the rivals that each close a gap, so a draw among exactly them settles it.
                guard let draw, let first = draw.first(of: rivals.map(\.id)) else {
                    let tie = Tie(stage: .coverage, bids: rivals.map(\.id), score: leader.score.value, places: sub.maxProviders - selected.count)
                    ties.append(tie)
                    log.add(.tieUnresolved, tie.bids, "Gelijke score (\(leader.score.dutch)) tussen \(list(tie.bids)), die elk een gat dekken. Zonder vastgelegde loting wordt hier niet gekozen; de selectie stopt tot er geloot is.")
                    halted = true
                    break
                }
                chosen = rivals.first { $0.id == first }!
                log.add(.drawApplied, rivals.map(\.id), "Gelijke score (\(leader.score.dutch)) tussen \(list(rivals.map(\.id))), die elk een gat dekken; volgens de loting door \(draw.drawnBy) op \(draw.drawnAt) gaat \(first) voor.")
            }
            let best = chosen
            // Only bids with a higher score were passed over; equal scores have no order to pass over.
            let skipped = waiting.prefix { $0.id != best.id }.filter { $0.score > best.score }.map(\.id)
            let closes = reducedGaps(by: best.bid, in: gaps)
            selected.append(best)
            let skippedNote = skipped.isEmpty ? "" : " Hoger gerangschikt maar zonder bijdrage aan een gat: \(list(skipped))."
            log.add(.invitedForCoverage, [best.id], "Inschrijving \(best.id) (\(best.bid.bidder)) is uitgenodigd voor dekkend aanbod: de best gerangschikte wachtende inschrijving (score \(best.score.dutch)) die bijdraagt aan \(closes.map(\.description).joined(separator: "; ")).\(skippedNote)")
            gaps = self.gaps(for: selected)
        }
        if !halted && gaps.isEmpty && selected.count > minimum {
            log.add(.coverageComplete, [], "Het aanbod is dekkend met \(selected.count) aanbieder(s).")
        }
        if let shortfall {
            log.add(.shortfall, selected.map(\.id), "Er zijn \(shortfall.eligible) geschikte inschrijving(en), minder dan het minimum van \(shortfall.min); alle geschikte inschrijvingen zijn geselecteerd.")
        }

        // Step 3: the ranked rest is the waiting room.
        let selectedIDs = Set(selected.map(\.id))
        let waitingRoom = order.filter { !selectedIDs.contains($0.id) }
        for (i, candidate) in waitingRoom.enumerated() {
            let tieNote = ties.contains { $0.bids.contains(candidate.id) } ? " (wacht op loting)" : ""
            log.add(.waiting, [candidate.id], "Inschrijving \(candidate.id) (\(candidate.bid.bidder)) staat in de wachtkamer op plaats \(i + 1), met score \(candidate.score.dutch)\(tieNote).")
        }
        let conditionsKept = conditions.filter { c in order.contains { $0.id == c.bid } }
        return SubSegmentSelection(
            code: sub.code, name: sub.name, segment: segment.code,
            min: sub.minProviders, max: sub.maxProviders,
            ranking: ranking, selected: selected.map(\.id), waitingRoom: waitingRoom.map(\.id),
            excluded: excluded, gaps: gaps, ties: ties, shortfall: shortfall,
            maximumReachedWithGaps: maximumReachedWithGaps, conditions: conditionsKept, explanation: log.steps)
    }

    // MARK: Ranking

    /// Eligible bids by score, best first. Equal scores are ordered by a recorded draw when it names
    /// all of them; otherwise they keep id order for display only and count as unresolved.
    func rankOrder(_ eligible: [(AssessedBid, WeightedScore)], log: StepLog) -> [Candidate] {
        let byScore = Dictionary(grouping: eligible, by: { $0.1 })
        var order: [Candidate] = []
        for key in byScore.keys.sorted(by: >) {
            let score = byScore[key]![0].1
            let members = byScore[key]!.map(\.0).sorted { $0.id < $1.id }
            let ids = members.map(\.id)
            var ordered = members
            var byDraw = false
            if members.count > 1, let draw, Set(ids).isSubset(of: Set(draw.order)) {
                ordered = members.sorted { draw.order.firstIndex(of: $0.id)! < draw.order.firstIndex(of: $1.id)! }
                byDraw = true
                log.add(.drawApplied, ordered.map(\.id), "Gelijke score (\(score.dutch)) tussen \(list(ids)); volgorde bepaald door loting door \(draw.drawnBy) op \(draw.drawnAt): \(list(ordered.map(\.id))).")
            } else if members.count > 1, let draw, !Set(ids).isDisjoint(with: Set(draw.order)) {
                log.add(.drawIncomplete, ids, "De loting van \(draw.drawnBy) noemt niet alle inschrijvingen met score \(score.dutch) (\(list(ids))) en bepaalt daarom niet hun volgorde in de rangorde; zij beslist wel waar alleen de genoemde inschrijvingen om een plaats strijden.")
            }
            order += ordered.map { Candidate(bid: $0, score: score, group: ids, orderedByDraw: byDraw) }
        }
        if !order.isEmpty {
            log.add(.ranked, order.map(\.id), "\(order.count) geschikte inschrijving(en) gerangschikt op gewogen score (0-100) met de weging van segment \(segment.code): hoogste \(order.first!.score.dutch), laagste \(order.last!.score.dutch).")
        }
        return order
    }

    func rankedBids(_ order: [Candidate]) -> [RankedBid] {
        var rank = 0
        return order.enumerated().map { i, c in
            // The order is by score, so a new score starts a new rank: 1 + the bids above it.
            if i == 0 || order[i - 1].score != c.score { rank = i + 1 }
            return RankedBid(bid: c.id, bidder: c.bid.bidder, score: c.score.rounded, rank: rank,
                             position: i + 1, tied: c.group.count > 1, orderedByDraw: c.orderedByDraw)
        }
    }

    // MARK: Coverage

    var cellsNote: String {
        var parts: [String] = []
        if !coverage.specialisms.isEmpty { parts.append("met specialismen \(coverage.specialisms.joined(separator: ", "))") }
        if coverage.capacity.values.contains(where: { $0 > 0 }) { parts.append("met de vereiste capaciteit") }
        return parts.isEmpty ? "" : " " + parts.joined(separator: " en ")
    }

    func serves(_ bid: AssessedBid, _ municipality: String) -> Bool {
        switch bid.serves {
        case .all: true
        case let .only(municipalities, _): municipalities.contains(municipality)
        }
    }

    /// The open coverage cells given the selected bids.
    func gaps(for selected: [Candidate]) -> [Gap] {
        var gaps: [Gap] = []
        for m in participants {
            let serving = selected.filter { serves($0.bid, m.code) }
            if coverage.specialisms.isEmpty {
                if serving.isEmpty {
                    gaps.append(Gap(kind: .presence, municipality: m.code, municipalityName: m.name))
                }
            } else {
                for s in coverage.specialisms where !serving.contains(where: { $0.bid.specialisms.contains(s) }) {
                    gaps.append(Gap(kind: .specialism, municipality: m.code, municipalityName: m.name, specialism: s))
                }
            }
            let required = coverage.capacity[m.code] ?? 0
            let available = serving.reduce(0) { $0 + ($1.bid.capacity[m.code] ?? 0) }
            if required > 0 && available < required {
                gaps.append(Gap(kind: .capacity, municipality: m.code, municipalityName: m.name,
                                required: required, available: available))
            }
        }
        return gaps
    }

    /// The gaps a bid would close or, for capacity, shrink.
    func reducedGaps(by bid: AssessedBid, in gaps: [Gap]) -> [Gap] {
        gaps.filter { gap in
            guard serves(bid, gap.municipality) else { return false }
            switch gap.kind {
            case .presence: return true
            case .specialism: return bid.specialisms.contains(gap.specialism ?? "")
            case .capacity: return (bid.capacity[gap.municipality] ?? 0) > 0
            }
        }
    }

    func list(_ ids: [String]) -> String { ids.joined(separator: ", ") }
}
