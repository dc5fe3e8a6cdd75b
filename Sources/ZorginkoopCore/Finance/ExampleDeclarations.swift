import Foundation

extension BSN {
    /// A number that passes the eleven-test in the 999 million range (where the published test
    /// messages have theirs), distinct for each `n` below 100,000: fictitious clients for the demo
    /// and the tests. The first eight digits are 9990 followed by `n`; the ninth is the one the
    /// eleven-test asks for. Where that would be 10, the prefix 9980 is used instead, which moves
    /// the weighted sum by 6 and so gives a digit.
    public static func example(_ n: Int) -> String {
        precondition((0..<100_000).contains(n))
        for prefix in [99_900_000 + n, 99_800_000 + n] {
            let digits = String(prefix).utf8.map { Int($0) - 48 }
            let sum = zip(digits, [9, 8, 7, 6, 5, 4, 3, 2]).reduce(0) { $0 + $1.0 * $1.1 }
            if sum % 11 < 10 { return String(prefix) + String(sum % 11) }
        }
        preconditionFailure("one of the two prefixes always gives a check digit")
    }
}

/// Declarations as a provider's system would send them for its contracted products: a month per
/// message, each client with an allocation and a line per month at the contract's tariff. Some
/// lines are wrong on purpose, as in real life: a tariff that is not the contract's, a product
/// the provider is not contracted for, a second debit of a month. Deterministic per seed.
public struct ExampleDeclarations: Sendable {
    public var clients: Int
    /// The share of lines with a wrong tariff, an uncontracted product, a second debit.
    public var wrongTariff: Double = 0.03
    public var uncontracted: Double = 0.01
    public var secondDebit: Double = 0.02

    public init(clients: Int) { self.clients = clients }

    /// One message per month from `first` through `last` for the products of one provider in one
    /// municipality (all of `products` must share both).
    public func messages(for products: [ContractedProduct], law: CareLaw, from first: YearMonth, through last: YearMonth, seed: UInt64) -> [Declaration] {
        guard let sample = products.first else { return [] }
        var random = SeededRandom(seed: seed)
        var out: [Declaration] = []
        var month = first
        var index = 0
        // Each client keeps its product and allocation over the months.
        // Clients of different seeds differ: 45 seeds of up to 2,000 clients each.
        let assigned = (0..<min(clients, 2000)).map { c in (bsn: BSN.example(Int(seed % 45) * 2000 + c), product: products[c % products.count],
                                                            allocation: String(100_000 + Int(seed % 45) * 2000 + c)) }
        while month <= last {
            index += 1
            let begin = CalendarDate(year: month.year, month: month.month, day: 1)!
            let end = begin.lastOfMonth
            var lines: [DeclarationLine] = []
            for (c, client) in assigned.enumerated() where client.product.from <= end && client.product.to >= begin {
                let p = client.product
                guard let tariff = p.tariffs[month.year] else { continue }
                let volume = p.unit == .etmaal ? end.day : 4 + c % 9
                var line = DeclarationLine(reference: "R\(month.year)\(String(format: "%02d", month.month))\(c)", client: client.bsn, allocation: client.allocation,
                                           category: p.category, code: p.code, period: DatePeriod(begin, end), volume: volume, unit: p.unit,
                                           tariff: tariff, amount: Money(cents: tariff.cents * volume))
                if random.chance(wrongTariff) {
                    line.tariff = Money(cents: tariff.cents + 150)
                    line.amount = Money(cents: line.tariff!.cents * volume)
                } else if random.chance(uncontracted) {
                    line.code = "X" + String(p.code.dropFirst())
                }
                lines.append(line)
                if random.chance(secondDebit) {
                    var again = line
                    again.reference += "B"
                    lines.append(again)
                }
            }
            out.append(Declaration(law: law, messageId: "\(seed % 1000)\(month.year)\(String(format: "%02d", month.month))",
                                   messageDate: end.adding(days: 5), provider: sample.provider, municipality: sample.municipality,
                                   number: "D\(seed % 1000)N\(index)", period: DatePeriod(begin, end), date: end.adding(days: 5),
                                   total: lines.reduce(Money.zero) { $0 + $1.signedAmount }, lines: lines))
            month = month.month == 12 ? YearMonth(year: month.year + 1, month: 1) : YearMonth(year: month.year, month: month.month + 1)
        }
        return out
    }
}
