import ArgumentParser
import Foundation
import ZorginkoopCatalog
import ZorginkoopCore

struct SettleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settle",
        abstract: "Bereken de eindafrekening van een lumpsum: band, aandelen, ventiel en verdeling over de gemeenten (formaat: docs/finance.md).")

    @Argument(help: "JSON-bestand met budget, realisatie, ventiel, voorwaarden en verdeelsleutel.")
    var file: String

    @Option(help: "table of json.")
    var format: OutputFormat = .table

    func run() async throws {
        let input: LumpSumYear = try Catalog.decodeFile(at: file)
        let problems = input.problems()
        guard problems.isEmpty else { throw FileProblems(file: file, problems: problems) }
        let settlement = Settlement(input)
        print(format == .json ? jsonString(SettlementReport(settlement)) : SettlementReport.table(settlement))
    }
}

/// What `zorginkoop settle` prints: every step, amounts in euros as decimal strings.
struct SettlementReport: Encodable {
    var provider: String
    var year: Int
    var budget: Money
    var realised: Money
    var valve: Money
    var monthlyAdvances: [Money]
    var bandAmount: Money
    var deviation: Money
    var outcome: String
    var shared: Money
    var settlement: Money
    var total: Money
    var advancesPaid: Money
    var balance: Money
    var costSharingBasis: String?
    var perMunicipality: [String: Money]

    init(_ s: Settlement) {
        provider = s.input.provider
        year = s.input.year
        budget = s.input.budget
        realised = s.input.realised
        valve = s.input.valve
        monthlyAdvances = s.monthlyAdvances
        bandAmount = s.bandAmount
        deviation = s.deviation
        outcome = s.outcome.rawValue
        shared = s.shared
        settlement = s.settlement
        total = s.total
        advancesPaid = s.advancesPaid
        balance = s.balance
        costSharingBasis = s.input.costSharing?.basis.rawValue
        perMunicipality = s.perMunicipality
    }

    static func table(_ s: Settlement) -> String {
        let t = s.input.terms
        let outcome = switch s.outcome {
        case .withinBand: "binnen de band: niets te verrekenen"
        case .overspent: "overschrijding: de gemeenten betalen \(t.overspendPaid) % van \(t.outside == .excess ? "het deel buiten de band" : "de hele afwijking")"
        case .underspent: "onderbesteding: de aanbieder betaalt \(t.underspendReturned) % terug van \(t.outside == .excess ? "het deel buiten de band" : "de hele afwijking")"
        }
        var rows: [[String]] = [
            ["Budget", s.input.budget.dutch],
            ["Voorschot per maand", s.monthlyAdvances.first == s.monthlyAdvances.last ? s.monthlyAdvances[0].dutch
                : "\(s.monthlyAdvances[0].dutch) (laatste maanden \(s.monthlyAdvances[11].dutch))"],
            ["Realisatie", s.input.realised.dutch],
            ["Afwijking", s.deviation.dutch],
            ["Band (± \(t.band) %)", s.bandAmount.dutch],
            ["Te verrekenen deel", s.shared.dutch],
            ["Verrekening", s.settlement.dutch],
            ["Ventiel (complexe en crisiszorg)", s.input.valve.dutch],
            ["Kosten van het jaar", s.total.dutch],
            ["Betaalde voorschotten", s.advancesPaid.dutch],
            [s.balance.cents >= 0 ? "Nog te betalen aan de aanbieder" : "Terug te betalen door de aanbieder", s.balance.magnitude.dutch],
        ]
        for (m, amount) in s.perMunicipality.sorted(by: { $0.key < $1.key }) {
            rows.append(["Aandeel \(m)", amount.dutch])
        }
        return ["Eindafrekening lumpsum \(s.input.provider) \(s.input.year): \(outcome)", "",
                TextTable(["", "Bedrag"], alignRight: [1]).rendering(rows)].joined(separator: "\n")
    }
}
