import Foundation

/// Generates a realistic, deterministic set of assessed bids for a tender of a design: several
/// assessors per bid, consensus scores, some bids failing requirements or still unscored, some
/// serving only part of the region, combinations and subcontractors, and at least one tie.
public enum ExampleBids {
    /// - Parameters:
    ///   - totalBids: spread over the segments in proportion to their largest maximum; when nil,
    ///     each segment gets a little more bidders than its largest sub-segment may contract.
    public static func generate(design: Design, tender tenderCode: String? = nil, seed: UInt64,
                                totalBids: Int? = nil) -> AssessedBids {
        let tender = tenderCode.flatMap(design.tender) ?? design.tenders[0]
        var rng = SeededRandom(seed: seed)
        var names = OrganisationNames()
        let segments = design.lots(of: tender).flatMap { lot in lot.segments.map { (lot, $0) } }
        let counts = bidderCounts(segments.map(\.1), totalBids: totalBids)
        var bids: [AssessedBid] = []
        for ((lot, segment), count) in zip(segments, counts) {
            let participants = design.participants(ofSegment: segment)
            for _ in 0..<count {
                bids.append(makeBid(number: bids.count + 1, lot: lot, segment: segment, participants: participants,
                                    design: design, tender: tender, bidderCount: count, names: &names, rng: &rng))
            }
        }
        var input = AssessedBids(design: design.code, tender: tender.code, bids: bids)
        makeBestBidCoverOnlyPart(&input, design: design)
        makeTieAtACut(&input, design: design)
        return input
    }

    static func bidderCounts(_ segments: [Segment], totalBids: Int?) -> [Int] {
        let largest = segments.map { $0.subSegments.map(\.maxProviders).max() ?? 1 }
        guard let totalBids else { return largest.map { $0 + $0 / 6 + 2 } }
        let sum = max(largest.reduce(0, +), 1)
        var counts = largest.map { max(1, $0 * totalBids / sum) }
        var i = 0
        while counts.reduce(0, +) < totalBids {  // hand out what integer division left over
            counts[i % counts.count] += 1
            i += 1
        }
        while counts.reduce(0, +) > totalBids, let j = counts.indices.max(by: { counts[$0] < counts[$1] }) {
            counts[j] -= 1
        }
        return counts
    }

