import Foundation

extension AssessedBids {
    /// Every inconsistency between the assessed bids and the design, each with the path of the field.
    public func validate(against design: Design) -> [Problem] {
        var v = ProblemCollector()
        if format != AssessedBids.formatIdentifier {
            v.add("format", "onbekend formaat '\(format)'; verwacht '\(AssessedBids.formatIdentifier)'")
        }
        guard let tender = design.tender(self.tender) else {
            v.add("tender", "aanbesteding '\(self.tender)' bestaat niet in ontwerp '\(design.code)' (wel: \(design.tenders.map(\.code).joined(separator: ", ")))")
            return v.problems
        }
        let lookup = Lookup(design: design, tender: tender)
        let segmentCodes = Set(lookup.segments.keys)
        let subSegmentCodes = Set(lookup.segmentOfSubSegment.keys)
        validateNoGo(design, segmentCodes, &v)
        validateCoverage(design, subSegmentCodes, &v)
        v.requireUnique(bids.map(\.id), path: { "bids[\($0)].id" }, what: "Inschrijving")
        for i in bids.indices {
            validate(bids[i], at: "bids[\(i)]", lookup, &v)
        }
        validateOnePartyPerSubSegment(&v)
        validateDraws(subSegmentCodes, &v)
        return v.problems
    }

    private func validateNoGo(_ design: Design, _ segmentCodes: Set<String>, _ v: inout ProblemCollector) {
        for (i, entry) in noGo.enumerated() {
            if !segmentCodes.contains(entry.segment) {
                v.add("noGo[\(i)].segment", "segment '\(entry.segment)' hoort niet bij aanbesteding '\(tender)'")
            }
            if design.municipality(entry.municipality) == nil {
                v.add("noGo[\(i)].municipality", "onbekende gemeente '\(entry.municipality)'")
            }
        }
    }

    private func validateCoverage(_ design: Design, _ subSegmentCodes: Set<String>, _ v: inout ProblemCollector) {
        v.requireUnique(coverage.map(\.subSegment), path: { "coverage[\($0)].subSegment" }, what: "Dekkingseis voor sub-segment")
        for (i, entry) in coverage.enumerated() {
            if !subSegmentCodes.contains(entry.subSegment) {
                v.add("coverage[\(i)].subSegment", "sub-segment '\(entry.subSegment)' hoort niet bij aanbesteding '\(tender)'")
            }
            v.requireUnique(entry.specialisms, path: { "coverage[\(i)].specialisms[\($0)]" }, what: "Specialisme")
            for (code, places) in entry.capacity.sorted(by: { $0.key < $1.key }) {
                if design.municipality(code) == nil { v.add("coverage[\(i)].capacity.\(code)", "onbekende gemeente '\(code)'") }
                if places < 0 { v.add("coverage[\(i)].capacity.\(code)", "vereiste capaciteit is negatief (\(places))") }
            }
        }
    }

    /// The design's codes, looked up once per file rather than once per bid. Short code lists are
    /// arrays: comparing a few small strings is cheaper than hashing one, and this runs per score.
    struct Lookup {
        let design: Design
        let tender: Tender
        let segments: [String: (lot: Lot, segment: Segment)]
        let municipalities: [String]
        let segmentOfSubSegment: [String: String]
        let requirementsByLot: [String: [String]]
        let criteriaByLot: [String: [String]]

        init(design: Design, tender: Tender) {
            self.design = design
            self.tender = tender
            let lots = design.lots(of: tender)
            segments = Dictionary(lots.flatMap { lot in lot.segments.map { ($0.code, (lot, $0)) } }, uniquingKeysWith: { a, _ in a })
            municipalities = design.region.municipalities.map(\.code)
            let pairs = lots.flatMap(\.segments).flatMap { segment in segment.subSegments.map { ($0.code, segment.code) } }
            segmentOfSubSegment = Dictionary(pairs, uniquingKeysWith: { a, _ in a })
            requirementsByLot = Dictionary(uniqueKeysWithValues: lots.map { ($0.code, design.requirements(forLot: $0.code).map(\.code)) })
            criteriaByLot = Dictionary(uniqueKeysWithValues: lots.map { ($0.code, $0.criteria.map(\.code)) })
        }
    }

