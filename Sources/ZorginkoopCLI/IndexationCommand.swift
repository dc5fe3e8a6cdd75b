import ArgumentParser
import Foundation
import ZorginkoopCatalog
import ZorginkoopCore

struct IndexationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "indexation",
        abstract: "Bereken de jaarlijkse indexatie volgens de VNG-methode uit de gepubliceerde cijfers (formaat: docs/finance.md).")

    @Argument(help: "JSON-bestand met gewichten, methode en de cijfers per jaar.")
    var file: String

    @Option(help: "table of json.")
    var format: OutputFormat = .table

    func run() async throws {
        let input: IndexationFile = try Catalog.decodeFile(at: file)
        let problems = input.problems()
        guard problems.isEmpty else { throw FileProblems(file: file, problems: problems) }
        let years = Indexation.years(input.method, figures: input.figures, firstContractYear: input.firstContractYear)
        print(format == .json ? jsonString(IndexationReport(input, years)) : IndexationReport.table(input, years))
    }
}

/// What `zorginkoop indexation` prints: per year that can be computed, the index and its parts in
/// percent as decimal strings with two decimals; the unrounded weighted figures beside them.
struct IndexationReport: Encodable {
    struct Year: Encodable {
        var year: Int
        var provisional: String
        var correction: String
        var index: String
        var weightedProvisional: String
        var weightedPreviousProvisional: String?
        var weightedPreviousFinal: String?
    }
    var method: IndexationMethod
    var firstContractYear: Int?
    var years: [Year]
    /// Years in the file that cannot be computed (a figure missing), so nobody wonders where they went.
    var notComputed: [Int]

    init(_ input: IndexationFile, _ years: [YearIndex]) {
        method = input.method
        firstContractYear = input.firstContractYear
        self.years = years.map {
            Year(year: $0.year, provisional: Self.percent($0.provisional), correction: Self.percent($0.correction), index: Self.percent($0.index),
                 weightedProvisional: "\($0.weightedProvisional)", weightedPreviousProvisional: $0.weightedPreviousProvisional.map { "\($0)" },
                 weightedPreviousFinal: $0.weightedPreviousFinal.map { "\($0)" })
        }
        let computed = Set(years.map(\.year))
        notComputed = input.figures.keys.sorted().filter { !computed.contains($0) }
    }

    static func percent(_ value: Decimal) -> String { value.twoDecimals }

    static func table(_ input: IndexationFile, _ years: [YearIndex]) -> String {
        let m = input.method
        var out = ["Indexatie (VNG-methode): gewichten \(m.weights.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value) %" }.joined(separator: ", ")); "
                   + "correctie als \(m.correction == .ratio ? "verhouding" : "verschil"), \(m.combination == .add ? "opgeteld" : "samengesteld"), "
                   + "afgerond \(m.rounding == .components ? "per onderdeel" : "alleen de uitkomst")", ""]
        out.append(TextTable(["Jaar", "Voorlopig %", "Correctie %", "Index %"], alignRight: [1, 2, 3]).rendering(
            years.map { [String($0.year), dutch(percent($0.provisional)), dutch(percent($0.correction)), dutch(percent($0.index))] }))
        let missing = IndexationReport(input, years).notComputed
        if !missing.isEmpty {
            out.append("")
            out.append("Niet te berekenen (cijfers ontbreken of eerste contractjaar): \(missing.map(String.init).joined(separator: ", "))")
        }
        return out.joined(separator: "\n")
    }

    private static func dutch(_ s: String) -> String { s.replacingOccurrences(of: ".", with: ",") }
}
