import Foundation

/// A score an assessor or committee gives on one criterion, exact to a thousandth of a point.
/// Fixed point rather than `Decimal`: scores are compared and summed for every bid, and Decimal
/// arithmetic is slow; a thousandth is finer than any assessment scale needs.
public struct Score: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    public let thousandths: Int

    public init(thousandths: Int) { self.thousandths = thousandths }

    public init(integerLiteral value: Int) { thousandths = value * 1000 }

    /// The exact score, or nil when it has more than three decimals or is out of range.
    public init?(_ decimal: Decimal) {
        let scaled = decimal * 1000
        guard scaled == scaled.rounded(scale: 0), abs(scaled) < 1_000_000_000_000 else { return nil }
        thousandths = NSDecimalNumber(decimal: scaled).intValue
    }

    /// Parses `7`, `7.5` or `7,5`.
    public init?(string: String) {
        guard let decimal = Decimal(string: string.replacingOccurrences(of: ",", with: "."),
                                    locale: Locale(identifier: "en_US_POSIX")) else { return nil }
        self.init(decimal)
    }

    public var decimal: Decimal {
        Decimal(sign: thousandths < 0 ? .minus : .plus, exponent: -3, significand: Decimal(abs(thousandths)))
    }

    public static func < (a: Score, b: Score) -> Bool { a.thousandths < b.thousandths }
    public static func + (a: Score, b: Score) -> Score { Score(thousandths: a.thousandths + b.thousandths) }
    public static func - (a: Score, b: Score) -> Score { Score(thousandths: a.thousandths - b.thousandths) }

    /// `7.5`, `7`, `-0.25`: no trailing zeros.
    public var description: String { FixedPoint.format(thousandths, decimals: 3, separator: ".") }

    /// Dutch notation with a decimal comma: `7,5`.
    public var dutch: String { FixedPoint.format(thousandths, decimals: 3, separator: ",") }
}

extension Score: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let decimal = try container.decode(Decimal.self)
        guard let score = Score(decimal) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "score \(decimal.plain) heeft meer dan drie decimalen")
        }
        self = score
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(decimal)
    }
}

/// The scale assessors score on, per criterion: from `min` to `max` in steps of `step`
/// (for example 0 to 10 in whole points, or 0 to 4 in half points).
public struct ScoreScale: Codable, Hashable, Sendable {
    public var min: Score
    public var max: Score
    public var step: Score

    public init(min: Score, max: Score, step: Score) {
        self.min = min
        self.max = max
        self.step = step
    }

    /// The number of steps `score` lies above the minimum, or nil when it is not on the scale.
    public func stepIndex(of score: Score) -> Int? {
        guard score >= min, score <= max, step.thousandths > 0 else { return nil }
        let offset = score.thousandths - min.thousandths
        return offset % step.thousandths == 0 ? offset / step.thousandths : nil
    }

    /// Whether `score` is a value an assessor may give: inside the scale and on a step.
    public func allows(_ score: Score) -> Bool { stepIndex(of: score) != nil }

    /// The number of steps from minimum to maximum: 10 for 0 to 10 in whole points.
    public var stepsPerScale: Int { Swift.max(stepIndex(of: max) ?? 1, 1) }

    /// The allowed values, lowest first.
    public var values: [Score] {
        guard step.thousandths > 0, max >= min else { return [] }
        return Array(stride(from: min.thousandths, through: max.thousandths, by: step.thousandths)).map(Score.init(thousandths:))
    }

    public var dutchDescription: String {
        "\(min.dutch) tot en met \(max.dutch) in stappen van \(step.dutch)"
    }
}

/// A bid's weighted score, on 0 to 100: the sum over the criteria of weight% × (score − scale
/// minimum) / (scale maximum − scale minimum). Kept exactly as an integer number of weighted steps,
/// `points`, over the scale's `stepsPerScale`: two bids with the same consensus scores get exactly
/// the same value, so ties are ties and never rounding accidents.
public struct WeightedScore: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Σ weight% × steps above the scale minimum.
    public let points: Int
    public let stepsPerScale: Int

    public init(points: Int, stepsPerScale: Int) {
        self.points = points
        self.stepsPerScale = stepsPerScale
    }

    /// - Parameters:
    ///   - consensus: the consensus score per criterion code.
    ///   - weights: percent per criterion code, summing to 100.
    /// - Returns: nil when a weighted criterion has no score, or a score is off the scale.
    public init?(consensus: [String: Score], weights: [String: Int], scale: ScoreScale) {
        var total = 0
        for (criterion, weight) in weights where weight != 0 {
            guard let score = consensus[criterion], let step = scale.stepIndex(of: score) else { return nil }
            total += weight * step
        }
        self.init(points: total, stepsPerScale: scale.stepsPerScale)
    }

    /// Scores on the same scale compare by points; across scales by cross-multiplication.
    public static func < (a: WeightedScore, b: WeightedScore) -> Bool {
        a.points * b.stepsPerScale < b.points * a.stepsPerScale
    }

    /// The exact value on 0 to 100.
    public var value: Decimal { Decimal(points) / Decimal(stepsPerScale) }

    /// Hundredths of a point, rounded half away from zero, in integer arithmetic.
    var hundredths: Int {
        let doubled = abs(points) * 200
        let rounded = (doubled + stepsPerScale) / (2 * stepsPerScale)
        return points < 0 ? -rounded : rounded
    }

    /// Rounded to two decimals for display; ranking always uses the exact points.
    public var rounded: Decimal {
        Decimal(sign: hundredths < 0 ? .minus : .plus, exponent: -2, significand: Decimal(abs(hundredths)))
    }

    public var description: String { FixedPoint.format(hundredths, decimals: 2, separator: ".") }

    /// Dutch notation with a decimal comma: `72,5`.
    public var dutch: String { FixedPoint.format(hundredths, decimals: 2, separator: ",") }
}

enum FixedPoint {
    /// Formats an integer count of 10^-decimals units without trailing zeros: 72500 with 3 → `72.5`.
    static func format(_ units: Int, decimals: Int, separator: String) -> String {
        var divisor = 1
        for _ in 0..<decimals { divisor *= 10 }
        let whole = abs(units) / divisor
        var fraction = String(abs(units) % divisor)
        fraction = String(repeating: "0", count: decimals - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return (units < 0 ? "-" : "") + "\(whole)" + (fraction.isEmpty ? "" : separator + fraction)
    }
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
        return NSDecimalString(&copy, Decimal.posix)
    }

    private static let posix = Locale(identifier: "en_US_POSIX")
}
