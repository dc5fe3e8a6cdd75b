import Foundation

/// One thing wrong with an input, and where: the path of the field, as `lots[0].segments[1].weights`.
public struct Problem: Hashable, Sendable, CustomStringConvertible, Codable {
    public var path: String
    public var message: String

    public init(_ path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Collects problems while walking a nested structure, keeping track of the current path.
struct ProblemCollector {
    private(set) var problems: [Problem] = []

    mutating func add(_ path: String, _ message: String) {
        problems.append(Problem(path, message))
    }

    /// Reports every value that occurs more than once in `codes`, at the path of its second occurrence.
    mutating func requireUnique(_ codes: [String], path: (Int) -> String, what: String) {
        if codes.count <= 8 {
            // Few codes: pairwise comparison beats hashing, and finds the same second occurrences.
            for (i, code) in codes.enumerated() {
                if code.isBlank {
                    add(path(i), "\(what) heeft een lege code")
                } else if codes[..<i].contains(code) {
                    add(path(i), "\(what) '\(code)' komt meer dan eens voor; codes moeten uniek zijn")
                }
            }
            return
        }
        var seen: Set<String> = []
        for (i, code) in codes.enumerated() {
            if code.isBlank {
                add(path(i), "\(what) heeft een lege code")
            } else if !seen.insert(code).inserted {
                add(path(i), "\(what) '\(code)' komt meer dan eens voor; codes moeten uniek zijn")
            }
        }
    }
}


extension String {
    /// Empty or only white space.
    public var isBlank: Bool {
        // Almost every name starts with a visible ASCII character; skip the Unicode walk for those.
        if let first = utf8.first, first > 0x20, first < 0x80 { return false }
        return allSatisfy(\.isWhitespace)
    }
}
