import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import ZorginkoopCore

/// The namespaces of the iJw/iWmo 3.2 messages.
enum IStandaard {
    static func base(_ law: CareLaw) -> String {
        law == .jeugdwet ? "http://www.istandaarden.nl/ijw/3_2/basisschema/schema" : "http://www.istandaarden.nl/iwmo/3_2/basisschema/schema"
    }

    static func message(_ law: CareLaw, _ number: String) -> String {
        law == .jeugdwet ? "http://www.istandaarden.nl/ijw/3_2/jw\(number)/schema" : "http://www.istandaarden.nl/iwmo/3_2/wmo\(number)/schema"
    }

    /// The product categories of the basisschema's `LDT_ProductCategorie`: 31–55 for youth care, 01–18 for the Wmo.
    static func productCategories(_ law: CareLaw) -> Set<String> {
        law == .jeugdwet
            ? ["31", "32", "33", "34", "35", "36", "37", "38", "40", "41", "42", "43", "44", "45", "46", "47", "48", "49", "50", "51", "52", "53", "54", "55"]
            : Set((1...18).map { String(format: "%02d", $0) })
    }

    static func basePrefix(_ law: CareLaw) -> String { law == .jeugdwet ? "ijw" : "iwmo" }
    static func messagePrefix(_ law: CareLaw, _ number: String) -> String { (law == .jeugdwet ? "jw" : "wmo") + number }
}

/// Thrown when a message does not meet its schema: every problem with the element path.
public struct MessageProblems: Error, Sendable {
    public var problems: [Problem]
}

/// Walks an iStandaarden message element by element, in the order the schema's sequences give,
/// and reads each value by its type in the basisschema. What it does not accept, `xmllint
/// --schema` does not accept either (the interop tests hold the two side by side).
struct StrictElement {
    let element: XMLElement
    let path: String
    let messageNamespace: String
    let baseNamespace: String

    enum Namespace { case message, base }

    struct Child {
        let name: String
        let namespace: Namespace
        let optional: Bool
        let repeated: Bool

        init(_ name: String, _ namespace: Namespace = .message, optional: Bool = false, repeated: Bool = false) {
            self.name = name
            self.namespace = namespace
            self.optional = optional
            self.repeated = repeated
        }
    }

    /// Parses a document without a DTD: external entities are never loaded, and a DOCTYPE is refused outright.
    static func root(of data: Data, problems: inout [Problem]) -> XMLElement? {
        if data.range(of: Data("<!DOCTYPE".utf8)) != nil || data.range(of: Data("<!ENTITY".utf8)) != nil {
            problems.append(Problem("", "een bericht mag geen DOCTYPE of ENTITY bevatten"))
            return nil
        }
        do {
            return try XMLDocument(data: data, options: [.nodeLoadExternalEntitiesNever]).rootElement()
        } catch {
            problems.append(Problem("", "het bestand is geen goedgevormde XML"))
            return nil
        }
    }

    /// The children in schema order: each expected one present the right number of times, nothing else.
    func children(_ spec: [Child], _ problems: inout [Problem]) -> [String: [StrictElement]] {
        var found: [String: [StrictElement]] = [:]
        var elements: [XMLElement] = []
        for node in element.children ?? [] {
            switch node.kind {
            case .element: elements.append(node as! XMLElement)
            case .text:
                if !(node.stringValue ?? "").allSatisfy(\.isWhitespace) {
                    problems.append(Problem(path, "tekst tussen de elementen is niet toegestaan"))
                }
            default: break
            }
        }
        var i = 0
        for child in spec {
            let uri = child.namespace == .message ? messageNamespace : baseNamespace
            var count = 0
            while i < elements.count, elements[i].localName == child.name, elements[i].uri == uri, count == 0 || child.repeated {
                let index = child.repeated ? "[\(count + 1)]" : ""
                found[child.name, default: []].append(StrictElement(element: elements[i], path: join(child.name + index),
                                                                    messageNamespace: messageNamespace, baseNamespace: baseNamespace))
                count += 1
                i += 1
            }
            if count == 0 && !child.optional { problems.append(Problem(join(child.name), "het element ontbreekt")) }
        }
        for extra in elements[i...] {
            problems.append(Problem(join(extra.localName ?? "?"), "onverwacht element (niet in het schema, of niet op deze plaats)"))
        }
        return found
    }

    private func join(_ name: String) -> String { path.isEmpty ? name : path + "/" + name }

    /// The text of a leaf element, which may hold no elements of its own.
    func text(_ problems: inout [Problem]) -> String {
        if (element.children ?? []).contains(where: { $0.kind == .element }) {
            problems.append(Problem(path, "dit element bevat alleen een waarde, geen elementen"))
        }
        return element.stringValue ?? ""
    }
}

/// Reading the basisschema's simple types, each problem with its path.
struct ValueReader {
    var problems: [Problem] = []

    mutating func string(_ e: StrictElement?, maxLength: Int, pattern: ((String) -> Bool)? = nil, what: String) -> String {
        guard let e else { return "" }
        let value = e.text(&problems)
        if value.isEmpty || value.count > maxLength || value.allSatisfy(\.isWhitespace) || !(pattern?(value) ?? true) {
            problems.append(Problem(e.path, "'\(value.prefix(40))' is geen geldige \(what)"))
        }
        return value
    }

    mutating func digits(_ e: StrictElement?, count: Int, what: String) -> String {
        string(e, maxLength: count, pattern: { $0.count == count && $0.allSatisfy(\.isASCIIDigit) }, what: what)
    }

    mutating func integer(_ e: StrictElement?, max: Int, what: String) -> Int {
        guard let e else { return 0 }
        let value = e.text(&problems)
        // xs:integer: optional sign, digits, surrounding white space collapsed.
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let n = Int(trimmed.hasPrefix("+") ? String(trimmed.dropFirst()) : trimmed), n >= 0, n <= max else {
            problems.append(Problem(e.path, "'\(value.prefix(40))' is geen geldig \(what) (een geheel getal van 0 tot en met \(max))"))
            return 0
        }
        return n
    }

    mutating func date(_ e: StrictElement?) -> CalendarDate? {
        guard let e else { return nil }
        let value = e.text(&problems).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let d = CalendarDate(iso: value) else {
            problems.append(Problem(e.path, "'\(value.prefix(40))' is geen datum (JJJJ-MM-DD)"))
            return nil
        }
        return d
    }

    mutating func choice<T: RawRepresentable>(_ e: StrictElement?, _: T.Type, what: String) -> T? where T.RawValue == String {
        guard let e else { return nil }
        let value = e.text(&problems).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let v = T(rawValue: value) else {
            problems.append(Problem(e.path, "'\(value.prefix(40))' is geen geldige \(what)"))
            return nil
        }
        return v
    }
}
