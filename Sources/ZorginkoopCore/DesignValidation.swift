import Foundation

extension Design {
    /// Bounds that keep every count a design holds far from integer overflow, and far above any real region.
    public static let maxClients = 10_000_000
    public static let maxProviders = 1_000
    public static let maxTermMonths = 1_200
    public static let maxExtensions = 100

    /// Every inconsistency in the design, each with the path of the field concerned.
    /// An empty list means the design may be used.
    public func validate() -> [Problem] {
        var v = ProblemCollector()
        validateRegion(&v)
        validateScale(&v)
        v.requireUnique(transportOptions.map(\.code), path: { "transportOptions[\($0)].code" }, what: "Vervoersoptie")
        validateRequirements(&v)
        validateLots(&v)
        validateTenders(&v)
        validateKPIs(&v)
        return v.problems
    }

    private func validateKPIs(_ v: inout ProblemCollector) {
        v.requireUnique(kpis.map(\.code), path: { "kpis[\($0)].code" }, what: "KPI")
        let segmentCodes = Set(segments.map(\.code))
        for (i, k) in kpis.enumerated() {
            for (j, s) in k.segments.enumerated() where !segmentCodes.contains(s) {
                v.add("kpis[\(i)].segments[\(j)]", "KPI '\(k.code)' verwijst naar onbekend segment '\(s)'")
            }
            if k.target < 0 || (k.unit == .percent && k.target > 100_000) {
                v.add("kpis[\(i)].target", "de norm van KPI '\(k.code)' ligt buiten het bereik van de eenheid")
            }
        }
    }

    private func validateRegion(_ v: inout ProblemCollector) {
        let municipalities = region.municipalities
        if municipalities.isEmpty {
            v.add("region.municipalities", "de regio heeft geen gemeenten")
        }
        v.requireUnique(municipalities.map(\.code), path: { "region.municipalities[\($0)].code" }, what: "Gemeente")
        v.requireUnique(municipalities.map(\.cbsCode), path: { "region.municipalities[\($0)].cbsCode" }, what: "CBS-code")
        for (i, m) in municipalities.enumerated() where m.clients < 0 {
            v.add("region.municipalities[\(i)].clients", "aantal cliënten van \(m.name) is negatief (\(m.clients))")
        }
        for (i, m) in municipalities.enumerated() where m.clients > Self.maxClients {
            v.add("region.municipalities[\(i)].clients", "aantal cliënten van \(m.name) (\(m.clients)) is groter dan \(Self.maxClients)")
        }
        if municipality(region.leadMunicipality) == nil {
            v.add("region.leadMunicipality", "penvoerder '\(region.leadMunicipality)' is geen gemeente van de regio")
        }
    }

    private func validateScale(_ v: inout ProblemCollector) {
        if scoreScale.max <= scoreScale.min {
            v.add("scoreScale", "het maximum (\(scoreScale.max.dutch)) moet groter zijn dan het minimum (\(scoreScale.min.dutch))")
        } else if scoreScale.step.thousandths <= 0 {
            v.add("scoreScale.step", "de stapgrootte moet groter dan 0 zijn")
        } else if scoreScale.stepIndex(of: scoreScale.max) == nil {
            v.add("scoreScale.step", "de stapgrootte \(scoreScale.step.dutch) past geen geheel aantal keren tussen minimum en maximum")
        } else if scoreScale.stepsPerScale > 1000 {
            v.add("scoreScale.step", "de schaal heeft meer dan 1000 stappen; kies een grotere stapgrootte")
        }
    }

    private func validateRequirements(_ v: inout ProblemCollector) {
        v.requireUnique(requirements.map(\.code), path: { "requirements[\($0)].code" }, what: "Minimumeis")
        let lotCodes = Set(lots.map(\.code))
        for (i, r) in requirements.enumerated() {
            for (j, lot) in r.lots.enumerated() where !lotCodes.contains(lot) {
                v.add("requirements[\(i)].lots[\(j)]", "minimumeis '\(r.code)' verwijst naar onbekend perceel '\(lot)'")
            }
        }
    }

