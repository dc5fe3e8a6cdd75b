import Foundation
import Vapor
import ZorginkoopCore

/// The draft-design form: flat field names, so errors can stand next to the field they concern.
///  - `name`
///  - `min-<sub-segment>`, `max-<sub-segment>`
///  - `weight-<segment>-<criterion>`
///  - `part-<segment>-<municipality>` (checkbox) and `reason-<segment>-<municipality>`
struct DesignEditForm: Content {
    var fields: [String: String]

    init(fields: [String: String]) { self.fields = fields }

    init(from decoder: Decoder) throws {
        fields = try [String: String](from: decoder)
    }

    func encode(to encoder: Encoder) throws { try fields.encode(to: encoder) }

    /// The form's values for a design, as the form shows them first.
    static func values(of design: Design) -> [String: String] {
        var values = ["name": design.name]
        for lot in design.lots {
            for segment in lot.segments {
                for sub in segment.subSegments {
                    values["min-\(sub.code)"] = "\(sub.minProviders)"
                    values["max-\(sub.code)"] = "\(sub.maxProviders)"
                }
                for criterion in lot.criteria {
                    values["weight-\(segment.code)-\(criterion.code)"] = "\(segment.weights[criterion.code] ?? 0)"
                }
                for m in design.region.municipalities {
                    if let out = segment.nonParticipation.first(where: { $0.municipality == m.code }) {
                        values["reason-\(segment.code)-\(m.code)"] = out.reason
                    } else {
                        values["part-\(segment.code)-\(m.code)"] = "ja"
                    }
                }
            }
        }
        return values
    }

    /// The design with the form's values, and the fields that could not be read.
    func apply(to original: Design) -> (Design, [String: String]) {
        var design = original
        var errors: [String: String] = [:]
        let name = (fields["name"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty {
            errors["name"] = "Vul een naam in."
        } else {
            design.name = name
        }
        func integer(_ key: String, range: ClosedRange<Int>, current: Int) -> Int {
            guard let text = fields[key]?.trimmingCharacters(in: .whitespaces), let value = Int(text), range.contains(value) else {
                errors[key] = "Vul een geheel getal van \(range.lowerBound) tot en met \(range.upperBound) in."
                return current
            }
            return value
        }
        for l in design.lots.indices {
            let lot = design.lots[l]
            for s in lot.segments.indices {
                var segment = lot.segments[s]
                for u in segment.subSegments.indices {
                    let sub = segment.subSegments[u]
                    segment.subSegments[u].minProviders = integer("min-\(sub.code)", range: 0...999, current: sub.minProviders)
                    segment.subSegments[u].maxProviders = integer("max-\(sub.code)", range: 0...999, current: sub.maxProviders)
                }
                for criterion in lot.criteria {
                    segment.weights[criterion.code] = integer("weight-\(segment.code)-\(criterion.code)", range: 0...100,
                                                              current: segment.weights[criterion.code] ?? 0)
                }
                var nonParticipation: [NonParticipation] = []
                for m in design.region.municipalities where fields["part-\(segment.code)-\(m.code)"] == nil {
                    let reason = (fields["reason-\(segment.code)-\(m.code)"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                    nonParticipation.append(NonParticipation(municipality: m.code, reason: reason))
                }
                segment.nonParticipation = nonParticipation
                design.lots[l].segments[s] = segment
            }
        }
        return (design, errors)
    }

    /// The form field a validation problem belongs to, from the problem's path.
    static func fieldKey(for path: String, in design: Design) -> String? {
        let numbers = path.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        guard path.hasPrefix("lots["), numbers.count >= 2, design.lots.indices.contains(numbers[0]),
              design.lots[numbers[0]].segments.indices.contains(numbers[1]) else { return nil }
        let segment = design.lots[numbers[0]].segments[numbers[1]]
        if path.contains(".subSegments["), numbers.count >= 3, segment.subSegments.indices.contains(numbers[2]) {
            let sub = segment.subSegments[numbers[2]].code
            return path.hasSuffix(".maxProviders") ? "max-\(sub)" : "min-\(sub)"
        }
        if path.contains(".weights") { return "weights-\(segment.code)" }
        if path.contains(".nonParticipation") {
            if numbers.count >= 3, segment.nonParticipation.indices.contains(numbers[2]) {
                return "reason-\(segment.code)-\(segment.nonParticipation[numbers[2]].municipality)"
            }
            return "part-\(segment.code)"
        }
        return nil
    }
}

/// What the edit template shows: every field with its value and, where needed, its error.
struct DesignEditView: Encodable {
    struct Field: Encodable {
        var key: String
        var label: String
        var value: String
        var error: String?
    }

    struct ParticipationField: Encodable {
        var municipality: String
        var key: String
        var checked: Bool
        var reasonKey: String
        var reason: String
        var error: String?
    }

    struct SegmentFields: Encodable {
        var code: String
        var name: String
        var subSegments: [SubSegmentFields]
        var weights: [Field]
        var weightsError: String?
        var participation: [ParticipationField]
        var participationError: String?
    }

    struct SubSegmentFields: Encodable {
        var code: String
        var name: String
        var min: Field
        var max: Field
    }

    struct Summary: Encodable {
        var key: String
        var message: String
    }

    var name: Field
    var segments: [SegmentFields]
    var summary: [Summary]
    var action: String
    var cancel: String

    init(design: Design, values: [String: String], errors: [String: String], action: String, cancel: String) {
        func field(_ key: String, _ label: String) -> Field {
            Field(key: key, label: label, value: values[key] ?? "", error: errors[key])
        }
        name = field("name", "Naam van het ontwerp")
        segments = design.lots.flatMap { lot in
            lot.segments.map { segment in
                SegmentFields(
                    code: segment.code, name: segment.name,
                    subSegments: segment.subSegments.map { sub in
                        SubSegmentFields(code: sub.code, name: sub.name,
                                         min: field("min-\(sub.code)", "Minimum aantal aanbieders voor \(sub.name)"),
                                         max: field("max-\(sub.code)", "Maximum aantal aanbieders voor \(sub.name)"))
                    },
                    weights: lot.criteria.map { field("weight-\(segment.code)-\($0.code)", $0.name) },
                    weightsError: errors["weights-\(segment.code)"],
                    participation: design.region.municipalities.map { m in
                        ParticipationField(municipality: m.name, key: "part-\(segment.code)-\(m.code)",
                                           checked: values["part-\(segment.code)-\(m.code)"] != nil,
                                           reasonKey: "reason-\(segment.code)-\(m.code)",
                                           reason: values["reason-\(segment.code)-\(m.code)"] ?? "",
                                           error: errors["reason-\(segment.code)-\(m.code)"])
                    },
                    participationError: errors["part-\(segment.code)"])
            }
        }
        summary = errors.sorted { $0.key < $1.key }.map { Summary(key: $0.key, message: $0.value) }
        self.action = action
        self.cancel = cancel
    }
}
