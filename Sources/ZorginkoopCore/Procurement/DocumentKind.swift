import Foundation

/// The document types a bid may carry, recognised by their content, never by their name.
public enum DocumentKind: String, Codable, Hashable, Sendable, CaseIterable {
    case pdf, docx, xlsx, odt, png, jpeg

    public var mediaType: String {
        switch self {
        case .pdf: "application/pdf"
        case .docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case .xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        case .odt: "application/vnd.oasis.opendocument.text"
        case .png: "image/png"
        case .jpeg: "image/jpeg"
        }
    }

    public var dutchName: String {
        switch self {
        case .pdf: "PDF"
        case .docx: "Word (DOCX)"
        case .xlsx: "Excel (XLSX)"
        case .odt: "OpenDocument-tekst (ODT)"
        case .png: "PNG-afbeelding"
        case .jpeg: "JPEG-afbeelding"
        }
    }

    /// How many leading bytes `recognise` needs to decide.
    public static let prefixLength = 64 * 1024

    /// The largest document accepted, in bytes.
    public static let maximumSize = 25 * 1024 * 1024

    /// The type a file's leading bytes show, or nil when it is none of the accepted types.
    /// Office files are ZIP archives; their first entries name what they are.
    public static func recognise(_ prefix: some Collection<UInt8>) -> DocumentKind? {
        let bytes = Array(prefix.prefix(prefixLength))
        if bytes.starts(with: Array("%PDF-".utf8)) { return .pdf }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        guard bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) else { return nil }
        // An OpenDocument file stores its media type uncompressed as the first entry, "mimetype".
        if bytes.count > 38, bytes[30..<38].elementsEqual("mimetype".utf8),
           contains(bytes, "application/vnd.oasis.opendocument.text") {
            return .odt
        }
        let names = zipEntryNames(bytes)
        if names.contains(where: { $0.hasPrefix("word/") }) { return .docx }
        if names.contains(where: { $0.hasPrefix("xl/") }) { return .xlsx }
        // Entries written with a data descriptor cannot be walked; their names still stand in clear text.
        if contains(bytes, "word/document.xml") { return .docx }
        if contains(bytes, "xl/workbook.xml") { return .xlsx }
        return nil
    }

    /// The names of the local file headers found in `bytes`, following each header's sizes.
    static func zipEntryNames(_ bytes: [UInt8]) -> [String] {
        var names: [String] = []
        var offset = 0
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        while offset + 30 <= bytes.count, bytes[offset..<offset + 4].elementsEqual([0x50, 0x4B, 0x03, 0x04]) {
            let flags = u16(offset + 6)
            let compressed = u32(offset + 18)
            let nameLength = u16(offset + 26)
            let extraLength = u16(offset + 28)
            guard offset + 30 + nameLength <= bytes.count else { break }
            names.append(String(decoding: bytes[(offset + 30)..<(offset + 30 + nameLength)], as: UTF8.self))
            // With a data descriptor (flag bit 3) the size is not known here: stop walking.
            if flags & 0x08 != 0 { break }
            offset += 30 + nameLength + extraLength + compressed
        }
        return names
    }

    private static func contains(_ bytes: [UInt8], _ text: String) -> Bool {
        let needle = Array(text.utf8)
        guard bytes.count >= needle.count else { return false }
        return (0...(bytes.count - needle.count)).contains { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
