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
    @ArgumentParser.Option(help: "Meet in plaats daarvan de schrijfsnelheid: ingediende inschrijvingen per seconde van deze aanbesteding (met voorbereide concepten) tegenover kale duurzame commits, in dit proces.")
    var commitBenchmark: String?
    @ArgumentParser.Option(help: "Start in plaats daarvan een server op deze poort met daarbij POST /rush/raw-commit (één duurzame rij per verzoek), om de kale commitsnelheid via HTTP te meten.")
    var rawCommitServer: Int?
    @ArgumentParser.Option(help: "Gelijktijdige schrijvers bij --commit-benchmark.") var clients = 50
    @ArgumentParser.Option(help: "Seconden per meting bij --commit-benchmark.") var seconds = 5

    func run() async throws {
        if let tender = commitBenchmark { return try await benchmark(tender) }
        if let port = rawCommitServer { return try await serveRawCommits(port) }
        guard providers >= 1, deadlineIn >= 10 else { throw CLIError("--providers ≥ 1 en --deadline-in ≥ 10") }
        let result = try await withApplication { app in
            try await RushSetup.prepare(app, providers: providers, deadlineIn: TimeInterval(deadlineIn))
        }
        try JSONSerialization.data(withJSONObject: result, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: output))
        print("Aanbesteding \(result["tender"] ?? "") sluit over \(deadlineIn) s; \(providers) aanbieders met tokens in \(output).")
    }

    private func benchmark(_ tender: String) async throws {
        guard clients >= 1, seconds >= 1 else { throw CLIError("--clients ≥ 1 en --seconds ≥ 1") }
        let figures = try await withApplication { app in
            try await CommitBenchmark.run(app, tender: tender, clients: clients, duration: .seconds(seconds))
        }
        print(String(format: "raw durable commits: %.0f/s; durable bid commits: %.0f/s (p99 %.1f ms), %.0f%% of the raw rate",
                     figures.rawCommitsPerSecond, figures.bidCommitsPerSecond, figures.bidLatencyP99Milliseconds,
                     100 * figures.bidCommitsPerSecond / figures.rawCommitsPerSecond))
    }

    private func serveRawCommits(_ port: Int) async throws {
        guard (1...65535).contains(port) else { throw CLIError("--raw-commit-server: kies een poort van 1 tot en met 65535") }
        var environment = Environment(name: ProcessInfo.processInfo.environment["ZORGINKOOP_ENV"] ?? "development", arguments: ["zorginkoop"])
        environment.arguments = ["zorginkoop", "serve", "--port", String(port)]
        let app = try await Application.make(environment)
        do {
            try await configure(app, try .fromEnvironment())
            try await CommitBenchmark.addRawCommitRoute(app)
            try await app.execute()
            try await app.asyncShutdown()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }
}