    static func makeBid(number: Int, lot: Lot, segment: Segment, participants: [Municipality], design: Design,
                        tender: Tender, bidderCount: Int, names: inout OrganisationNames,
                        rng: inout SeededRandom) -> AssessedBid {
        let id = String(format: "B%04d", number)
        var subSegments = segment.subSegments.filter { sub in
            rng.chance(min(1, max(0.15, Double(sub.maxProviders) * 1.1 / Double(bidderCount))))
        }.map(\.code)
        if subSegments.isEmpty { subSegments = [segment.subSegments.randomElement(using: &rng)!.code] }

        let bidder = names.next(using: &rng)
        let members = rng.chance(0.06) ? (0..<Int.random(in: 1...2, using: &rng)).map { _ in names.next(using: &rng) } : []
        let subcontractors = rng.chance(0.1) ? [names.next(using: &rng)] : []
        var serves = ServiceArea.all
        if participants.count > 2 && rng.chance(0.15) {
            let count = Int.random(in: 1...max(1, participants.count - 2), using: &rng)
            let chosen = participants.shuffled(using: &rng).prefix(count).map(\.code).sorted()
            serves = .only(municipalities: chosen, justification: justifications.randomElement(using: &rng)!)
        }
        let served = participants.filter { m in
            if case let .only(list, _) = serves { return list.contains(m.code) }
            return true
        }
        var capacity: [String: Int] = [:]
        for m in served {
            capacity[m.code] = max(1, Int(Double(m.clients) / 250 * Double.random(in: 0.4...1.6, using: &rng)))
        }
        let required = segment.subSegments.filter { subSegments.contains($0.code) }.flatMap(\.requiredSpecialisms)
        let specialisms = Array(Set(required)).sorted().filter { _ in rng.chance(0.55) }

        var requirements: [String: RequirementOutcome] = [:]
        for requirement in design.requirements(forLot: lot.code) { requirements[requirement.code] = .pass }
        let roll = Double.random(in: 0..<1, using: &rng)
        if roll < 0.07, let failing = design.requirements(forLot: lot.code).randomElement(using: &rng) {
            requirements[failing.code] = .fail(reason: failureReasons[failing.code] ?? "Onvoldoende aangetoond met de ingediende stukken")
        } else if roll < 0.12, let deferrable = design.requirements(forLot: lot.code).first(where: \.proofMayFollow) {
            let start = tender.contractTerm.start
            let expected = rng.chance(0.75) ? start.adding(months: -Int.random(in: 1...5, using: &rng)) : start.adding(months: 2)
            requirements[deferrable.code] = .pending(expected: expected)
        }

        let assessors = (1...3).map { "beoordelaar-\(segment.code.lowercased())-\($0)" }
        let quality = Double.random(in: 3...9, using: &rng)
        var assessments = assessors.map { IndividualAssessment(assessor: $0, scores: [:]) }
        var consensus: [String: Score] = [:]
        for criterion in lot.criteria {
            let base = quality + Double.random(in: -1.5...1.5, using: &rng)
            var given: [Score] = []
            for a in assessments.indices {
                let score = design.scoreScale.nearest(base + Double.random(in: -1.2...1.2, using: &rng))
                assessments[a].scores[criterion.code] = score
                given.append(score)
            }
            consensus[criterion.code] = given.sorted()[given.count / 2]
        }
        let failed = requirements.values.contains { if case .fail = $0 { true } else { false } }
        let unscored = !failed && rng.chance(0.02)
        return AssessedBid(
            id: id, bidder: bidder, combinationMembers: members, subcontractors: subcontractors,
            segment: segment.code, subSegments: subSegments, serves: serves, specialisms: specialisms,
            capacity: capacity, transport: design.transportOptions.randomElement(using: &rng)?.code,
            requirements: requirements,
            assessments: failed ? [] : assessments,
            consensus: failed || unscored ? nil : consensus)
    }

    /// Lets the best bid of a sub-segment with a minimum of one serve only part of the region, so the
    /// example shows the next-best bid invited to close the gap, as in the note's own example (IAJ,
    /// Persoonlijke verzorging: min 1, max 4).
    static func makeBestBidCoverOnlyPart(_ input: inout AssessedBids, design: Design) {
        guard let selection = try? SelectionEngine.select(input, design: design) else { return }
        for result in selection.subSegments where result.min == 1 && result.ranking.count >= 3 {
            guard let segment = design.segment(result.segment),
                  let index = input.bids.firstIndex(where: { $0.id == result.ranking[0].bid }) else { continue }
            let participants = design.participants(ofSegment: segment).map(\.code)
            guard participants.count >= 2 else { continue }
            let half = Array(participants.prefix(participants.count / 2))
            var candidate = input
            candidate.bids[index].serves = .only(municipalities: half, justification: "Onze locaties en teams liggen in het westen van de regio; verder reizen gaat ten koste van de nabijheid voor cliënten.")
            candidate.bids[index].capacity = candidate.bids[index].capacity.filter { half.contains($0.key) }
            if shows(candidate, design: design, { $0.explanation.contains { $0.kind == .invitedForCoverage } }) {
                input = candidate
                return
            }
        }
    }

