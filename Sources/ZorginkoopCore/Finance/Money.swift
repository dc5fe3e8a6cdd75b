import Foundation

/// An amount in whole eurocents: money is never a floating-point number.
public struct Money: Hashable, Comparable, Sendable {
    public var cents: Int

    public init(cents: Int) { self.cents = cents }

    public static let zero = Money(cents: 0)

    /// Euros as written by a person or a file, "1200000.00", "1200000" or "-12.5"; nil for more than
    /// two decimals, a thousands separator or anything that is not a number.
    public init?(euros text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.range(of: #"^-?[0-9]{1,13}(\.[0-9]{1,2})?$"#, options: .regularExpression) != nil,
              let value = Decimal(string: trimmed) else { return nil }
        self.init(exactly: value * 100)
    }

    /// Euros as an exact decimal; nil when it has fractions of a cent.
    public init?(euros value: Decimal) {
        self.init(exactly: value * 100)
    }

    private init?(exactly centsValue: Decimal) {
        guard centsValue.rounded(0) == centsValue else { return nil }
        cents = NSDecimalNumber(decimal: centsValue).intValue
    }

    public static func < (a: Money, b: Money) -> Bool { a.cents < b.cents }
    public static func + (a: Money, b: Money) -> Money { Money(cents: a.cents + b.cents) }
    public static func - (a: Money, b: Money) -> Money { Money(cents: a.cents - b.cents) }
    public static prefix func - (a: Money) -> Money { Money(cents: -a.cents) }
    public static func += (a: inout Money, b: Money) { a.cents += b.cents }
    public var magnitude: Money { Money(cents: abs(cents)) }

    /// A decimal number of euros (a computed tariff), rounded once, half away from zero, to the cent.
    public init(roundingEuros value: Decimal) {
        cents = Money.rounded(value * 100)
    }

    /// `percent` % of the amount, rounded once, half away from zero, to the cent.
    public func percent(_ percent: Decimal) -> Money {
        Money(cents: Money.rounded(Decimal(cents) * percent / 100))
    }

    /// The one rounding of money: half away from zero, to a whole cent.
    private static func rounded(_ cents: Decimal) -> Int {
        NSDecimalNumber(decimal: cents.rounded(0)).intValue
    }

    /// The amount in `count` equal parts that add up to it exactly: the cents left over go to the
    /// last parts, one each (advances of B/12 with the remainder in the last months).
    public func parts(_ count: Int) -> [Money] {
        precondition(count > 0)
        let base = cents / count, left = cents % count
        return (0..<count).map { i in Money(cents: base + (i >= count - abs(left) ? left.signum() : 0)) }
    }

    /// The amount shared by weights (largest remainder): the shares add up to it exactly; a cent left
    /// over goes to the largest remainder, ties to the first key in order.
    public func shared(by weights: [String: Decimal]) -> [String: Money] {
        let keys = weights.keys.sorted()
        let total = keys.reduce(Decimal(0)) { $0 + weights[$1]! }
        guard total > 0 else { return [:] }
        var shares: [String: Int] = [:]
        var remainders: [(key: String, rest: Decimal)] = []
        for key in keys {
            let exact = Decimal(cents) * weights[key]! / total
            var input = exact
            var down = Decimal()
            NSDecimalRound(&down, &input, 0, cents >= 0 ? .down : .up)
            shares[key] = NSDecimalNumber(decimal: down).intValue
            remainders.append((key, (exact - down).magnitude))
        }
        var left = cents - shares.values.reduce(0, +)
        let step = left >= 0 ? 1 : -1
        for r in remainders.enumerated().sorted(by: { $0.element.rest != $1.element.rest ? $0.element.rest > $1.element.rest : $0.offset < $1.offset }) where left != 0 {
            shares[r.element.key]! += step
            left -= step
        }
        return shares.mapValues(Money.init(cents:))
    }

    /// "1200000.00", "-12.50": for files and JSON.
    public var euros: String {
        let sign = cents < 0 ? "-" : ""
        return "\(sign)\(abs(cents) / 100).\(String(format: "%02d", abs(cents) % 100))"
    }

    /// "€ 1.200.000,00", "-€ 12,50": for pages and tables.
    public var dutch: String {
        let sign = cents < 0 ? "-" : ""
        var whole = String(abs(cents) / 100)
        var groups: [String] = []
        while whole.count > 3 {
            groups.insert(String(whole.suffix(3)), at: 0)
            whole.removeLast(3)
        }
        groups.insert(whole, at: 0)
        return "\(sign)€ \(groups.joined(separator: ".")),\(String(format: "%02d", abs(cents) % 100))"
    }
}

extension Money: Codable {
    /// Euros as a JSON number or string, exact to the cent; written as a string ("1200000.00").
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let text = try? c.decode(String.self) {
            guard let money = Money(euros: text) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "'\(text)' is geen bedrag in euro's met hoogstens twee decimalen (zoals \"1200000.00\")")
            }
            self = money
        } else {
            let value = try c.decode(Decimal.self)
            guard let money = Money(euros: value), abs(money.cents) < 1_000_000_000_000_000 else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "\(value) is geen bedrag in euro's met hoogstens twee decimalen")
            }
            self = money
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(euros)
    }
}
