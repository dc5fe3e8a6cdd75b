import Foundation
import Testing
@testable import ZorginkoopInterop
import ZorginkoopCore
#if canImport(FoundationXML)
import FoundationXML
#endif

/// `../shared/istandaarden` next to the repository: the published schemas and examples.
let istandaarden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("shared/istandaarden")

func example(_ name: String) throws -> Data {
    let law = name.hasPrefix("WMO") ? "wmo" : "jw"
    return try Data(contentsOf: istandaarden.appendingPathComponent("\(law)/\(name).xml"))
}

/// Runs `xmllint --schema` on each document and tells, per document, whether it validates.
func schemaValid(_ documents: [Data], schema: String) throws -> [Bool] {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("xsd-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let files = try documents.enumerated().map { i, data in
        let url = dir.appendingPathComponent("m\(i).xml")
        try data.write(to: url)
        return url.path
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["xmllint", "--noout", "--nonet", "--schema", istandaarden.appendingPathComponent(schema).path] + files
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let output = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return files.map { output.contains("\($0) validates") }
}

private func date(_ text: String) -> CalendarDate { CalendarDate(iso: text)! }

private let contracts = [
    ContractedProduct(contract: "JH-AMB-01", provider: "65656055", municipality: "0384", segment: "AMB", category: "45", code: "45A03", unit: .hour,
                      from: date("2026-01-01"), to: date("2029-12-31"), deliveryFrom: date("2026-01-01"), tariffs: [2026: Money(cents: 1250)]),
    ContractedProduct(contract: "JH-AMB-01", provider: "65656055", municipality: "0384", segment: "AMB", category: "45", code: "45A04", unit: .hour,
                      from: date("2026-01-01"), to: date("2029-12-31"), deliveryFrom: date("2026-01-01"), tariffs: [2026: Money(cents: 1500)]),
]

@Suite("iJw/iWmo declarations: JW323/WMO323 in, JW325 out")
struct DeclarationMessageTests {
    @Test("The published JW323 example reads as five lines of 79,000 cents from AGB 65656055 to municipality 0384")
    func readsExample() throws {
        let d = try DeclarationMessage.read(try example("JW323"))
        #expect(d.law == .jeugdwet && d.provider == "65656055" && d.municipality == "0384" && d.number == "DN001")
        #expect(d.messageId == "765432198" && d.period == DatePeriod(date("2026-04-01"), date("2026-04-30")))
        #expect(d.lines.count == 5 && d.lines.reduce(0) { $0 + $1.amount.cents } == 79_000 && d.total.cents == 79_000)
        #expect(d.lines.allSatisfy { $0.amount.cents == $0.volume * ($0.tariff?.cents ?? 0) })
        #expect(d.lines.map(\.reference) == ["RN001", "RN002", "RN003", "RN004", "RN004"])
        #expect(d.lines[4].period.begin == date("2026-03-01") && d.lines[2].client == "999900018")
        #expect(try DeclarationMessage.read(try example("WMO323")).law == .wmo)
    }

    @Test("The answer lists the rejected lines with their return codes and validates against JW325.xsd")
    func answerValidates() throws {
        let declaration = try DeclarationMessage.read(try example("JW323"))
        var check = DeclarationCheck(contracts: contracts, allocations: nil)
        let verdicts = check.check(declaration)
        // RN004 in April is a second debit on allocation 10073; RN004 in March repeats a reference.
        #expect(verdicts.map(\.approved) == [true, true, true, false, false])
        let answer = DeclarationMessage.answer(to: declaration, verdicts: verdicts, header: .init(messageId: "A1", date: date("2026-05-07")))
        #expect(try schemaValid([answer], schema: "jw/JW325.xsd") == [true])
        let root = try XMLDocument(data: answer).rootElement()!
        let text = root.stringValue ?? ""
        #expect(try root.nodes(forXPath: "//*[local-name()='Prestatie']").count == 2)
        #expect(try root.nodes(forXPath: "//*[local-name()='Prestatie']//*[local-name()='RetourCode']").map(\.stringValue) == ["9389", "8021"])
        let totals = try root.nodes(forXPath: "//*[local-name()='TotaalBedrag']").map { $0.stringValue ?? "" }
        #expect(totals == ["79000", "34000"], "declared, approved: as the published JW325 example approves 34,000")
        #expect(text.contains("765432198"), "refers to the declaration's message")

        let allApproved = Declaration(law: .jeugdwet, messageId: "9", messageDate: date("2026-05-06"), provider: "65656055", municipality: "0384",
                                      number: "DN002", period: declaration.period, date: date("2026-05-06"), total: Money(cents: 5000),
                                      lines: [declaration.lines[0]])
        var fresh = DeclarationCheck(contracts: contracts, allocations: nil)
        let all = DeclarationMessage.answer(to: allApproved, verdicts: fresh.check(allApproved), header: .init(messageId: "A2", date: date("2026-05-07")))
        #expect(try schemaValid([all], schema: "jw/JW325.xsd") == [true])
        #expect(String(decoding: all, as: UTF8.self).contains("<jw325:RetourCode>8001</jw325:RetourCode>"))
    }

    @Test("A declaration written as JW323 and as WMO323 validates against its schema and reads back the same")
    func writeRoundTrip() throws {
        let declaration = try DeclarationMessage.read(try example("JW323"))
        let written = DeclarationMessage.write(declaration)
        #expect(try schemaValid([written], schema: "jw/JW323.xsd") == [true])
        #expect(try DeclarationMessage.read(written) == declaration)
        var wmo = declaration
        wmo.law = .wmo
        wmo.lines = wmo.lines.map { var l = $0; l.category = "02"; return l }
        let wmoWritten = DeclarationMessage.write(wmo)
        #expect(try schemaValid([wmoWritten], schema: "wmo/WMO323.xsd") == [true])
        #expect(try DeclarationMessage.read(wmoWritten) == wmo)
    }

    @Test("Every example message of the published set that is no declaration is refused by name")
    func otherMessages() throws {
        for name in ["JW301", "JW325", "WMO301"] {
            #expect(throws: MessageProblems.self) { try DeclarationMessage.read(try example(name)) }
        }
        let doctype = Data("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\">]><x>&a;</x>".utf8)
        #expect(throws: MessageProblems.self) { try DeclarationMessage.read(doctype) }
        #expect(throws: MessageProblems.self) { try DeclarationMessage.read(Data("<niet".utf8)) }
    }

    /// Mutations of the example: each element removed, doubled, or given a wrong value.
    static func mutations() throws -> [(String, Data)] {
        let original = try example("JW323")
        let document = try XMLDocument(data: original)
        let count = try document.nodes(forXPath: "//*").count
        var out: [(String, Data)] = []
        let values = ["", "x", "-1", "2026-02-30", "123456789012345678901", "C", "83", " 4 "]
        for i in 1..<count {
            for kind in ["remove", "double"] + values.map { "value:" + $0 } {
                let copy = try XMLDocument(data: original)
                let element = try copy.nodes(forXPath: "//*")[i] as! XMLElement
                let parent = element.parent as! XMLElement
                switch kind {
                case "remove": parent.removeChild(at: element.index)
                case "double": parent.insertChild(element.copy() as! XMLNode, at: element.index)
                default:
                    guard element.children?.contains(where: { $0.kind == .element }) != true else { continue }
                    element.stringValue = String(kind.dropFirst(6))
                }
                out.append(("\(kind) \(element.localName ?? "") #\(i)", copy.xmlData))
            }
        }
        return out
    }

    @Test("The reader accepts exactly what the schema accepts, over hundreds of mutations of the example")
    func agreesWithSchema() throws {
        let cases = try Self.mutations()
        #expect(cases.count > 300)
        let schema = try schemaValid(cases.map(\.1), schema: "jw/JW323.xsd")
        var disagreements: [String] = []
        for ((name, data), valid) in zip(cases, schema) {
            let ours = (try? DeclarationMessage.read(data)) != nil
            if ours != valid { disagreements.append("\(name): schema \(valid ? "accepts" : "refuses"), reader \(ours ? "accepts" : "refuses")") }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(20).joined(separator: "\n"))")
        #expect(schema.filter { $0 }.count > 10 && schema.filter { !$0 }.count > 100)
    }

    @Test("A refused message names the element")
    func namesTheElement() throws {
        let text = String(decoding: try example("JW323"), as: UTF8.self).replacingOccurrences(of: "<jw323:GeleverdVolume>16<", with: "<jw323:GeleverdVolume>zestien<")
        do {
            _ = try DeclarationMessage.read(Data(text.utf8))
            Issue.record("accepted")
        } catch {
            #expect(error.problems.map(\.path) == ["Bericht/Declaratie/Clienten/Client[1]/Prestaties/Prestatie[2]/GeleverdVolume",
                                                   "Bericht/Declaratie/Clienten/Client[2]/Prestaties/Prestatie[2]/GeleverdVolume"])
            #expect(error.problems.first?.message.contains("'zestien' is geen geldig geleverd volume") == true)
        }
    }
}

