import Foundation
import ZorginkoopCore

/// A table to export: the one shape that both the CSV and the XLSX writer take, so a register,
/// a report or an audit trail is described once and offered in both formats.
public struct Sheet: Sendable, Equatable {
    /// The worksheet's name in XLSX (at most 31 characters; Excel refuses longer ones).
    public var name: String
    public var columns: [String]
    public var rows: [[Cell]]

    public init(name: String, columns: [String], rows: [[Cell]] = []) {
        self.name = name
        self.columns = columns
        self.rows = rows
    }

    /// A value typed by what it is, so XLSX stores dates as dates and amounts as numbers, and the
    /// CSV writes them the way Dutch Excel reads them back (`31-12-2029`, `1234,56`).
    public enum Cell: Sendable, Equatable, ExpressibleByStringLiteral {
        case text(String)
        case integer(Int)
        /// Money in integer cents, written with two decimals.
        case cents(Int)
        /// A fixed-point number in thousandths (KPI values, scores), written with up to three decimals.
        case thousandths(Int)
        case date(CalendarDate)
        case empty

        public init(stringLiteral value: String) { self = .text(value) }

        public static func optionalDate(_ date: CalendarDate?) -> Cell { date.map(Cell.date) ?? .empty }
    }
}

/// The Dutch way of writing numbers and dates in files: a comma before the decimals and
/// day-month-year with leading zeros.
public enum DutchFormat {
    public static func date(_ date: CalendarDate) -> String {
        "\(pad(date.day, 2))-\(pad(date.month, 2))-\(pad(date.year, 4))"
    }

    public static func cents(_ cents: Int) -> String {
        let sign = cents < 0 ? "-" : ""
        let magnitude = cents.magnitude
        return "\(sign)\(magnitude / 100),\(pad(Int(magnitude % 100), 2))"
    }

    /// Thousandths without trailing zeros: 12500 → `12,5`, 3000 → `3`.
    public static func thousandths(_ value: Int) -> String {
        let sign = value < 0 ? "-" : ""
        let magnitude = value.magnitude
        var decimals = pad(Int(magnitude % 1000), 3)
        while decimals.hasSuffix("0") { decimals.removeLast() }
        return "\(sign)\(magnitude / 1000)" + (decimals.isEmpty ? "" : ",\(decimals)")
    }

    /// `1234,56`, `1.234,56`, `-12,5` or `12` as cents; nil for anything else (more than two
    /// decimals, a point as the decimal separator, letters).
    public static func parseCents(_ text: String) -> Int? {
        parseFixed(text, decimals: 2)
    }

    /// A number with up to three decimals, comma-separated, as thousandths.
    public static func parseThousandths(_ text: String) -> Int? {
        parseFixed(text, decimals: 3)
    }

    private static func parseFixed(_ text: String, decimals: Int) -> Int? {
        var value = text.trimmingCharacters(in: .whitespaces)
        let negative = value.hasPrefix("-")
        if negative { value.removeFirst() }
        let parts = value.split(separator: ",", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count) else { return nil }
        let whole = String(parts[0])
        guard !whole.isEmpty, isGrouped(whole) else { return nil }
        let digits = whole.replacingOccurrences(of: ".", with: "")
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.count <= decimals, fraction.allSatisfy(\.isASCIIDigit),
              (parts.count == 1 || !fraction.isEmpty),
              digits.count <= 15, let units = Int(digits) else { return nil }
        let scale = [1, 10, 100, 1000][decimals]
        let padded = fraction + String(repeating: "0", count: decimals - fraction.count)
        let result = units * scale + (Int(padded) ?? 0)
        return negative ? -result : result
    }

    /// Digits, optionally grouped by points in threes (`1.234.567`).
    private static func isGrouped(_ whole: String) -> Bool {
        let groups = whole.split(separator: ".", omittingEmptySubsequences: false)
        guard groups.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }) else { return false }
        return groups.count == 1 || (groups.first!.count <= 3 && groups.dropFirst().allSatisfy { $0.count == 3 })
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
