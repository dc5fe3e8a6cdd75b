import Foundation
import Vapor
import ZorginkoopCore

/// A form as posted: every field by name, as text.
struct PostedForm: Sendable {
    var values: [String: String]

    init(_ req: Request) throws {
        values = (try? req.content.decode([String: String].self)) ?? [:]
    }

    init(values: [String: String]) { self.values = values }

    subscript(_ key: String) -> String { values[key] ?? "" }

    func checked(_ key: String) -> Bool { values[key] != nil }

    func trimmed(_ key: String) -> String { self[key].trimmingCharacters(in: .whitespacesAndNewlines) }
}

/// Field errors for a page: the message per field key, plus the summary that links to each.
struct FieldErrors: Encodable, Sendable {
    struct Item: Encodable, Sendable {
        var key: String
        var message: String
    }

    var items: [Item] = []

    subscript(_ key: String) -> String? { items.first { $0.key == key }?.message }

    mutating func add(_ key: String, _ message: String) { items.append(Item(key: key, message: message)) }

    var isEmpty: Bool { items.isEmpty }
}

extension DutchTime {
    /// The value of an `<input type="datetime-local">` in Amsterdam time, as `2026-12-01T12:00`.
    static func inputValue(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
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
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: hour, minute: minute, second: second))
    }
}
