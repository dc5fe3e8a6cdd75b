import Foundation

extension Decimal {
    /// Rounded half away from zero to `scale` decimals (6.295 → 6.30, −1.605 → −1.61): the one
    /// rounding of money (to the cent) and of indices (to two decimals).
    public func rounded(_ scale: Int) -> Decimal {
        var input = self
        var out = Decimal()
        NSDecimalRound(&out, &input, scale, .plain)
        return out
    }

    /// Two decimals, always written, with a point: 6.3 → "6.30", −0.5 → "-0.50".
    public var twoDecimals: String {
        let hundredths = NSDecimalNumber(decimal: rounded(2) * 100).int64Value
        return "\(hundredths < 0 ? "-" : "")\(abs(hundredths) / 100).\(String(format: "%02lld", abs(hundredths) % 100))"
    }
}
