import Foundation
import ZIPFoundation
import ZorginkoopCore

/// An Office Open XML workbook of one sheet: dates are real dates (shown dd-mm-jjjj), amounts real
/// numbers (shown with two decimals), the header row bold, frozen and with a filter, so the file
/// sorts and sums in Excel and LibreOffice without any conversion.
public enum XLSX {
    public static let mediaType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    public static func write(_ sheet: Sheet) -> Data {
        let parts: [(String, String)] = [
            ("[Content_Types].xml", contentTypes),
            ("_rels/.rels", rootRelationships),
            ("xl/workbook.xml", workbook(name: sheetName(sheet.name))),
            ("xl/_rels/workbook.xml.rels", workbookRelationships),
            ("xl/styles.xml", styles),
            ("xl/worksheets/sheet1.xml", worksheet(sheet)),
        ]
        do {
            let archive = try Archive(accessMode: .create)
            for (path, xml) in parts {
                let data = Data(xml.utf8)
                try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count),
                                     modificationDate: fixedDate, compressionMethod: .deflate) { position, size in
                    data.subdata(in: Int(position)..<Int(position) + size)
                }
            }
            return archive.data ?? Data()
        } catch {
            preconditionFailure("writing a workbook in memory failed: \(error)")
        }
    }

    /// Entries carry a fixed time, so the same sheet gives the same bytes.
    private static let fixedDate = Date(timeIntervalSince1970: 1_767_225_600)

    // MARK: The sheet

    private enum Style: Int { case plain = 0, date = 1, money = 2, header = 3, decimal = 4 }

    static func worksheet(_ sheet: Sheet) -> String {
        let lastColumn = columnName(max(sheet.columns.count, 1) - 1)
        let lastRow = sheet.rows.count + 1
        var xml = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
        xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
        <dimension ref="A1:\(lastColumn)\(lastRow)"/>\
        <sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>\
        <cols>
        """
        for (index, width) in columnWidths(sheet).enumerated() {
            xml += "<col min=\"\(index + 1)\" max=\"\(index + 1)\" width=\"\(width)\" customWidth=\"1\"/>"
        }
        xml += "</cols><sheetData>"
        xml += row(1, sheet.columns.map(Sheet.Cell.text), style: .header)
        for (index, cells) in sheet.rows.enumerated() {
            xml += row(index + 2, cells, style: nil)
        }
        xml += "</sheetData>"
        if !sheet.columns.isEmpty { xml += "<autoFilter ref=\"A1:\(lastColumn)\(lastRow)\"/>" }
        return xml + "</worksheet>"
    }

    private static func row(_ number: Int, _ cells: [Sheet.Cell], style: Style?) -> String {
        var xml = "<row r=\"\(number)\">"
        for (index, cell) in cells.enumerated() {
            let reference = "\(columnName(index))\(number)"
            switch cell {
            case let .text(value):
                xml += "<c r=\"\(reference)\" t=\"inlineStr\"\(styleAttribute(style ?? .plain))><is><t xml:space=\"preserve\">\(escaped(value))</t></is></c>"
            case let .integer(value):
                xml += "<c r=\"\(reference)\"><v>\(value)</v></c>"
            case let .cents(value):
                xml += "<c r=\"\(reference)\"\(styleAttribute(.money))><v>\(decimal(value, scale: 100))</v></c>"
            case let .thousandths(value):
                xml += "<c r=\"\(reference)\"\(styleAttribute(.decimal))><v>\(decimal(value, scale: 1000))</v></c>"
            case let .date(value):
                xml += "<c r=\"\(reference)\"\(styleAttribute(.date))><v>\(serial(value))</v></c>"
            case .empty:
                continue
            }
        }
        return xml + "</row>"
    }

    private static func styleAttribute(_ style: Style) -> String {
        style == .plain ? "" : " s=\"\(style.rawValue)\""
    }

    /// A fixed-point value written exactly, with a point as XML numbers have it.
    private static func decimal(_ value: Int, scale: Int) -> String {
        let sign = value < 0 ? "-" : ""
        let magnitude = value.magnitude
        let digits = scale == 100 ? 2 : 3
        return "\(sign)\(magnitude / UInt(scale)).\(DutchFormat.pad(Int(magnitude % UInt(scale)), digits))"
    }

    /// Excel's day number: days since 30 December 1899 (its 1900 leap-year bug included).
    static func serial(_ date: CalendarDate) -> Int {
        daysFromCivil(date) - daysFromCivil(CalendarDate(year: 1899, month: 12, day: 30)!)
    }

    /// Days since 1 January 1970 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysFromCivil(_ date: CalendarDate) -> Int {
        let y = date.month <= 2 ? date.year - 1 : date.year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let monthIndex = (date.month + 9) % 12
        let dayOfYear = (153 * monthIndex + 2) / 5 + date.day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// A: 0, Z: 25, AA: 26, …
    static func columnName(_ index: Int) -> String {
        var index = index
        var name = ""
        repeat {
            name = String(UnicodeScalar(UInt8(65 + index % 26))) + name
            index = index / 26 - 1
        } while index >= 0
        return name
    }

    /// Wide enough for the longest value of the first rows, within reason.
    private static func columnWidths(_ sheet: Sheet) -> [Int] {
        sheet.columns.indices.map { column in
            let sample = sheet.rows.prefix(200).map { $0.indices.contains(column) ? DutchCSV.text($0[column]).count : 0 }
            return min(60, max(10, ([sheet.columns[column].count] + sample).max()! + 2))
        }
    }

    /// Excel forbids \ / ? * [ ] : in sheet names and more than 31 characters.
    static func sheetName(_ name: String) -> String {
        let cleaned = String(name.filter { !"\\/?*[]:".contains($0) }.prefix(31))
        return cleaned.isEmpty ? "Blad1" : cleaned
    }

    static func escaped(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            // XML 1.0 cannot carry other control characters at all; drop them rather than corrupt the file.
            case _ where scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value): continue
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    // MARK: The fixed parts

    private static let contentTypes = """
    <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
    <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
    <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
    <Default Extension="xml" ContentType="application/xml"/>\
    <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
    <Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
    <Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
    </Types>
    """

    private static let rootRelationships = """
    <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
    <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
    <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>\
    </Relationships>
    """

    private static func workbook(name: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
        xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
        <sheets><sheet name="\(escaped(name))" sheetId="1" r:id="rId1"/></sheets>\
        <definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'\(escaped(name).replacingOccurrences(of: "'", with: "''"))'!$A$1</definedName></definedNames>\
        </workbook>
        """
    }

    private static let workbookRelationships = """
    <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
    <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
    <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>\
    <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>\
    </Relationships>
    """

    /// Styles by index: 0 plain, 1 date dd-mm-yyyy, 2 amount #,##0.00, 3 bold header, 4 decimal.
    private static let styles = """
    <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
    <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
    <numFmts count="2"><numFmt numFmtId="164" formatCode="dd\\-mm\\-yyyy"/><numFmt numFmtId="165" formatCode="0.###"/></numFmts>\
    <fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>\
    <fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>\
    <borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
    <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
    <cellXfs count="5">\
    <xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
    <xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
    <xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
    <xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
    <xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
    </cellXfs>\
    <cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
    </styleSheet>
    """
}
