import Foundation

extension Design {
    /// What differs between this design and `new`, in words for the audit trail: one entry per
    /// changed value, keyed by what it is ("min IAJ-PV": "1 → 2"). Anything else that differs is
    /// reported under "overig", so no change goes unrecorded.
    public func changes(to new: Design) -> [String: String] {
        var changes: [String: String] = [:]
        if name != new.name { changes["naam"] = "\(name) → \(new.name)" }
        if description != new.description { changes["omschrijving"] = "gewijzigd" }
        let oldSubs = Dictionary(subSegments.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        for sub in new.subSegments {
            guard let old = oldSubs[sub.code] else {
                changes["sub-segment \(sub.code)"] = "toegevoegd"
                continue
            }
            if old.minProviders != sub.minProviders { changes["min \(sub.code)"] = "\(old.minProviders) → \(sub.minProviders)" }
            if old.maxProviders != sub.maxProviders { changes["max \(sub.code)"] = "\(old.maxProviders) → \(sub.maxProviders)" }
            if old.requiredSpecialisms != sub.requiredSpecialisms { changes["specialismen \(sub.code)"] = "\(old.requiredSpecialisms) → \(sub.requiredSpecialisms)" }
            if old.requiredCapacity != sub.requiredCapacity { changes["capaciteit \(sub.code)"] = "gewijzigd" }
            if old.name != sub.name || old.description != sub.description { changes["tekst \(sub.code)"] = "gewijzigd" }
        }
        for code in oldSubs.keys.sorted() where !new.subSegments.contains(where: { $0.code == code }) {
            changes["sub-segment \(code)"] = "verwijderd"
        }
        let oldSegments = Dictionary(segments.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        for segment in new.segments {
            guard let old = oldSegments[segment.code] else { continue }
            for criterion in Set(old.weights.keys).union(segment.weights.keys).sorted()
            where old.weights[criterion] != segment.weights[criterion] {
                changes["weging \(segment.code) \(criterion)"] = "\(old.weights[criterion] ?? 0) → \(segment.weights[criterion] ?? 0)"
            }
            if old.nonParticipation != segment.nonParticipation {
                func describe(_ list: [NonParticipation]) -> String {
                    list.isEmpty ? "iedereen neemt deel" : list.map { "\($0.municipality) (\($0.reason))" }.joined(separator: ", ")
                }
                changes["deelname \(segment.code)"] = "niet deelnemend: \(describe(old.nonParticipation)) → \(describe(segment.nonParticipation))"
            }
            if old.fundingModel != segment.fundingModel { changes["bekostiging \(segment.code)"] = "\(old.fundingModel.rawValue) → \(segment.fundingModel.rawValue)" }
        }
        if changes.isEmpty && self != new { changes["overig"] = "gewijzigd (regio, eisen, criteria, aanbestedingen of teksten)" }
        return changes
    }
}
