import ArgumentParser
import Foundation
import ZorginkoopCatalog
import ZorginkoopCore
import ZorginkoopInterop
import ZorginkoopServer

struct DeclarationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "declarations",
        abstract: "Declaraties (JW323/WMO323) controleren tegen contracten en toewijzingen.",
        subcommands: [DeclarationsCheckCommand.self, DeclarationsImportBenchmarkCommand.self])
}

/// Measures receiving declarations into the database (SQLite, or PostgreSQL by `DATABASE_URL`)
/// against the raw bulk-insert rate of the same disk (docs/performance.md).
struct DeclarationsImportBenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-benchmark",
        abstract: "Meet het ontvangen van declaraties in de database (regels per seconde) tegenover kale bulk-inserts op dezelfde schijf.")

    @ArgumentParser.Option(help: "Aantal berichten (één per maand).") var messages = 24
    @ArgumentParser.Option(help: "Cliënten per bericht (twee producten, tot 2.000).") var clients = 2000

    func run() async throws {
        guard (1...1200).contains(messages), (1...2000).contains(clients) else {
            throw ValidationError("--messages van 1 tot en met 1200, --clients van 1 tot en met 2000")
        }
        let figures = try await withApplication { app in try await ImportBenchmark.run(app, messages: messages, clients: clients) }
        print(String(format: "%d lines in %d messages: raw bulk insert %.0f rows/s; declarations received (checked, stored with verdicts) %.0f rows/s, %.0f%% of raw",
                     figures.lines, messages, figures.rawRowsPerSecond, figures.importRowsPerSecond, 100 * figures.importRowsPerSecond / figures.rawRowsPerSecond))
    }
}

struct DeclarationsCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Controleer een declaratiebericht regel voor regel en schrijf desgewenst het antwoordbericht (JW325).",
        discussion: """
        Uitkomst: 0 als elke regel is goedgekeurd, 1 als er regels zijn afgekeurd, 2 bij een onbruikbaar bestand. \
        De formaten van de contracten (JSON) en toewijzingen (CSV) staan in docs/finance.md.
        """)

    @Argument(help: "Het declaratiebericht: JW323 of WMO323 (iJw/iWmo 3.2).")
    var file: String

    @Option(help: "JSON-bestand met de gecontracteerde producten: aanbieder, gemeente, product, periode, tarief per jaar.")
    var contracts: String

    @Option(help: "CSV met de toewijzingen van de gemeente; zonder dit bestand vervallen de toewijzingsregels.")
    var allocations: String?

    @Option(help: "Schrijf het antwoordbericht (JW325/WMO325) naar dit bestand.")
    var answer: String?

    @Option(name: .customLong("answer-id"), help: "Berichtidentificatie van het antwoord (standaard: het declaratienummer met -A).")
    var answerId: String?

    @Option(help: "Dagtekening van het antwoord (JJJJ-MM-DD; standaard vandaag).")
    var today: String?

    @Option(help: "table of json.")
    var format: OutputFormat = .table

    func run() async throws {
        let declaration = try readDeclaration()
        let products = try readContracts()
        let known = try allocations.map(readAllocations)
        var check = DeclarationCheck(contracts: products, allocations: known)
        let verdicts = check.check(declaration)
        if let answer {
            let header = try answerHeader(declaration)
            let data = DeclarationMessage.answer(to: declaration, verdicts: verdicts, header: header)
            do { try data.write(to: URL(fileURLWithPath: answer), options: .atomic) } catch {
                throw CLIError("\(answer): kan het antwoordbericht niet schrijven (\(error.localizedDescription))")
            }
        }
        let report = DeclarationsReport(declaration, verdicts, allocationsKnown: known != nil)
        print(format == .json ? jsonString(report) : report.table)
        if verdicts.contains(where: { !$0.approved }) { throw ExitCode(1) }
    }

    private func readDeclaration() throws -> Declaration {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw FileProblems(file: file, problems: [Problem("", "bestand niet gevonden of niet leesbaar")])
        }
        do { return try DeclarationMessage.read(data) } catch { throw FileProblems(file: file, problems: error.problems) }
    }

    private func readContracts() throws -> [ContractedProduct] {
        let products: [ContractedProduct] = try Catalog.decodeFile(at: contracts)
        let problems = products.enumerated().flatMap { $1.problems(at: "[\($0)]") }
        guard problems.isEmpty else { throw FileProblems(file: contracts, problems: problems) }
        return products
    }

    private func readAllocations(_ path: String) throws -> [Allocation] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FileProblems(file: path, problems: [Problem("", "bestand niet gevonden of niet leesbaar")])
        }
        do { return try AllocationsCSV.read(data) } catch { throw FileProblems(file: path, problems: error.problems) }
    }

    private func answerHeader(_ declaration: Declaration) throws -> DeclarationMessage.AnswerHeader {
        let date: CalendarDate
        if let today {
            guard let d = CalendarDate(iso: today) else { throw CLIError("--today: '\(today)' is geen datum (JJJJ-MM-DD)") }
            date = d
        } else {
            date = Amsterdam.day(of: Date())
        }
        let id = answerId ?? String((declaration.number + "A").prefix(12))
        guard !id.isEmpty, id.count <= 12, !id.allSatisfy(\.isWhitespace) else {
            throw CLIError("--answer-id: een berichtidentificatie heeft 1 tot 12 tekens (niet '\(id)')")
        }
        return .init(messageId: id, date: date)
    }
}

