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
        let segmentCodes = Set(design.lots(of: tender).flatMap(\.segments).map(\.code))
        let subSegmentCodes = Set(design.lots(of: tender).flatMap(\.segments).flatMap(\.subSegments).map(\.code))
        validateNoGo(design, segmentCodes, &v)
        validateCoverage(design, subSegmentCodes, &v)
        v.requireUnique(bids.map(\.id), path: { "bids[\($0)].id" }, what: "Inschrijving")
        for (i, bid) in bids.enumerated() {
            validate(bid, at: "bids[\(i)]", design: design, tender: tender, segmentCodes: segmentCodes, &v)
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

    private func validate(_ bid: AssessedBid, at path: String, design: Design, tender: Tender,
                          segmentCodes: Set<String>, _ v: inout ProblemCollector) {
        if bid.bidder.trimmingCharacters(in: .whitespaces).isEmpty { v.add("\(path).bidder", "naam van de inschrijver ontbreekt") }
        guard let segment = design.segment(bid.segment), segmentCodes.contains(bid.segment),
              let lot = design.lot(containingSegment: bid.segment) else {
            v.add("\(path).segment", "segment '\(bid.segment)' hoort niet bij aanbesteding '\(tender.code)' (wel: \(segmentCodes.sorted().joined(separator: ", ")))")
            return
        }
        if bid.subSegments.isEmpty { v.add("\(path).subSegments", "de inschrijving noemt geen sub-segment") }
        v.requireUnique(bid.subSegments, path: { "\(path).subSegments[\($0)]" }, what: "Sub-segment")
        for (i, code) in bid.subSegments.enumerated() where !segment.subSegments.contains(where: { $0.code == code }) {
            v.add("\(path).subSegments[\(i)]", "sub-segment '\(code)' hoort niet bij segment '\(segment.code)' (wel: \(segment.subSegments.map(\.code).joined(separator: ", ")))")
        }
        if case let .only(municipalities, justification) = bid.serves {
            if municipalities.isEmpty { v.add("\(path).serves.municipalities", "de lijst van gemeenten is leeg") }
            for (i, code) in municipalities.enumerated() where design.municipality(code) == nil {
                v.add("\(path).serves.municipalities[\(i)]", "onbekende gemeente '\(code)'")
            }
            if justification.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                v.add("\(path).serves.justification", "wie niet in alle gemeenten levert, moet dat motiveren")
            }
        }
        for (code, places) in bid.capacity.sorted(by: { $0.key < $1.key }) {
            if design.municipality(code) == nil { v.add("\(path).capacity.\(code)", "onbekende gemeente '\(code)'") }
            if places < 0 { v.add("\(path).capacity.\(code)", "capaciteit is negatief (\(places))") }
        }
        if let transport = bid.transport, !design.transportOptions.contains(where: { $0.code == transport }) {
            v.add("\(path).transport", "onbekende vervoersoptie '\(transport)' (wel: \(design.transportOptions.map(\.code).joined(separator: ", ")))")
        }
        let requirementCodes = Set(design.requirements(forLot: lot.code).map(\.code))
        for code in bid.requirements.keys.sorted() where !requirementCodes.contains(code) {
            v.add("\(path).requirements.\(code)", "minimumeis '\(code)' geldt niet voor perceel '\(lot.code)'")
        }
        for (i, assessment) in bid.assessments.enumerated() {
            validateScores(assessment.scores, at: "\(path).assessments[\(i)].scores", lot: lot, scale: design.scoreScale, &v)
        }
        v.requireUnique(bid.assessments.map(\.assessor), path: { "\(path).assessments[\($0)].assessor" }, what: "Beoordelaar")
        if let consensus = bid.consensus {
            validateScores(consensus, at: "\(path).consensus", lot: lot, scale: design.scoreScale, &v)
        }
    }

    private func validateScores(_ scores: [String: Decimal], at path: String, lot: Lot, scale: ScoreScale,
                                _ v: inout ProblemCollector) {
        for (criterion, score) in scores.sorted(by: { $0.key < $1.key }) {
            if lot.criterion(criterion) == nil {
                v.add("\(path).\(criterion)", "onbekend criterium '\(criterion)' (perceel '\(lot.code)' kent \(lot.criteria.map(\.code).joined(separator: ", ")))")
            } else if !scale.allows(score) {
                v.add("\(path).\(criterion)", "score \(score.plain) ligt niet op de schaal (\(scale.dutchDescription))")
            }
        }
    }

    /// A provider is one party per sub-segment: alone, as lead or as member of a combination, never twice.
    private func validateOnePartyPerSubSegment(_ v: inout ProblemCollector) {
        var seen: [String: String] = [:]  // "sub-segment|organisation" -> bid id
        for (i, bid) in bids.enumerated() {
            for sub in Set(bid.subSegments).sorted() {
                for party in Set(bid.parties).sorted() {
                    let key = "\(sub)|\(party.lowercased())"
                    if let other = seen[key], other != bid.id {
                        v.add("bids[\(i)]", "'\(party)' doet in sub-segment '\(sub)' mee in zowel inschrijving '\(other)' als '\(bid.id)'; een aanbieder is per sub-segment één partij")
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
            if draw.drawnBy.trimmingCharacters(in: .whitespaces).isEmpty {
                v.add("draws[\(i)].drawnBy", "vermeld wie de loting heeft verricht")
            }
        }
    }
}
