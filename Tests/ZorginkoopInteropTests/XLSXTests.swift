import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import ZIPFoundation
import ZorginkoopCore
@testable import ZorginkoopInterop

@Suite("XLSX workbooks")
struct XLSXTests {
    @Test("Excel's day numbers: 1-1-1900 is 2 after its leap-year bug, 29-2-2028 is 46812")
    func serialDates() {
        #expect(XLSX.serial(CalendarDate(year: 1900, month: 3, day: 1)!) == 61)
        #expect(XLSX.serial(CalendarDate(year: 2026, month: 1, day: 1)!) == 46023)
        #expect(XLSX.serial(CalendarDate(year: 2028, month: 2, day: 29)!) == 46812)
    }

    @Test("Columns are lettered A…Z, AA…; sheet names lose the characters Excel forbids")
    func names() {
        #expect([0, 25, 26, 27, 701, 702].map(XLSX.columnName) == ["A", "Z", "AA", "AB", "ZZ", "AAA"])
        #expect(XLSX.sheetName("Contracten [2026]: a/b") == "Contracten 2026 ab")
        #expect(XLSX.escaped("a<b & \"c\"\u{1}") == "a&lt;b &amp; &quot;c&quot;")
    }

    @Test("A workbook is a ZIP of well-formed parts that a spreadsheet reads with typed cells")
    func readsBackWithOpenpyxl() throws {
        let sheet = Sheet(name: "Contracten", columns: ["nummer", "einde", "bedrag", "waarde", "aantal"], rows: [
            [.text("JGD-001 <&>"), .date(CalendarDate(year: 2029, month: 12, day: 31)!), .cents(123_456), .thousandths(87_500), .integer(3)],
            [.text("=1+1"), .empty, .cents(-5), .thousandths(1), .integer(-2)],
        ])
        let data = XLSX.write(sheet)
        let archive = try Archive(data: data, accessMode: .read)
        let paths = Set(archive.map(\.path))
        #expect(paths == ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/worksheets/sheet1.xml"])
        for entry in archive {
            var xml = Data()
            _ = try archive.extract(entry) { xml.append($0) }
            let parser = XMLParser(data: xml)
            #expect(parser.parse(), "\(entry.path) is not well-formed: \(String(describing: parser.parserError))")
        }
        #expect(XLSX.write(sheet) == data, "the same sheet gives the same bytes")

        // openpyxl reads workbooks the way Excel does; scripts/test installs it from PyPI.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("xlsx-\(UUID()).xlsx")
        try data.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let script = """
        import json, sys, openpyxl
        ws = openpyxl.load_workbook(sys.argv[1]).active
        rows = [[(c.value.isoformat() if hasattr(c.value, 'isoformat') else c.value) for c in r] for r in ws.iter_rows()]
        print(json.dumps({"title": ws.title, "rows": rows, "formats": [c.number_format for c in ws[2]], "bold": ws["A1"].font.b, "frozen": ws.freeze_panes}))
        """
        let output = try run("/usr/bin/env", ["python3", "-c", script, file.path])
        let result = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        #expect(result["title"] as? String == "Contracten")
        let rows = try #require(result["rows"] as? [[Any]])
        #expect(rows[0] as? [String] == ["nummer", "einde", "bedrag", "waarde", "aantal"])
        #expect(rows[1][0] as? String == "JGD-001 <&>")
        #expect(rows[1][1] as? String == "2029-12-31T00:00:00")
        #expect(rows[1][2] as? Double == 1234.56)
        #expect(rows[1][3] as? Double == 87.5)
        #expect(rows[1][4] as? Int == 3)
        #expect(rows[2][0] as? String == "=1+1", "text stays text: an inline string is never a formula")
        #expect(rows[2][1] is NSNull)
        #expect(rows[2][2] as? Double == -0.05)
        #expect(result["formats"] as? [String] == ["General", "dd\\-mm\\-yyyy", "#,##0.00", "0.###", "General"])
        #expect(result["bold"] as? Bool == true)
        #expect(result["frozen"] as? String == "A2")
    }

    private func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: output, as: UTF8.self)
    }
}
