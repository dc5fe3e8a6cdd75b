import Foundation

/// The scale assessors score on, per criterion: from `min` to `max` in steps of `step`
/// (for example 0 to 10 in whole points, or 0 to 4 in half points).
public struct ScoreScale: Codable, Hashable, Sendable {
    public var min: Decimal
    public var max: Decimal
    public var step: Decimal

    public init(min: Decimal, max: Decimal, step: Decimal) {
        self.min = min
        self.max = max
        self.step = step
    }

    /// Whether `score` is a value an assessor may give: inside the scale and on a step.
    public func allows(_ score: Decimal) -> Bool {
        guard score >= min, score <= max, step > 0 else { return false }
        return (score - min).isWholeMultiple(of: step)
    }

    /// The allowed values, lowest first.
    public var values: [Decimal] {
        guard step > 0, max >= min else { return [] }
        var out: [Decimal] = []
        var v = min
        while v <= max {
            out.append(v)
            v += step
        }
        return out
    }

    public var dutchDescription: String {
        "\(min.plain) tot en met \(max.plain) in stappen van \(step.plain)"
    }
}

/// A bid's weighted score, on 0 to 100. Computed exactly: the sum of weight × (score − scale minimum)
/// over the criteria, divided by the width of the scale. Two bids with the same consensus scores get
/// exactly the same value, so ties are ties and never rounding accidents.
public struct WeightedScore: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let value: Decimal

    public init(value: Decimal) { self.value = value }

    /// - Parameters:
    ///   - consensus: the consensus score per criterion code.
    ///   - weights: percent per criterion code, summing to 100.
    /// - Returns: nil when a weighted criterion has no score.
    public init?(consensus: [String: Decimal], weights: [String: Int], scale: ScoreScale) {
        var total = Decimal(0)
        for (criterion, weight) in weights where weight != 0 {
            guard let score = consensus[criterion] else { return nil }
            total += Decimal(weight) * (score - scale.min)
        }
        value = total / (scale.max - scale.min)
    }

    public static func < (a: WeightedScore, b: WeightedScore) -> Bool { a.value < b.value }

    /// Rounded to two decimals for display; ranking always uses the exact value.
    public var rounded: Decimal { value.rounded(scale: 2) }

    public var description: String { rounded.plain }

    /// Dutch notation with a decimal comma: `72,5`.
    public var dutch: String { rounded.plain.replacingOccurrences(of: ".", with: ",") }
}

extension Decimal {
    /// Rounds half away from zero to `scale` decimals.
    public func rounded(scale: Int) -> Decimal {
        var input = self
        var result = Decimal()
        NSDecimalRound(&result, &input, scale, .plain)
        return result
    }

    /// The decimal written without exponent or grouping: `72.5`, `-3`, `0.25`.
    public var plain: String {
        var copy = self
        return NSDecimalString(&copy, Locale(identifier: "en_US_POSIX"))
    }

    func isWholeMultiple(of step: Decimal) -> Bool {
        let quotient = self / step
        return quotient == quotient.rounded(scale: 0)
    }
}