@Suite("Allocations as CSV")
struct AllocationsCSVTests {
    @Test("A documented CSV reads into allocations; an aspecific one has no code, an open one no end")
    func reads() throws {
        let csv = """
        toewijzingnummer;bsn;gemeente;aanbieder;productcategorie;productcode;eenheid;volume;frequentie;ingangsdatum;einddatum
        10072;999900006;0384;65656055;45;45A03;04;3;2;7-10-2025;30-12-2025
        10074;999900018;0384;65656055;45;;;;;2026-01-01;
        """
        let a = try AllocationsCSV.read(Data(csv.utf8))
        #expect(a.count == 2 && a[0].totalMaximum == 39 && a[0].isSpecific && !a[1].isSpecific && a[1].end == nil)
    }

    @Test("Every bad field is named by line and column, the BSN by the eleven-test, and nothing is returned")
    func problems() {
        let csv = """
        toewijzingnummer;bsn;gemeente;aanbieder;productcategorie;productcode;eenheid;volume;frequentie;ingangsdatum;einddatum
        10072;999900007;384;65656055;45;45A03;05;3;;1-13-2025;
        10072;999900006;0384;65656055;45;45A03;04;3;2;1-1-2026;1-1-2025
        10072;999900006;0384;65656055;45;45A03;04;3;2;1-1-2026;
        """
        do {
            _ = try AllocationsCSV.read(Data(csv.utf8))
            Issue.record("accepted")
        } catch {
            #expect(error.problems.map(\.path) == ["regel 2, kolom bsn", "regel 2, kolom gemeente", "regel 2, kolom eenheid", "regel 2, kolom frequentie",
                                                   "regel 2, kolom ingangsdatum", "regel 3, kolom einddatum", "regel 4, kolom toewijzingnummer"])
        }
        #expect(BSN.isValid("999900006") && BSN.isValid("111222333") && !BSN.isValid("999900007") && !BSN.isValid("000000000") && !BSN.isValid("99990000"))
    }
}
