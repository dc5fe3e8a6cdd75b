import Foundation

/// What a tender document is to the procedure: the documents an officer attaches to a tender.
public enum TenderDocumentKind: String, Codable, Hashable, Sendable, CaseIterable {
    case selectionGuide = "selection-guide"
    case programmeOfRequirements = "programme-of-requirements"
    case draftContract = "draft-contract"
    case other

    public var dutchName: String {
        switch self {
        case .selectionGuide: "Selectieleidraad"
        case .programmeOfRequirements: "Programma van eisen"
        case .draftContract: "Concept-overeenkomst"
        case .other: "Bijlage"
        }
    }
}

/// A change to a tender's documents that the rules refuse, with the reason in Dutch for the user.
public enum TenderDocumentError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The name's extension is not .pdf, .docx or .xlsx.
    case extensionNotAllowed(filename: String)
    /// The content does not start as its extension says (a text file named .pdf, a program).
    case contentDoesNotMatch(filename: String, expected: DocumentKind)
    case tooLarge(filename: String, limit: Int)
    case empty(filename: String)
    case badFilename
    case missingTitle
    case unknownKind(String)
    case titleTooLong(limit: Int)
    case titleCharacter(String)
    /// After publication every change of the documents is a correction, and a correction says why.
    case correctionWithoutReason
    case correctionNotConfirmed
    case reasonCharacter(String)
    /// After the submission deadline the documents are what providers bid on: they stay as they are.
    case closed
    case unknownDocument(number: Int)

    public var description: String {
        switch self {
        case let .extensionNotAllowed(filename):
            "‘\(filename)’ is geen PDF, DOCX of XLSX: kies een bestand dat eindigt op .pdf, .docx of .xlsx"
        case let .contentDoesNotMatch(filename, expected):
            "‘\(filename)’ is geen echt \(expected.dutchName)-bestand (het type wordt aan de inhoud herkend, niet alleen aan de naam)"
        case let .tooLarge(filename, limit): "‘\(filename)’ is groter dan \(limit / 1024 / 1024) MB"
        case let .empty(filename): "‘\(filename)’ is leeg"
        case .badFilename: "geef het bestand een naam van hoogstens \(TenderDocumentRules.filenameLimit) tekens"
        case .missingTitle: "geef het document een titel"
        case let .unknownKind(kind): "kies wat voor document dit is (‘\(kind)’ is geen soort): selectieleidraad, programma van eisen, concept-overeenkomst of bijlage"
        case let .titleTooLong(limit): "de titel is langer dan \(limit) tekens"
        case let .titleCharacter(message): message
        case .correctionWithoutReason: "na publicatie is een vervanging een rectificatie: geef de reden, die iedereen ziet"
        case .correctionNotConfirmed: "vink aan dat u deze rectificatie aan alle inschrijvers publiceert"
        case let .reasonCharacter(message): message
        case .closed: "na het sluiten van de inschrijvingstermijn kunnen de aanbestedingsdocumenten niet meer wijzigen"
        case let .unknownDocument(number): "document \(number) bestaat niet in deze aanbesteding"
        }
    }
}

/// The rules for the documents an officer attaches to a tender: PDF, DOCX and XLSX only, recognised
/// by their extension and their content together, at most 50 MB, with a title; versions numbered
/// per document, corrections numbered per tender.
public enum TenderDocumentRules {
    public static let allowed: [DocumentKind] = [.pdf, .docx, .xlsx]
    public static let maximumSize = 50 * 1024 * 1024
    public static let titleLimit = 200
    public static let filenameLimit = 200
    public static let reasonLimit = 4000

    /// The type the file's name promises, or an error when it is none of the allowed ones.
    public static func expectedKind(filename: String) -> Result<DocumentKind, TenderDocumentError> {
        if filename.isBlank || filename.count > filenameLimit || TextRules.forbiddenCharacter(inName: filename) != nil { return .failure(.badFilename) }
        let ext = filename.split(separator: ".").count > 1 ? filename.split(separator: ".").last!.lowercased() : ""
        switch ext {
        case "pdf": return .success(.pdf)
        case "docx": return .success(.docx)
        case "xlsx": return .success(.xlsx)
        default: return .failure(.extensionNotAllowed(filename: filename))
        }
    }