    /// Gives the first bid below the minimum's cut the same consensus scores as the last bid above it,
    /// in a sub-segment with a minimum above one, so the example also shows an unresolved tie.
    static func makeTieAtACut(_ input: inout AssessedBids, design: Design) {
        guard let selection = try? SelectionEngine.select(input, design: design) else { return }
        for result in selection.subSegments where result.min > 1 && result.ranking.count > result.min {
            guard let from = input.bids.firstIndex(where: { $0.id == result.ranking[result.min - 1].bid }),
                  let to = input.bids.firstIndex(where: { $0.id == result.ranking[result.min].bid }) else { continue }
            var candidate = input
            candidate.bids[to].consensus = candidate.bids[from].consensus
            if shows(candidate, design: design, { !$0.ties.isEmpty })
                && shows(candidate, design: design, { $0.explanation.contains { $0.kind == .invitedForCoverage } }) {
                input = candidate
                return
            }
        }
    }

    static func shows(_ input: AssessedBids, design: Design, _ property: (SubSegmentSelection) -> Bool) -> Bool {
        (try? SelectionEngine.select(input, design: design))?.subSegments.contains(where: property) ?? false
    }

    static let justifications = [
        "Onze teams werken vanuit één locatie; de reistijd naar de andere gemeenten is te groot voor wijkgerichte hulp.",
        "Wij zijn een kleine, lokale aanbieder en hebben alleen in deze gemeenten een netwerk met de toegang en de scholen.",
        "Onze woonvoorzieningen staan in deze gemeenten; in de overige gemeenten kunnen wij geen passende plek bieden.",
        "De specialistische behandelaars zijn gebonden aan onze praktijk; buiten deze gemeenten is de hulp niet nabij genoeg.",
    ]

    static let failureReasons = [
        "KWALITEIT": "Geen keurmerk of certificaat en geen aantoonbaar lopend traject",
        "BRANCHE": "Geen bewijs van aansluiting bij een branche- of beroepsorganisatie",
        "WETTELIJK": "Geen Verklaring Omtrent het Gedrag voor de medewerkers aangetoond",
        "AGB": "Geen AGB-code op naam van de inschrijver gevonden",
        "HANDHAVING": "De inspectie heeft een cliëntenstop opgelegd die nog loopt",
        "PERSONEEL": "Het opleidingsplan ontbreekt",
        "KVK": "De inschrijving bij de Kamer van Koophandel is beëindigd",
        "GEDRAGSWETENSCHAPPER": "Geen SKJ- of BIG-registratie van de gedragswetenschapper aangetoond",
    ]
}

extension ScoreScale {
    /// The allowed value nearest to `value`, for generated scores.
    func nearest(_ value: Double) -> Score {
        values.min { abs(Double($0.thousandths) / 1000 - value) < abs(Double($1.thousandths) / 1000 - value) } ?? min
    }
}

/// Plausible, unique Dutch care organisation names.
struct OrganisationNames {
    private var used: Set<String> = []
    static let kinds = ["Stichting", "Zorggroep", "Jeugdhulp", "Begeleiding", "Zorgcentrum", "Praktijk", "Coöperatie", "Woonzorg"]
    static let names = ["De Linde", "Kompas", "Het Baken", "Achterhoekse Zorg", "De Boei", "Iemenzorg", "Sterk Thuis",
                        "Zonnehoek", "De Graafschap", "Noaber", "Het Anker", "Oosterlicht", "Nabij", "De Berkel",
                        "Samen Verder", "Slinge", "Vrij Wonen", "Bosrand", "De Vlinder", "Perspectief", "Huize Aalten",
                        "Lievelde", "De Maten", "Het Kruispunt", "Kleur", "Klaproos", "De Veste", "IJsselzorg"]

    mutating func next(using rng: inout SeededRandom) -> String {
        var attempt = 0
        while true {
            let name = "\(Self.kinds.randomElement(using: &rng)!) \(Self.names.randomElement(using: &rng)!)"
            // Past the combinations the lists offer, a number keeps names unique.
            let candidate = attempt < 20 ? name : "\(name) \(used.count + 1)"
            if used.insert(candidate).inserted { return candidate }
            attempt += 1
        }
    }
}