    private func validate(_ bid: borrowing AssessedBid, at path: String, _ lookup: Lookup, _ v: inout ProblemCollector) {
        let design = lookup.design
        if bid.bidder.isBlank { v.add("\(path).bidder", "naam van de inschrijver ontbreekt") }
        guard let (lot, segment) = lookup.segments[bid.segment] else {
            v.add("\(path).segment", "segment '\(bid.segment)' hoort niet bij aanbesteding '\(lookup.tender.code)' (wel: \(lookup.segments.keys.sorted().joined(separator: ", ")))")
            return
        }
        if bid.subSegments.isEmpty { v.add("\(path).subSegments", "de inschrijving noemt geen sub-segment") }
        v.requireUnique(bid.subSegments, path: { "\(path).subSegments[\($0)]" }, what: "Sub-segment")
        for (i, code) in bid.subSegments.enumerated() where lookup.segmentOfSubSegment[code] != segment.code {
            v.add("\(path).subSegments[\(i)]", "sub-segment '\(code)' hoort niet bij segment '\(segment.code)' (wel: \(segment.subSegments.map(\.code).joined(separator: ", ")))")
        }
        if case let .only(municipalities, justification) = bid.serves {
            if municipalities.isEmpty { v.add("\(path).serves.municipalities", "de lijst van gemeenten is leeg") }
            for (i, code) in municipalities.enumerated() where !lookup.municipalities.contains(code) {
                v.add("\(path).serves.municipalities[\(i)]", "onbekende gemeente '\(code)'")
            }
            if justification.isBlank {
                v.add("\(path).serves.justification", "wie niet in alle gemeenten levert, moet dat motiveren")
            }
        }
        // Check first, sort only to report: this runs for every bid.
        if bid.capacity.contains(where: { !lookup.municipalities.contains($0.key) || $0.value < 0 }) {
            for (code, places) in bid.capacity.sorted(by: { $0.key < $1.key }) {
                if !lookup.municipalities.contains(code) { v.add("\(path).capacity.\(code)", "onbekende gemeente '\(code)'") }
                if places < 0 { v.add("\(path).capacity.\(code)", "capaciteit is negatief (\(places))") }
            }
        }
        if let transport = bid.transport, !design.transportOptions.contains(where: { $0.code == transport }) {
            v.add("\(path).transport", "onbekende vervoersoptie '\(transport)' (wel: \(design.transportOptions.map(\.code).joined(separator: ", ")))")
        }
        let requirementCodes = lookup.requirementsByLot[lot.code] ?? []
        if !bid.requirements.keys.allSatisfy(requirementCodes.contains) {
            for code in bid.requirements.keys.sorted() where !requirementCodes.contains(code) {
                v.add("\(path).requirements.\(code)", "minimumeis '\(code)' geldt niet voor perceel '\(lot.code)'")
            }
        }
        for (i, assessment) in bid.assessments.enumerated() {
            validateScores(assessment.scores, at: { "\(path).assessments[\(i)].scores" }, lot: lot, lookup, &v)
        }
        if bid.assessments.count > 1 {
            v.requireUnique(bid.assessments.map(\.assessor), path: { "\(path).assessments[\($0)].assessor" }, what: "Beoordelaar")
        }
        if let consensus = bid.consensus {
            validateScores(consensus, at: { "\(path).consensus" }, lot: lot, lookup, &v)
        }
    }

    /// `path` is a closure: this runs for every score of every bid, and a path is only needed for a problem.
    private func validateScores(_ scores: [String: Score], at path: () -> String, lot: Lot, _ lookup: Lookup,
                                _ v: inout ProblemCollector) {
        let criteria = lookup.criteriaByLot[lot.code] ?? []
        func isBad(_ entry: (key: String, value: Score)) -> Bool {
            !criteria.contains(entry.key) || !lookup.design.scoreScale.allows(entry.value)
        }
        // Sort for a stable report only when there is something to report: this runs for every score.
        guard scores.contains(where: isBad) else { return }
        for (criterion, score) in scores.sorted(by: { $0.key < $1.key }) where isBad((criterion, score)) {
            if !criteria.contains(criterion) {
                v.add("\(path()).\(criterion)", "onbekend criterium '\(criterion)' (perceel '\(lot.code)' kent \(lot.criteria.map(\.code).joined(separator: ", ")))")
            } else {
                v.add("\(path()).\(criterion)", "score \(score.dutch) ligt niet op de schaal (\(lookup.design.scoreScale.dutchDescription))")
            }
        }
    }

    /// A provider is one party per sub-segment: alone, as lead or as member of a combination, never twice.
    private func validateOnePartyPerSubSegment(_ v: inout ProblemCollector) {
        struct Key: Hashable {
            let subSegment: String
            let party: String
        }
        var seen: [Key: String] = [:]  // -> bid id
        for (i, bid) in bids.enumerated() {
            let parties = bid.parties.map { ($0, $0.lowercased()) }
            for sub in bid.subSegments {
                for (party, normalised) in parties {
                    let key = Key(subSegment: sub, party: normalised)
                    if let other = seen[key] {
                        if other != bid.id {
                            v.add("bids[\(i)]", "'\(party)' doet in sub-segment '\(sub)' mee in zowel inschrijving '\(other)' als '\(bid.id)'; een aanbieder is per sub-segment één partij")
                        }
                    } else {
                        seen[key] = bid.id
                    }
                }
            }
        }
    }

    private func validateDraws(_ subSegmentCodes: Set<String>, _ v: inout ProblemCollector) {
        v.requireUnique(draws.map(\.subSegment), path: { "draws[\($0)].subSegment" }, what: "Loting voor sub-segment")
        for (i, draw) in draws.enumerated() {
            if !subSegmentCodes.contains(draw.subSegment) {
                v.add("draws[\(i)].subSegment", "sub-segment '\(draw.subSegment)' hoort niet bij aanbesteding '\(tender)'")
            }
            v.requireUnique(draw.order, path: { "draws[\(i)].order[\($0)]" }, what: "Inschrijving")
            for (j, id) in draw.order.enumerated() {
                if !bids.contains(where: { $0.id == id && $0.subSegments.contains(draw.subSegment) }) {
                    v.add("draws[\(i)].order[\(j)]", "inschrijving '\(id)' doet niet mee in sub-segment '\(draw.subSegment)'")
                }
            }
            if draw.drawnBy.isBlank {
                v.add("draws[\(i)].drawnBy", "vermeld wie de loting heeft verricht")
            }
        }
    }
}