    private func validateLots(_ v: inout ProblemCollector) {
        if lots.isEmpty { v.add("lots", "het ontwerp heeft geen percelen") }
        v.requireUnique(lots.map(\.code), path: { "lots[\($0)].code" }, what: "Perceel")
        // Segment and sub-segment codes are unique over the whole design: bids and contracts name them alone.
        var segmentPaths: [(String, String)] = []
        var subSegmentPaths: [(String, String)] = []
        for (l, lot) in lots.enumerated() {
            let lotPath = "lots[\(l)]"
            v.requireUnique(lot.criteria.map(\.code), path: { "\(lotPath).criteria[\($0)].code" }, what: "Criterium")
            if lot.segments.isEmpty { v.add("\(lotPath).segments", "perceel '\(lot.code)' heeft geen segmenten") }
            for (s, segment) in lot.segments.enumerated() {
                let segmentPath = "\(lotPath).segments[\(s)]"
                segmentPaths.append((segment.code, "\(segmentPath).code"))
                validateWeights(segment, of: lot, at: segmentPath, &v)
                validateParticipation(segment, at: segmentPath, &v)
                segment.funding?.validate(for: segment.fundingModel, at: "\(segmentPath).funding", &v)
                if segment.subSegments.isEmpty {
                    v.add("\(segmentPath).subSegments", "segment '\(segment.code)' heeft geen sub-segmenten; een segment zonder onderverdeling heeft er één met dezelfde naam")
                }
                for (u, sub) in segment.subSegments.enumerated() {
                    let subPath = "\(segmentPath).subSegments[\(u)]"
                    subSegmentPaths.append((sub.code, "\(subPath).code"))
                    validateSubSegment(sub, in: segment, at: subPath, &v)
                }
            }
        }
        v.requireUnique(segmentPaths.map(\.0), path: { segmentPaths[$0].1 }, what: "Segment")
        v.requireUnique(subSegmentPaths.map(\.0), path: { subSegmentPaths[$0].1 }, what: "Sub-segment")
    }

    private func validateWeights(_ segment: Segment, of lot: Lot, at path: String, _ v: inout ProblemCollector) {
        for code in segment.weights.keys.sorted() where lot.criterion(code) == nil {
            v.add("\(path).weights.\(code)", "weging voor onbekend criterium '\(code)' (perceel '\(lot.code)' kent \(lot.criteria.map(\.code).joined(separator: ", ")))")
        }
        for criterion in lot.criteria where segment.weights[criterion.code] == nil {
            v.add("\(path).weights", "criterium '\(criterion.code)' heeft geen weging in segment '\(segment.code)'")
        }
        var outOfRange = false
        for (code, weight) in segment.weights.sorted(by: { $0.key < $1.key }) where !(0...100).contains(weight) {
            v.add("\(path).weights.\(code)", "weging \(weight) ligt niet tussen 0 en 100")
            outOfRange = true
        }
        // Summed only when each is in range: two weights near 2^62 would overflow the sum.
        let sum = outOfRange ? 0 : segment.weights.values.reduce(0, +)
        if !outOfRange && sum != 100 {
            v.add("\(path).weights", "de wegingen van segment '\(segment.code)' tellen op tot \(sum) in plaats van 100")
        }
    }

    private func validateParticipation(_ segment: Segment, at path: String, _ v: inout ProblemCollector) {
        v.requireUnique(segment.nonParticipation.map(\.municipality),
                        path: { "\(path).nonParticipation[\($0)].municipality" }, what: "Gemeente")
        for (i, np) in segment.nonParticipation.enumerated() {
            if municipality(np.municipality) == nil {
                v.add("\(path).nonParticipation[\(i)].municipality", "onbekende gemeente '\(np.municipality)'")
            }
            if np.reason.isBlank {
                v.add("\(path).nonParticipation[\(i)].reason", "geef de reden waarom de gemeente niet deelneemt")
            }
        }
        if participants(ofSegment: segment).isEmpty {
            v.add("\(path).nonParticipation", "geen enkele gemeente neemt deel aan segment '\(segment.code)'")
        }
    }

    private func validateSubSegment(_ sub: SubSegment, in segment: Segment, at path: String, _ v: inout ProblemCollector) {
        if sub.maxProviders > Self.maxProviders {
            v.add("\(path).maxProviders", "maximum aantal aanbieders (\(sub.maxProviders)) is groter dan \(Self.maxProviders)")
        }
        if sub.minProviders < 1 {
            v.add("\(path).minProviders", "minimum aantal aanbieders moet minstens 1 zijn (is \(sub.minProviders))")
        }
        if sub.maxProviders < sub.minProviders {
            v.add("\(path).maxProviders", "maximum aantal aanbieders (\(sub.maxProviders)) is kleiner dan het minimum (\(sub.minProviders))")
        }
        v.requireUnique(sub.requiredSpecialisms, path: { "\(path).requiredSpecialisms[\($0)]" }, what: "Specialisme")
        let participating = Set(participants(ofSegment: segment).map(\.code))
        for (code, places) in sub.requiredCapacity.sorted(by: { $0.key < $1.key }) {
            if municipality(code) == nil {
                v.add("\(path).requiredCapacity.\(code)", "onbekende gemeente '\(code)'")
            } else if !participating.contains(code) {
                v.add("\(path).requiredCapacity.\(code)", "gemeente '\(code)' neemt niet deel aan segment '\(segment.code)'")
            }
            if places < 0 {
                v.add("\(path).requiredCapacity.\(code)", "vereiste capaciteit is negatief (\(places))")
            } else if places > Self.maxClients {
                v.add("\(path).requiredCapacity.\(code)", "vereiste capaciteit (\(places)) is groter dan \(Self.maxClients)")
            }
        }
    }

