import Foundation

/// Identifiers a care provider registers with.
public enum Registration {
    /// A Chamber of Commerce (KvK) number: exactly 8 digits. (The KvK dropped its check digit in
    /// 2014; any 8 digits may be issued.)
    public static func kvkProblem(_ raw: String) -> String? {
        let value = raw.trimmingCharacters(in: .whitespaces)
        guard value.count == 8, value.allSatisfy(\.isASCIIDigit) else {
            return "een KvK-nummer bestaat uit precies 8 cijfers"
        }
        return value == "00000000" ? "00000000 is geen KvK-nummer" : nil
    }

    /// An AGB code (Vektis) of a practice or institution: 8 digits, the first two the type of care
    /// (01–98), the other six the number within it.
    public static func agbProblem(_ raw: String) -> String? {
        let value = raw.trimmingCharacters(in: .whitespaces)
        guard value.count == 8, value.allSatisfy(\.isASCIIDigit) else {
            return "een AGB-code bestaat uit precies 8 cijfers"
        }
        let kind = Int(value.prefix(2))!
        guard (1...98).contains(kind) else {
            return "de eerste twee cijfers van een AGB-code (de zorgsoort) liggen tussen 01 en 98"
        }
        return value.suffix(6) == "000000" ? "de laatste zes cijfers van een AGB-code zijn niet allemaal 0" : nil
    }

    /// Normalises an 8-digit identifier as stored: trimmed.
    public static func normalised(_ raw: String) -> String { raw.trimmingCharacters(in: .whitespaces) }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
