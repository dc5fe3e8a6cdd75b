import Foundation

/// The Europe/Amsterdam calendar, for every rule where a day boundary matters.
public enum Amsterdam {
    public static let timeZone = TimeZone(identifier: "Europe/Amsterdam")!

    public static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }()

    /// The calendar day in Amsterdam on which `instant` falls.
    public static func day(of instant: Date) -> CalendarDate {
        let c = calendar.dateComponents([.year, .month, .day], from: instant)
        return CalendarDate(year: c.year!, month: c.month!, day: c.day!)!
    }

    /// Midnight at the start of `day` in Amsterdam.
    public static func startOfDay(_ day: CalendarDate) -> Date {
        calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day))!
    }

    /// `9-4-2026 23:59:59`, Amsterdam time.
    public static func dutchDateTime(_ instant: Date) -> String {
        let c = calendar.dateComponents([.hour, .minute, .second], from: instant)
        return "\(day(of: instant).dutch) " + String(format: "%02d:%02d:%02d", c.hour!, c.minute!, c.second!)
    }
}
