import Foundation

/// What any text a person enters may hold. Tab, line feed and carriage return are text; the other
/// control characters are not, and NUL is refused everywhere because both engines lose it (SQLite
/// reads text back up to the first NUL, PostgreSQL refuses it), which once broke the audit chain.
/// Names (of people and organisations) also refuse the bidirectional controls with which a name
/// can be shown as another one ("Zorg\u{202E}A" displays reversed).
public enum TextRules {
    /// The first character of `text` that no text may contain, if any.
    public static func forbiddenCharacter(in text: String) -> Unicode.Scalar? {
        text.unicodeScalars.first(where: isForbiddenInText)
    }

    /// The first character of `name` that no name may contain, if any.
    public static func forbiddenCharacter(inName name: String) -> Unicode.Scalar? {
        name.unicodeScalars.first { isForbiddenInText($0) || isBidiControl($0) || isLineBreak($0) }
    }

    /// A Dutch message for a text with a forbidden character, or nil when the text may be stored.
    public static func problem(inText text: String) -> String? {
        forbiddenCharacter(in: text).map { "de tekst bevat een stuurteken (\(describe($0))) dat niet kan worden opgeslagen; verwijder het" }
    }

    /// A Dutch message for a name with a forbidden character, or nil when the name may be stored.
    public static func problem(inName name: String) -> String? {
        forbiddenCharacter(inName: name).map { "de naam bevat een stuurteken (\(describe($0))) dat in een naam niet is toegestaan" }
    }

    public static func isForbiddenInText(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x09, 0x0A, 0x0D: false
        case 0x00...0x1F, 0x7F...0x9F: true
        default: false
        }
    }

    static func isBidiControl(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    static func isLineBreak(_ s: Unicode.Scalar) -> Bool {
        s.value == 0x0A || s.value == 0x0D || s.value == 0x2028 || s.value == 0x2029
    }

    /// A character as U+XXXX, the way it can be looked up.
    public static func describe(_ s: Unicode.Scalar) -> String {
        "U+" + String(format: "%04X", s.value)
    }
}