    private func validateTenders(_ v: inout ProblemCollector) {
        if tenders.isEmpty { v.add("tenders", "het ontwerp heeft geen aanbestedingen") }
        v.requireUnique(tenders.map(\.code), path: { "tenders[\($0)].code" }, what: "Aanbesteding")
        var tenderOfLot: [String: String] = [:]
        for (t, tender) in tenders.enumerated() {
            let path = "tenders[\(t)]"
            if tender.lots.isEmpty { v.add("\(path).lots", "aanbesteding '\(tender.code)' heeft geen percelen") }
            for (i, lotCode) in tender.lots.enumerated() {
                if lot(lotCode) == nil {
                    v.add("\(path).lots[\(i)]", "onbekend perceel '\(lotCode)'")
                } else if let other = tenderOfLot[lotCode] {
                    v.add("\(path).lots[\(i)]", "perceel '\(lotCode)' hoort al bij aanbesteding '\(other)'")
                } else {
                    tenderOfLot[lotCode] = tender.code
                }
            }
            validateTerm(tender.contractTerm, at: "\(path).contractTerm", &v)
        }
        for lot in lots where tenderOfLot[lot.code] == nil {
            v.add("tenders", "perceel '\(lot.code)' hoort bij geen enkele aanbesteding")
        }
    }

    private func validateTerm(_ term: ContractTerm, at path: String, _ v: inout ProblemCollector) {
        if term.initialTermMonths < 1 {
            v.add("\(path).initialTermMonths", "de initiële looptijd moet minstens 1 maand zijn")
            return
        }
        // Bounded before any arithmetic: months times extensions near 2^62 would overflow.
        var outOfRange = false
        for (field, value, limit) in [("initialTermMonths", term.initialTermMonths, Self.maxTermMonths),
                                      ("extensionMonths", term.extensionMonths, Self.maxTermMonths),
                                      ("maxExtensions", term.maxExtensions, Self.maxExtensions),
                                      ("maxTotalMonths", term.maxTotalMonths, Self.maxTermMonths)] where value > limit {
            v.add("\(path).\(field)", "\(value) is groter dan \(limit)")
            outOfRange = true
        }
        if term.extensionMonths < 0 { v.add("\(path).extensionMonths", "verlengingsperiode is negatief") }
        if term.maxExtensions < 0 { v.add("\(path).maxExtensions", "maximaal aantal verlengingen is negatief") }
        if term.maxTotalMonths < 0 { v.add("\(path).maxTotalMonths", "maximale looptijd is negatief") }
        if outOfRange || term.extensionMonths < 0 || term.maxTotalMonths < 0 { return }
        if term.maxExtensions > 0 && term.extensionMonths == 0 {
            v.add("\(path).extensionMonths", "er zijn verlengingen mogelijk maar de verlengingsperiode is 0 maanden")
        }
        let expectedInitialEnd = term.start.lastDayOfPeriod(months: term.initialTermMonths)
        if term.initialEnd != expectedInitialEnd {
            v.add("\(path).initialEnd", "einddatum initiële looptijd \(term.initialEnd.dutch) past niet bij start \(term.start.dutch) en \(term.initialTermMonths) maanden (verwacht \(expectedInitialEnd.dutch))")
        }
        let expectedTotal = term.initialTermMonths + term.extensionMonths * max(term.maxExtensions, 0)
        if term.maxTotalMonths != expectedTotal {
            v.add("\(path).maxTotalMonths", "maximale looptijd \(term.maxTotalMonths) maanden is niet de initiële looptijd plus alle verlengingen (\(expectedTotal) maanden)")
        }
        let expectedMaxEnd = term.start.lastDayOfPeriod(months: term.maxTotalMonths)
        if term.maxEnd != expectedMaxEnd {
            v.add("\(path).maxEnd", "maximale einddatum \(term.maxEnd.dutch) past niet bij start \(term.start.dutch) en \(term.maxTotalMonths) maanden (verwacht \(expectedMaxEnd.dutch))")
        }
    }
}
