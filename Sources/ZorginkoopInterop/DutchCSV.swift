import CSV
import Foundation
import ZorginkoopCore

/// CSV as Dutch Excel opens it with a double click: semicolons, CRLF, a UTF-8 byte-order mark (or
/// the accents come out wrong), dates as dd-mm-jjjj and amounts with a decimal comma.
public enum DutchCSV {
    public static let mediaType = "text/csv; charset=utf-8"
    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    public static func write(_ sheet: Sheet) -> Data {
        let stream = OutputStream(toMemory: ())
        stream.open()
        do {
            // Writing to memory cannot fail; the library's API throws for file streams.
            let writer = try CSVWriter(stream: stream, delimiter: ";", newline: .crlf)
            try writer.write(row: sheet.columns.map(neutralised))
            for row in sheet.rows { try writer.write(row: row.map(text)) }
        } catch {
            preconditionFailure("writing CSV to memory failed: \(error)")
        }
        stream.close()
        let body = stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data ?? Data()
        return Data(byteOrderMark) + body + Data("\r\n".utf8)
    }

    static func text(_ cell: Sheet.Cell) -> String {
        switch cell {
        case let .text(value): neutralised(value)
        case let .integer(value): String(value)
        case let .cents(value): DutchFormat.cents(value)
        case let .thousandths(value): DutchFormat.thousandths(value)
        case let .date(value): DutchFormat.date(value)
        case .empty: ""
        }
    }

    /// Text that a spreadsheet would run as a formula (=, +, -, @, a tab or a carriage return
    /// first) gets a leading apostrophe, so an exported name like `=HYPERLINK(…)` stays text.
    static func neutralised(_ value: String) -> String {
        guard let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return value }
        return "'" + value
    }

    // MARK: Reading

    /// One record of an uploaded file, with the line it started on, for messages that name it.
    public struct Row: Sendable, Equatable {
        public let line: Int
        public let values: [String: String]

        /// The trimmed value of a column; empty when the column is missing or empty.
        public subscript(column: String) -> String {
            values[column.lowercased()]?.trimmingCharacters(in: .whitespaces) ?? ""
        }
    }

    /// What is wrong with an uploaded file as a whole (per-line faults are the caller's rules).
    public enum ReadError: Error, Equatable, Sendable {
        case empty
        case notUTF8
        case missingColumns([String])
        case unevenRow(line: Int, expected: Int, found: Int)

        public var dutch: String {
            switch self {
            case .empty: "Het bestand is leeg."
            case .notUTF8: "Het bestand is geen UTF-8-tekst. Sla het in Excel op als \"CSV UTF-8 (gescheiden door lijstscheidingsteken)\"."
            case let .missingColumns(columns): "Kolom\(columns.count == 1 ? "" : "men") \(columns.joined(separator: ", ")) ontbreek\(columns.count == 1 ? "t" : "en") in de eerste regel."
            case let .unevenRow(line, expected, found): "Regel \(line): \(found) velden, de kopregel heeft er \(expected)."
            }
        }
    }

    /// Reads a CSV with a header row. The separator is `;` (Dutch Excel) or `,` when the header has
    /// no semicolon; a byte-order mark and CRLF or LF line ends are accepted. Header names are
    /// matched without regard to case. Lines count from 1 for the header; a quoted field spanning
    /// lines moves the count on.
    public static func read(_ data: Data, requiring columns: [String]) throws(ReadError) -> [Row] {
        var bytes = data
        if bytes.starts(with: byteOrderMark) { bytes.removeFirst(byteOrderMark.count) }
        guard let text = String(data: bytes, encoding: .utf8) else { throw .notUTF8 }
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .empty }
        let firstLine = text.prefix { $0 != "\n" && $0 != "\r\n" && $0 != "\r" }
        let delimiter: UnicodeScalar = firstLine.contains(";") || !firstLine.contains(",") ? ";" : ","
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: true, trimFields: false, delimiter: delimiter)
        } catch {
            throw .empty
        }
        let header = (reader.headerRow ?? []).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let missing = columns.filter { !header.contains($0.lowercased()) }
        guard missing.isEmpty else { throw .missingColumns(missing) }

        var rows: [Row] = []
        var line = 1 + lineBreaks(in: reader.headerRow ?? [])
        while let fields = reader.next() {
            line += 1
            defer { line += lineBreaks(in: fields) }
            if fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            guard fields.count == header.count else {
                throw .unevenRow(line: line, expected: header.count, found: fields.count)
            }
            rows.append(Row(line: line, values: Dictionary(zip(header, fields), uniquingKeysWith: { first, _ in first })))
        }
        return rows
    }

    private static func lineBreaks(in fields: [String]) -> Int {
        fields.reduce(0) { $0 + $1.reduce(0) { $0 + ($1 == "\n" || $1 == "\r\n" || $1 == "\r" ? 1 : 0) } }
    }
}
