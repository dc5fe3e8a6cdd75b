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
