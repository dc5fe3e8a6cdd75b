import Foundation
import ZorginkoopCore

/// Times as Dutch pages show and take them, on the core's Amsterdam calendar.
enum DutchTime {
    /// Midnight in Amsterdam at the start of a calendar day.
    static func startOfDay(_ day: CalendarDate) -> Date { Amsterdam.startOfDay(day) }

    /// `9-4-2026 23:59:59`.
    static func dateTime(_ date: Date) -> String { Amsterdam.dutchDateTime(date) }

    /// Date and time to the millisecond: what a deadline dispute turns on.
    static func preciseDateTime(_ date: Date) -> String {
        let c = Amsterdam.calendar.dateComponents([.nanosecond], from: date)
        return dateTime(date) + String(format: ",%03d", c.nanosecond! / 1_000_000)
    }

    /// The value of an `<input type="datetime-local">`, as `2026-12-01T12:00` (seconds when not 0).
    static func inputValue(_ date: Date) -> String {
        let c = Amsterdam.calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return c.second == 0
            ? String(format: "%04d-%02d-%02dT%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!)
            : String(format: "%04d-%02d-%02dT%02d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    /// Reads `2026-12-01T12:00` (seconds optional) as Amsterdam time; nil when it is not such a value.
    static func parseInput(_ text: String) -> Date? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "T")
        guard parts.count == 2, let day = CalendarDate(iso: String(parts[0])) else { return nil }
        let time = parts[1].split(separator: ":").map { Int($0) }
        guard (2...3).contains(time.count), time.allSatisfy({ $0 != nil }) else { return nil }
        let (hour, minute, second) = (time[0]!, time[1]!, time.count == 3 ? time[2]! : 0)
        guard (0..<24).contains(hour), (0..<60).contains(minute), (0..<60).contains(second) else { return nil }
        return Amsterdam.calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day,
                                                            hour: hour, minute: minute, second: second))
    }
}