/// What `zorginkoop declarations check` prints: the verdict per line and the totals. No BSNs.
struct DeclarationsReport: Encodable {
    struct Line: Encodable {
        var reference: String
        var allocation: String
        var product: String
        var period: String
        var volume: Int
        var amount: Money
        var direction: String
        var approved: Bool
        var contract: String?
        var segment: String?
        var rules: [Rule]
    }

    struct Rule: Encodable {
        var rule: String
        var returnCode: String
        var source: String
        var message: String
    }

    var law: String
    var declaration: String
    var provider: String
    var municipality: String
    var period: String
    var allocationsKnown: Bool
    var declared: Money
    var approved: Money
    var rejected: Money
    var lines: [Line]

    init(_ d: Declaration, _ verdicts: [LineVerdict], allocationsKnown: Bool) {
        law = d.law.rawValue
        declaration = d.number
        provider = d.provider
        municipality = d.municipality
        period = "\(d.period.begin)/\(d.period.end)"
        self.allocationsKnown = allocationsKnown
        declared = d.lines.reduce(.zero) { $0 + $1.signedAmount }
        approved = zip(d.lines, verdicts).filter { $0.1.approved }.reduce(.zero) { $0 + $1.0.signedAmount }
        rejected = declared - approved
        lines = verdicts.map { v in
            Line(reference: v.reference, allocation: v.allocation, product: v.product, period: "\(v.period.begin)/\(v.period.end)", volume: v.volume,
                 amount: v.amount, direction: v.direction.rawValue, approved: v.approved, contract: v.contract, segment: v.segment,
                 rules: v.rules.map { Rule(rule: "\($0)", returnCode: $0.returnCode, source: $0.source, message: $0.dutch) })
        }
    }

    var table: String {
        let rows = lines.map { l in
            [l.reference, l.allocation, l.product, l.period, String(l.volume), (l.direction == "C" ? "-" : "") + l.amount.dutch,
             l.approved ? "goedgekeurd" : "afgekeurd: " + l.rules.map { "\($0.returnCode) \($0.message)" }.joined(separator: "; ")]
        }
        let count = lines.filter(\.approved).count
        return ["Declaratie \(declaration) van AGB \(provider) aan gemeente \(municipality), \(period)"
                    + (allocationsKnown ? "" : " (zonder toewijzingen: de toewijzingsregels zijn niet toegepast)"), "",
                TextTable(["Referentie", "Toewijzing", "Product", "Periode", "Volume", "Bedrag", "Oordeel"], alignRight: [4, 5]).rendering(rows), "",
                "\(count) van \(lines.count) regels goedgekeurd: \(approved.dutch) van \(declared.dutch); afgekeurd \(rejected.dutch)."]
            .joined(separator: "\n")
    }
}
