import Foundation
import Testing

private let istandaarden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("shared/istandaarden")

@Suite("zorginkoop declarations check")
struct DeclarationsCLITests {
    static let contracts = """
    [{"contract": "JH-AMB-01", "provider": "65656055", "municipality": "0384", "segment": "AMB", "category": "45", "code": "45A03", "unit": "04",
      "from": "2026-01-01", "to": "2029-12-31", "deliveryFrom": "2026-01-01", "tariffs": {"2026": "12.50"}, "crisis": false},
     {"contract": "JH-AMB-01", "provider": "65656055", "municipality": "0384", "segment": "AMB", "category": "45", "code": "45A04", "unit": "04",
      "from": "2026-01-01", "to": "2029-12-31", "deliveryFrom": "2026-01-01", "tariffs": {"2026": "15.00"}, "crisis": false}]
    """
    static let allocations = """
    toewijzingnummer;bsn;gemeente;aanbieder;productcategorie;productcode;eenheid;volume;frequentie;ingangsdatum;einddatum
    10072;999900006;0384;65656055;45;45A03;04;3;4;1-1-2026;31-12-2026
    10073;999900006;0384;65656055;45;45A04;04;20;4;1-1-2026;31-12-2026
    10074;999900018;0384;65656055;45;45A03;04;20;4;1-1-2026;31-12-2026
    """
    static var example: String { istandaarden.appendingPathComponent("jw/JW323.xml").path }

    @Test("The example message: a verdict per line with the rule and its return code, exit 1, and a JW325 that validates")
    func checksExample() throws {
        let contracts = try CLI.temporaryFile(Self.contracts, name: "contracts.json")
        let allocations = try CLI.temporaryFile(Self.allocations, name: "toewijzingen.csv")
        let answer = URL(fileURLWithPath: contracts).deletingLastPathComponent().appendingPathComponent("antwoord.xml").path
        let run = try CLI.run("declarations", "check", Self.example, "--contracts", contracts, "--allocations", allocations,
                              "--answer", answer, "--today", "2026-05-07", "--format", "json")
        #expect(run.status == 1, "\(run.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let lines = try #require(report["lines"] as? [[String: Any]])
        #expect(lines.map { $0["approved"] as? Bool } == [false, true, true, false, false])
        // RN001 declares 4 hours on an allocation of 3 a month.
        let codes = lines.map { ($0["rules"] as? [[String: Any]] ?? []).compactMap { $0["returnCode"] as? String } }
        #expect(codes == [["9321"], [], [], ["8187", "9389"], ["8021", "8187"]])
        #expect(report["approved"] as? String == "290.00" && report["declared"] as? String == "790.00")
        #expect(!run.stdout.contains("999900006"), "no BSN in the output")

        let lint = Process()
        lint.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        lint.arguments = ["xmllint", "--noout", "--nonet", "--schema", istandaarden.appendingPathComponent("jw/JW325.xsd").path, answer]
        lint.standardError = FileHandle.nullDevice
        try lint.run()
        lint.waitUntilExit()
        #expect(lint.terminationStatus == 0, "the answer validates against JW325.xsd")

        let table = try CLI.run("declarations", "check", Self.example, "--contracts", contracts, "--allocations", allocations)
        #expect(table.status == 1)
        #expect(table.stdout.contains("afgekeurd: 9321 het volume is groter dan de toewijzing voor deze periode toestaat"))
        #expect(table.stdout.contains("2 van 5 regels goedgekeurd: € 290,00 van € 790,00; afgekeurd € 500,00."))
    }

    @Test("Every line approved exits 0")
    func allApproved() throws {
        let contracts = try CLI.temporaryFile(Self.contracts, name: "contracts.json")
        let text = try String(contentsOfFile: Self.example, encoding: .utf8)
        // Keep the first client's two lines only.
        let second = try #require(text.range(of: "<jw323:Bsn>999900018"))
        let start = try #require(text.range(of: "<jw323:Client>", options: .backwards, range: text.startIndex..<second.lowerBound)).lowerBound
        let end = try #require(text.range(of: "</jw323:Clienten>")).lowerBound
        let message = try CLI.temporaryFile(String(text[..<start]) + String(text[end...]), name: "jw323.xml")
        let run = try CLI.run("declarations", "check", message, "--contracts", contracts)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("zonder toewijzingen") && run.stdout.contains("2 van 2 regels goedgekeurd"))
    }

    @Test("A bad message, contracts file or allocations file exits 2 naming the file and the element, field or line")
    func badInput() throws {
        let contracts = try CLI.temporaryFile(Self.contracts, name: "contracts.json")
        let text = try String(contentsOfFile: Self.example, encoding: .utf8)
        let badMessage = try CLI.temporaryFile(text.replacingOccurrences(of: "<jw323:Eenheid>04<", with: "<jw323:Eenheid>99<"), name: "bad.xml")
        let m = try CLI.run("declarations", "check", badMessage, "--contracts", contracts)
        #expect(m.status == 2 && m.stderr.contains(badMessage) && m.stderr.contains("Prestatie[1]/Eenheid: '99' is geen geldige eenheid"), "\(m.stderr)")

        let badContracts = try CLI.temporaryFile(Self.contracts.replacingOccurrences(of: "\"0384\"", with: "\"384\""), name: "c.json")
        let c = try CLI.run("declarations", "check", Self.example, "--contracts", badContracts)
        #expect(c.status == 2 && c.stderr.contains(badContracts) && c.stderr.contains("[0].municipality: een gemeentecode bestaat uit vier cijfers"), "\(c.stderr)")

        let badAllocations = try CLI.temporaryFile(Self.allocations.replacingOccurrences(of: "999900018", with: "999900019"), name: "a.csv")
        let a = try CLI.run("declarations", "check", Self.example, "--contracts", contracts, "--allocations", badAllocations)
        #expect(a.status == 2 && a.stderr.contains("regel 4, kolom bsn: geen geldig BSN"), "\(a.stderr)")
        #expect(m.stdout.isEmpty && c.stdout.isEmpty && a.stdout.isEmpty)
    }
}
