import Foundation
import ZorginkoopCore

/// Finds where a JSON text stops being valid, as a line and column, because Foundation's decoder
/// only says that it is not. Used after decoding failed, so it need not be fast.
enum JSONSyntax {
    struct Failure: Error {
        var offset: Int
        var message: String
    }

    /// The problem at the first syntax error, or nil when the text is valid JSON.
    static func problem(in data: Data) -> Problem? {
        let bytes = [UInt8](data)
        var parser = Parser(bytes: bytes)
        do {
            parser.skipWhitespace()
            try parser.value()
            parser.skipWhitespace()
            if parser.index < bytes.count { throw Failure(offset: parser.index, message: "onverwachte tekst na het einde van de JSON") }
            return nil
        } catch let failure as Failure {
            let (line, column) = position(of: failure.offset, in: bytes)
            return Problem("regel \(line), kolom \(column)", "geen geldige JSON: \(failure.message)")
        } catch {
            return Problem("", "geen geldige JSON")
        }
    }

    static func position(of offset: Int, in bytes: [UInt8]) -> (Int, Int) {
        var line = 1
        var column = 1
        for byte in bytes.prefix(offset) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {  // count characters, not UTF-8 continuation bytes
                column += 1
            }
        }
        return (line, column)
    }

    struct Parser {
        let bytes: [UInt8]
        var index = 0

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipWhitespace() {
            while let c = current, c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { index += 1 }
        }

        func fail(_ message: String) -> Failure {
            Failure(offset: index, message: current == nil ? "het bestand houdt onverwacht op (\(message))" : message)
        }

        mutating func expect(_ literal: String) throws {
            for byte in literal.utf8 {
                guard current == byte else { throw fail("verwacht '\(literal)'") }
                index += 1
            }
        }

        mutating func value() throws {
            switch current {
            case UInt8(ascii: "{"): try object()
            case UInt8(ascii: "["): try array()
            case UInt8(ascii: "\""): try string()
            case UInt8(ascii: "t"): try expect("true")
            case UInt8(ascii: "f"): try expect("false")
            case UInt8(ascii: "n"): try expect("null")
            case let c? where c == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c): try number()
            default: throw fail("verwacht een waarde (object, lijst, tekst, getal, true, false of null)")
            }
        }

        mutating func object() throws {
            index += 1
            skipWhitespace()
            if current == UInt8(ascii: "}") { index += 1; return }
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\"") else { throw fail("verwacht een veldnaam tussen aanhalingstekens") }
                try string()
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { throw fail("verwacht ':' na de veldnaam") }
                index += 1
                skipWhitespace()
                try value()
                skipWhitespace()
                if current == UInt8(ascii: ",") { index += 1; continue }
                if current == UInt8(ascii: "}") { index += 1; return }
                throw fail("verwacht ',' of '}'")
            }
        }

        mutating func array() throws {
            index += 1
            skipWhitespace()
            if current == UInt8(ascii: "]") { index += 1; return }
            while true {
                skipWhitespace()
                try value()
                skipWhitespace()
                if current == UInt8(ascii: ",") { index += 1; continue }
                if current == UInt8(ascii: "]") { index += 1; return }
                throw fail("verwacht ',' of ']'")
            }
        }

        mutating func string() throws {
            index += 1
            while let c = current {
                index += 1
                if c == UInt8(ascii: "\"") { return }
                if c == UInt8(ascii: "\\") { index += 1 }
                if c < 0x20 { index -= 1; throw fail("regeleinde of stuurteken binnen tekst") }
            }
            throw fail("tekst niet afgesloten met '\"'")
        }

        mutating func number() throws {
            let start = index
            while let c = current, "+-0123456789.eE".utf8.contains(c) { index += 1 }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            guard Double(text) != nil else { index = start; throw fail("ongeldig getal '\(text)'") }
        }
    }
}
