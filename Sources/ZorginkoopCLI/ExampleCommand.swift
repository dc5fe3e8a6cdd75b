import ArgumentParser
import Foundation
import ZorginkoopCatalog
import ZorginkoopCore

struct ExampleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "example",
        abstract: "Voorbeeldgegevens maken.",
        subcommands: [Bids.self])

    struct Bids: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Schrijf een realistische, reproduceerbare set beoordeelde inschrijvingen naar standaarduitvoer.")

        @Option(help: "Code van een meegeleverd ontwerp of pad naar een ontwerpbestand.")
        var design: String

        @Option(help: "Startwaarde: dezelfde waarde geeft dezelfde inschrijvingen.")
        var seed: UInt64

        @Option(help: "Code van de aanbesteding (standaard de eerste van het ontwerp).")
        var tender: String?

        @Option(help: "Totaal aantal inschrijvingen (standaard naar de omvang van de segmenten).")
        var bids: Int?

        func run() async throws {
            let design = try Catalog.design(named: design)
            if let tender, design.tender(tender) == nil {
                throw CLIError("--tender: aanbesteding '\(tender)' bestaat niet in '\(design.code)' (wel: \(design.tenders.map(\.code).joined(separator: ", ")))")
            }
            if let bids, bids < 1 || bids > 100_000 {
                throw CLIError("--bids: kies een aantal van 1 tot en met 100000 (niet \(bids))")
            }
            print(jsonString(ExampleBids.generate(design: design, tender: tender, seed: seed, totalBids: bids)))
        }
    }
}
