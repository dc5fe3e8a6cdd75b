import Foundation

/// A date without a time of day, as written in tender documents ("1 januari 2026").
///
/// Contract terms and term tables are calendar facts in Europe/Amsterdam; keeping them free of
/// time zones avoids the off-by-one-day errors that `Date` invites. Deadlines, which are instants,
/// are `Date`s elsewhere.
public struct CalendarDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Returns nil when the triple is not a real date (31 April, 29 February 2023).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), year >= 1, year <= 9999,
              day >= 1, day <= CalendarDate.daysIn(month: month, year: year) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses the ISO 8601 form `YYYY-MM-DD`.
    public init?(iso: String) {
        let parts = iso.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// A date as people type it in a form: `31-12-2027` (also `1-1-2027`), or `2027-12-31` as a
    /// date field sends it.
    public init?(entered text: String) {
        let value = text.trimmingCharacters(in: .whitespaces)
        if let iso = CalendarDate(iso: value) { self = iso; return }
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, (1...2).contains(parts[0].count), (1...2).contains(parts[1].count), parts[2].count == 4,
              let d = Int(parts[0]), let m = Int(parts[1]), let y = Int(parts[2]) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public var description: String {
        String(format: "%04d-%02d-%02d", year, month, day)
    }

    /// The Dutch way of writing the date: `31-12-2033`.
    public var dutch: String {
        "\(day)-\(month)-\(year)"
    }

    public static func < (a: CalendarDate, b: CalendarDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    public static func isLeap(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The same day `months` later; clamps to the month's last day (31 January + 1 month = 28/29 February).
    public func adding(months: Int) -> CalendarDate {
        let zeroBased = (year * 12 + (month - 1)) + months
        let y = zeroBased / 12
        let m = zeroBased % 12 + 1
        return CalendarDate(year: y, month: m, day: min(day, CalendarDate.daysIn(month: m, year: y)))!
    }

    /// The date `days` calendar days later (earlier when negative).
    public func adding(days: Int) -> CalendarDate {
        var date = self
        for _ in 0..<abs(days) { date = days > 0 ? date.dayAfter() : date.dayBefore() }
        return date
    }

    /// The next calendar day.
    public func dayAfter() -> CalendarDate {
        if day < CalendarDate.daysIn(month: month, year: year) { return CalendarDate(year: year, month: month, day: day + 1)! }
        if month < 12 { return CalendarDate(year: year, month: month + 1, day: 1)! }
        return CalendarDate(year: year + 1, month: 1, day: 1)!
    }

    /// The previous calendar day.
    public func dayBefore() -> CalendarDate {
        if day > 1 { return CalendarDate(year: year, month: month, day: day - 1)! }
        if month > 1 {
            return CalendarDate(year: year, month: month - 1, day: CalendarDate.daysIn(month: month - 1, year: year))!
        }
        return CalendarDate(year: year - 1, month: 12, day: 31)!
    }

    /// The last day of a period of `months` that starts on this date: 1-1-2026 + 48 months ends 31-12-2029.
    public func lastDayOfPeriod(months: Int) -> CalendarDate {
        adding(months: months).dayBefore()
    }
}

extension CalendarDate: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = CalendarDate(iso: text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "'\(text)' is geen geldige datum (verwacht JJJJ-MM-DD)")
        }
        self = date
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
