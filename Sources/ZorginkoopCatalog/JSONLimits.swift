import Foundation
import ZorginkoopCore

/// Limits every JSON text must keep before it is decoded, in the CLI and the API alike: a nesting
/// no deeper than a real design needs, numbers that integer arithmetic can add and multiply, and
/// no control characters inside texts. One iterative pass, so that a hostile file cannot exhaust
/// the stack (a file nested 10,000 deep once crashed the server and `zorginkoop select`).
public enum JSONLimits {
    /// Designs nest about eight deep; anything past this is not a design or a list of bids.
    public static let maxDepth = 64
    /// The largest magnitude of any number: far above any count or amount in cents, far below
    /// where adding or multiplying two of them overflows 64 bits.
    public static let maxMagnitude: Double = 1e15

    /// The first place where `data` exceeds a limit, or nil. Syntax errors are left to the decoder.
    public static func problem(in data: Data) -> Problem? {
        data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            var scanner = Scanner(bytes: bytes)
            guard let failure = scanner.scan() else { return nil }
            let (line, column) = JSONSyntax.position(of: failure.offset, in: [UInt8](bytes.prefix(failure.offset)))
            return Problem("regel \(line), kolom \(column)", failure.message)
        }
    }

    struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        var depth = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func scan() -> JSONSyntax.Failure? {
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                    if depth > JSONLimits.maxDepth {
                        return JSONSyntax.Failure(offset: index, message: "te diep genest: meer dan \(JSONLimits.maxDepth) niveaus van objecten en lijsten")
                    }
                    index += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    index += 1
                case UInt8(ascii: "\""):
                    if let failure = string() { return failure }
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    if let failure = number() { return failure }
                default:
                    index += 1
                }
            }
            return nil
        }

        mutating func string() -> JSONSyntax.Failure? {
            index += 1
            while index < bytes.count {
                let start = index
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return nil
                case UInt8(ascii: "\\"):
                    guard index < bytes.count else { return nil }
                    let escaped = bytes[index]
                    index += 1
                    if escaped == UInt8(ascii: "b") || escaped == UInt8(ascii: "f") {
                        return control(at: start, escaped == UInt8(ascii: "b") ? 0x08 : 0x0C)
                    }
                    if escaped == UInt8(ascii: "u"), index + 4 <= bytes.count,
                       let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) {
                        index += 4
                        if let scalar = Unicode.Scalar(value), TextRules.isForbiddenInText(scalar) { return control(at: start, value) }
                    }
                case 0xC2 where index < bytes.count && (0x80...0x9F).contains(bytes[index]):
                    return control(at: start, UInt32(bytes[index]))
                default:
                    break
                }
            }
            return nil
        }

        func control(at offset: Int, _ value: UInt32) -> JSONSyntax.Failure {
            JSONSyntax.Failure(offset: offset, message: "tekst bevat een stuurteken (\(TextRules.describe(Unicode.Scalar(value)!))) dat niet kan worden opgeslagen")
        }

        mutating func number() -> JSONSyntax.Failure? {
            let start = index
            while index < bytes.count, "+-0123456789.eE".utf8.contains(bytes[index]) { index += 1 }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            // Unparseable numbers are the decoder's to report, with its own message.
            if let value = Double(text), !(abs(value) < JSONLimits.maxMagnitude) {
                return JSONSyntax.Failure(offset: start, message: "getal \(text) is te groot (de grens is 10^15)")
            }
            return nil
        }
    }
}
