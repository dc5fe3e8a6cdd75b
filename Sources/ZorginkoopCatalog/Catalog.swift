import Foundation
import ZorginkoopCore

/// A file could not be read or understood; each problem names the place.
public struct FileProblems: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var problems: [Problem]

    public init(file: String, problems: [Problem]) {
        self.file = file
        self.problems = problems
    }

    public var description: String {
        problems.map { "\(file): \($0)" }.joined(separator: "\n")
    }
}

/// The designs that ship with the product, and the loading of design and input files.
public enum Catalog {
    /// Codes of the bundled designs, sorted.
    public static var bundledDesignCodes: [String] {
        let urls = (try? FileManager.default.contentsOfDirectory(at: designsDirectory, includingPropertiesForKeys: nil)) ?? []
        return urls.filter { $0.pathExtension == "json" }.map { $0.deletingPathExtension().lastPathComponent }.sorted()
    }

    static var designsDirectory: URL {
        Bundle.module.resourceURL!.appendingPathComponent("designs")
    }

    /// The bundled design with this code, validated.
    public static func bundledDesign(_ code: String) throws -> Design {
        let url = designsDirectory.appendingPathComponent("\(code).json")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw FileProblems(file: code, problems: [Problem("", "geen meegeleverd ontwerp '\(code)' (wel: \(bundledDesignCodes.joined(separator: ", ")))")])
        }
        return try loadDesign(at: url.path)
    }

    /// A design by bundled code or file path, decoded and validated.
    public static func design(named nameOrPath: String, relativeTo base: URL? = nil) throws -> Design {
        if bundledDesignCodes.contains(nameOrPath) { return try bundledDesign(nameOrPath) }
        let url = base.map { URL(fileURLWithPath: nameOrPath, relativeTo: $0) } ?? URL(fileURLWithPath: nameOrPath)
        return try loadDesign(at: url.path)
    }

    /// Reads, decodes and validates a design file.
    public static func loadDesign(at path: String) throws -> Design {
        let design: Design = try decodeFile(at: path)
        let problems = design.validate()
        guard problems.isEmpty else { throw FileProblems(file: path, problems: problems) }
        return design
    }

    /// Reads and decodes a JSON file, turning every failure into a problem that names the place.
    public static func decodeFile<T: Decodable>(at path: String) throws -> T {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FileProblems(file: path, problems: [Problem("", "bestand niet gevonden of niet leesbaar")])
        }
        return try decode(data, file: path)
    }

    public static func decode<T: Decodable>(_ data: Data, file: String) throws -> T {
        if let limit = JSONLimits.problem(in: data) { throw FileProblems(file: file, problems: [limit]) }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            if case let .dataCorrupted(context) = error, context.codingPath.isEmpty,
               let syntax = JSONSyntax.problem(in: data) {
                throw FileProblems(file: file, problems: [syntax])
            }
            throw FileProblems(file: file, problems: [problem(from: error)])
        }
    }

    /// A Dutch description of a decoding failure, with the path of the field or the line of a syntax error.
    public static func problem(from error: DecodingError) -> Problem {
        switch error {
        case let .keyNotFound(key, context):
            return Problem(path(context.codingPath), "verplicht veld '\(key.stringValue)' ontbreekt")
        case let .typeMismatch(type, context):
            return Problem(path(context.codingPath), "verkeerd type: verwacht \(typeName(type))")
        case let .valueNotFound(type, context):
            return Problem(path(context.codingPath), "waarde ontbreekt: verwacht \(typeName(type))")
        case let .dataCorrupted(context):
            return Problem(path(context.codingPath), context.codingPath.isEmpty ? "geen geldige JSON" : context.debugDescription)
        @unknown default:
            return Problem("", "onleesbaar: \(error)")
        }
    }

    static func path(_ codingPath: [CodingKey]) -> String {
        var out = ""
        for key in codingPath {
            if let index = key.intValue {
                out += "[\(index)]"
            } else {
                out += out.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return out
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "tekst"
        case is Int.Type: "geheel getal"
        case is Decimal.Type, is Double.Type: "getal"
        case is Bool.Type: "true of false"
        default: String(describing: type).hasPrefix("Array") ? "lijst" : "object"
        }
    }
}
