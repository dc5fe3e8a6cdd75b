import ArgumentParser
import Fluent
import Foundation
import Vapor
import ZorginkoopCore
import ZorginkoopServer

/// Prepares the load test of issue 4 (scripts/rush): a published tender closing soon, and provider
/// organisations with API tokens, written as JSON for the load script.
struct RushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rush",
        abstract: "Bereid een inschrijvingsrush voor (loadtest): een open aanbesteding en aanbieders met API-tokens.")

    @ArgumentParser.Option(help: "Aantal aanbieders.") var providers = 300
    @ArgumentParser.Option(help: "Seconden tot de sluiting van de inschrijving.") var deadlineIn = 120
    @ArgumentParser.Option(help: "Bestand voor de tokens (JSON).") var output = "rush.json"

    func run() async throws {
        guard providers >= 1, deadlineIn >= 10 else { throw CLIError("--providers ≥ 1 en --deadline-in ≥ 10") }
        let result = try await withApplication { app in
            try await RushSetup.prepare(app, providers: providers, deadlineIn: TimeInterval(deadlineIn))
        }
        try JSONSerialization.data(withJSONObject: result, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: output))
        print("Aanbesteding \(result["tender"] ?? "") sluit over \(deadlineIn) s; \(providers) aanbieders met tokens in \(output).")
    }
}
