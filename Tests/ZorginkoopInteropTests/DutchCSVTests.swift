import Foundation
import Testing
import ZorginkoopCore
@testable import ZorginkoopInterop

@Suite("Dutch CSV and number formats")
struct DutchCSVTests {
    let sheet = Sheet(name: "Contracten", columns: ["nummer", "aanbieder", "einde", "bedrag", "waarde"], rows: [
        [.text("JGD-001"), .text("Zorggroep \"De Linde\"; Doetinchem"), .date(CalendarDate(year: 2029, month: 1, day: 5)!), .cents(123_456), .thousandths(12_500)],
        [.text("=HYPERLINK(\"http://x\")"), .text("Één; twee\nregels"), .empty, .cents(-5), .thousandths(3_000)],
    ])

    @Test("A CSV opens in Dutch Excel: byte-order mark, semicolons, CRLF, dd-mm-jjjj, decimal comma, quotes where needed")
    func writesDutchExcelCSV() throws {
        let data = DutchCSV.write(sheet)
        #expect(Array(data.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let text = try #require(String(data: data.dropFirst(3), encoding: .utf8))
        #expect(text == """
        nummer;aanbieder;einde;bedrag;waarde\r
        JGD-001;"Zorggroep ""De Linde""; Doetinchem";05-01-2029;1234,56;12,5\r
        "'=HYPERLINK(""http://x"")";"Één; twee
        regels";;-0,05;3\r

        """)
    }

    @Test("Text that a spreadsheet would run as a formula is neutralised; typed negative amounts are not")
    func formulaInjection() {
        for dangerous in ["=1+1", "+31", "-2", "@SUM(A1)", "\tx", "\rx"] {
            #expect(DutchCSV.text(.text(dangerous)) == "'" + dangerous)
        }
        #expect(DutchCSV.text(.text("Zorg = goed")) == "Zorg = goed")
        #expect(DutchCSV.text(.cents(-1250)) == "-12,50")
    }

    @Test("What is written is read back, with the line each record starts on")
    func roundTrip() throws {
        let rows = try DutchCSV.read(DutchCSV.write(sheet), requiring: ["Nummer", "bedrag"])
        #expect(rows.count == 2)
        #expect(rows[0].line == 2)
        #expect(rows[0]["aanbieder"] == "Zorggroep \"De Linde\"; Doetinchem")
        #expect(rows[0]["einde"] == "05-01-2029")
        #expect(rows[1].line == 3)
        #expect(rows[1]["aanbieder"] == "Één; twee\nregels")
        #expect(rows[1]["onbekend"] == "")
    }

    @Test("Line numbers count physical lines: after a field over two lines and a blank line, the next record is on line 5")
    func lineNumbers() throws {
        let text = "a;b\n1;\"x\ny\"\n\n2;z\n"
        let rows = try DutchCSV.read(Data(text.utf8), requiring: ["a"])
        #expect(rows.map(\.line) == [2, 5])
    }

    @Test("A comma-separated file is read too; a missing column, a short row, other encodings and an empty file are named")
    func readErrors() {
        #expect((try? DutchCSV.read(Data("a,b\r\n1,2\r\n".utf8), requiring: ["b"]))?.first?["b"] == "2")
        #expect(throws: DutchCSV.ReadError.missingColumns(["periode", "waarde"])) {
            try DutchCSV.read(Data("kpi;x\n1;2\n".utf8), requiring: ["kpi", "periode", "waarde"])
        }
        #expect(throws: DutchCSV.ReadError.unevenRow(line: 3, expected: 2, found: 1)) {
            try DutchCSV.read(Data("a;b\n1;2\n3\n".utf8), requiring: ["a"])
        }
        #expect(throws: DutchCSV.ReadError.notUTF8) {
            try DutchCSV.read(Data([0x61, 0x3B, 0x62, 0x0A, 0xE9, 0x3B, 0x31]), requiring: ["a"])
        }
        #expect(throws: DutchCSV.ReadError.empty) { try DutchCSV.read(Data("\u{FEFF}\r\n".utf8), requiring: ["a"]) }
        #expect(DutchCSV.ReadError.missingColumns(["waarde"]).dutch == "Kolom waarde ontbreekt in de eerste regel.")
    }

    @Test("Dutch amounts: a decimal comma, optional thousands points, at most two decimals")
    func parsesAmounts() {
        #expect(DutchFormat.parseCents("1234,56") == 123_456)
        #expect(DutchFormat.parseCents("1.234,5") == 123_450)
        #expect(DutchFormat.parseCents("-12") == -1200)
        #expect(DutchFormat.parseCents(" 0,07 ") == 7)
        for bad in ["12.5", "1,234", "12,", "", "abc", "1.23,00", "12,3,4", "--1"] {
            #expect(DutchFormat.parseCents(bad) == nil, "\(bad)")
        }
        #expect(DutchFormat.parseThousandths("87,5") == 87_500)
        #expect(DutchFormat.parseThousandths("0,125") == 125)
        #expect(DutchFormat.parseThousandths("0,1255") == nil)
        #expect(DutchFormat.thousandths(87_500) == "87,5")
        #expect(DutchFormat.cents(5) == "0,05")
        #expect(DutchFormat.date(CalendarDate(year: 2028, month: 2, day: 29)!) == "29-02-2028")
    }
}