    /// Checks the first bytes against the name: a PDF starts with `%PDF-`, a DOCX or XLSX is a ZIP
    /// archive (`PK\u{3}\u{4}`) and, where its entries show it, the right one of the two.
    public static func kind(filename: String, prefix: some Collection<UInt8>) -> Result<DocumentKind, TenderDocumentError> {
        let expected: DocumentKind
        switch expectedKind(filename: filename) {
        case let .success(kind): expected = kind
        case let .failure(error): return .failure(error)
        }
        let bytes = Array(prefix.prefix(DocumentKind.prefixLength))
        let matches: Bool
        switch expected {
        case .pdf: matches = bytes.starts(with: Array("%PDF-".utf8))
        default:
            // A ZIP archive; its entries, when they can be read, must not say it is the other Office type.
            let recognised = DocumentKind.recognise(bytes)
            matches = bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) && (recognised == nil || recognised == expected)
        }
        return matches ? .success(expected) : .failure(.contentDoesNotMatch(filename: filename, expected: expected))
    }

    /// Checks the size as bytes arrive: `size` is what has been received so far.
    public static func checkSize(_ size: Int, filename: String, limit: Int = maximumSize) -> TenderDocumentError? {
        size > limit ? .tooLarge(filename: filename, limit: limit) : nil
    }

    /// The kind a form or request names by its code.
    public static func kind(_ code: String) -> Result<TenderDocumentKind, TenderDocumentError> {
        TenderDocumentKind(rawValue: code).map { .success($0) } ?? .failure(.unknownKind(code))
    }

    /// The title as stored (trimmed), or why it cannot be.
    public static func title(_ text: String) -> Result<String, TenderDocumentError> {
        let title = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if title.isEmpty { return .failure(.missingTitle) }
        if title.count > titleLimit { return .failure(.titleTooLong(limit: titleLimit)) }
        if let problem = TextRules.problem(inName: title) { return .failure(.titleCharacter(problem)) }
        return .success(title)
    }

    /// The next number: one more than the highest so far, 1 for the first.
    public static func nextNumber(after existing: [Int]) -> Int { (existing.max() ?? 0) + 1 }
}

/// Where a tender stands for its documents: before publication an officer adds and replaces them
/// freely (still as numbered versions); after publication each change is a numbered correction
/// with a reason, confirmed, published to everyone; after the deadline nothing changes.
public struct TenderDocumentChange: Hashable, Sendable {
    /// The version the new file becomes.
    public var version: Int
    /// The correction's number within the tender, after publication.
    public var correction: Int?
    /// The reason, for a correction; nil before publication.
    public var reason: String?

    public enum Stage: Hashable, Sendable { case draft, published, closed }

    /// Plans a new version of a document that has `versions` so far (none for a new document), in a
    /// tender that has published `corrections` corrections.
    public static func plan(stage: Stage, versions: [Int], corrections: [Int], reason: String, confirmed: Bool)
        -> Result<TenderDocumentChange, TenderDocumentError> {
        let version = TenderDocumentRules.nextNumber(after: versions)
        switch stage {
        case .closed: return .failure(.closed)
        case .draft: return .success(TenderDocumentChange(version: version, correction: nil, reason: nil))
        case .published:
            let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
            if reason.isEmpty { return .failure(.correctionWithoutReason) }
            if let problem = TextRules.problem(inText: reason) { return .failure(.reasonCharacter(problem)) }
            if reason.count > TenderDocumentRules.reasonLimit { return .failure(.reasonCharacter("de reden is langer dan \(TenderDocumentRules.reasonLimit) tekens")) }
            if !confirmed { return .failure(.correctionNotConfirmed) }
            return .success(TenderDocumentChange(version: version, correction: TenderDocumentRules.nextNumber(after: corrections), reason: reason))
        }
    }
}

/// How a question or the Nota cites a tender document: "nr. – titel (versie n)".
public enum TenderDocumentCitation {
    public static func label(number: Int, title: String, version: Int) -> String {
        "\(number) – \(title) (versie \(version))"
    }
}
