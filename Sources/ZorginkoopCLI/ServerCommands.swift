import ArgumentParser
import Fluent
import Foundation
import Vapor
import ZorginkoopServer

/// Starts an application on the configured database, runs `body`, and shuts it down.
func withApplication<T>(demo: Bool = false, logLevel: Logger.Level = .warning, _ body: (Application) async throws -> T) async throws -> T {
    var environment = Environment(name: ProcessInfo.processInfo.environment["ZORGINKOOP_ENV"] ?? "development", arguments: ["zorginkoop"])
    environment.arguments = ["zorginkoop"]
    let app = try await Application.make(environment)
    app.logger.logLevel = logLevel
    do {
        try await configure(app, try .fromEnvironment(demo: demo))
        let result = try await body(app)
        try await app.asyncShutdown()
        return result
    } catch {
        try? await app.asyncShutdown()
        throw error
    }
}

func describe(_ config: AppConfiguration) -> String {
    switch config.database {
    case let .sqlite(path): "SQLite-bestand \(path)"
    case .postgres: "PostgreSQL (DATABASE_URL)"
    }
}

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Start de webapplicatie: migreert de database en laadt de regio bij de eerste start.")

    @ArgumentParser.Option(help: "Adres om op te luisteren.")
    var hostname = "127.0.0.1"

    @ArgumentParser.Option(help: "Poort om op te luisteren.")
    var port = 8080

    @ArgumentParser.Flag(help: "Gebruik een aparte demodatabase met gemeenten, beoordelaars en een dozijn zorgaanbieders.")
    var demo = false

    func run() async throws {
        guard (1...65535).contains(port) else { throw CLIError("--port: kies een poort van 1 tot en met 65535 (niet \(port))") }
        var environment = Environment(name: ProcessInfo.processInfo.environment["ZORGINKOOP_ENV"] ?? "development", arguments: ["zorginkoop"])
        environment.arguments = ["zorginkoop", "serve", "--hostname", hostname, "--port", String(port)]
        let app = try await Application.make(environment)
        do {
            let config = try AppConfiguration.fromEnvironment(demo: demo)
            try await configure(app, config)
            let accounts = demo ? try await FirstStart.demoIfNone(app) : (try await FirstStart.administratorIfNone(app)).map { [$0] } ?? []
            printWelcome(config: config, accounts: accounts)
            try await app.execute()
            try await app.asyncShutdown()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    func printWelcome(config: AppConfiguration, accounts: [FirstStart.Account]) {
        var lines = ["", "Zorginkoop draait op http://\(hostname):\(port)  (database: \(describe(config)))"]
        if demo {
            lines.append("Demo: alle accounts hebben het wachtwoord '\(FirstStart.demoPassword)'. Bijvoorbeeld:")
            lines.append("  inkoper@doetinchem.nl (inkoper), medewerker@aalten.nl (gemeente), beoordelaar1@sociaaldomeinachterhoek.nl,")
            lines.append("  aanbieder1@voorbeeldzorg.nl (zorgaanbieder), auditor@doetinchem.nl, beheerder@zorginkoop.local")
            if accounts.isEmpty { lines.append("  (de demodatabase bestond al)") }
        } else if let admin = accounts.first {
            lines.append("Eerste start: log in als \(admin.email) met wachtwoord \(admin.password)")
            lines.append("Dit wachtwoord wordt niet nog eens getoond. Maak onder 'Gebruikers' accounts aan voor inkopers en gemeenten,")
            lines.append("of met: zorginkoop user add --email … --role procurement-officer")
        } else {
            lines.append("Log in met uw account. Nieuwe accounts: zorginkoop user add --help")
        }
        lines.append(contentsOf: ["Stoppen: Ctrl+C", ""])
        // Written directly: print() is buffered when output goes to a file or pipe, and the server blocks next.
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }
}

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Breng de database op het laatste schema en laad de regio als die er nog niet is.")

    func run() async throws {
        try await withApplication { app in
            print("Database bijgewerkt: \(describe(app.zorginkoop)).")
        }
    }
}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Accounts beheren.",
                                                    subcommands: [Add.self, RemoveSecondFactor.self])

    struct RemoveSecondFactor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove-second-factor",
            abstract: "Verwijder de tweestapsverificatie van een account (telefoon kwijt, geen herstelcodes; ook van de enige beheerder). "
                + "De sessies van het account eindigen; bij de volgende keer inloggen stelt de gebruiker een nieuwe in. Vastgelegd in de audittrail.")

        @ArgumentParser.Option(help: "E-mailadres van het account.") var email: String

        func run() async throws {
            do {
                try await withApplication { app in
                    try await Accounts.removeSecondFactor(email: email, actor: "cli", actorRole: "system", clock: app.clock, on: app.db)
                }
            } catch let problems as AccountProblems {
                throw CLIError(problems.fields.sorted { $0.key < $1.key }.map { "--\($0.key): \($0.value)" }.joined(separator: "\n"))
            }
            print("Tweestapsverificatie van \(email.lowercased()) verwijderd; de sessies van het account zijn beëindigd.")
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Voeg een account toe (vastgelegd in de audittrail).")

        @ArgumentParser.Option(help: "E-mailadres (ook de inlognaam).") var email: String
        @ArgumentParser.Option(help: "Naam.") var name: String?
        @ArgumentParser.Option(help: "Rol: \(Role.allCases.map(\.rawValue).joined(separator: ", ")).") var role: String
        @ArgumentParser.Option(help: "Gemeente (code) voor een gemeentelijk medewerker, bijvoorbeeld doetinchem.") var municipality: String?
        @ArgumentParser.Option(help: "Organisatie voor een zorgaanbieder.") var organisation: String?
        @ArgumentParser.Option(help: "Wachtwoord (minstens 12 tekens); zonder deze optie wordt er een gemaakt en getoond.") var password: String?

        func run() async throws {
            guard let role = Role(rawValue: role) else {
                throw CLIError("--role: onbekende rol '\(role)'; kies uit \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let generated = password == nil
            let secret = password ?? String(Tokens.generate().dropFirst(3).prefix(20))
            let account = NewAccount(email: email, name: name ?? email, role: role, municipality: municipality,
                                     organisation: organisation, password: secret, oneTimePassword: generated)
            do {
                _ = try await withApplication { app in
                    try await Accounts.create(account, actor: "cli", clock: app.clock, cost: app.zorginkoop.bcryptCost, on: app.db)
                }
            } catch let problems as AccountProblems {
                throw CLIError(problems.fields.sorted { $0.key < $1.key }.map { "--\($0.key): \($0.value)" }.joined(separator: "\n"))
            }
            print("Account \(email.lowercased()) aangemaakt met rol \(role.dutchName).")
            if generated { print("Wachtwoord: \(secret)  (eenmalig: wordt niet nog eens getoond; bij de eerste keer inloggen kiest de gebruiker een eigen)") }
        }
    }
}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "De audittrail.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Controleer de hashketen van de audittrail; noemt de eerste verbroken regel (exit-status 1).")

        func run() async throws {
            let result = try await withApplication { app in try await AuditChain.verify(on: app.db) }
            if let broken = result.firstBroken {
                printError("Audittrail verbroken bij regel \(broken.seq): \(broken.reason).")
                throw ExitCode(1)
            }
            print("Audittrail intact: \(result.entries) regels, elke hash klopt.")
        }
    }
}

struct VaultCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "vault", abstract: "De kluis voor inschrijvingen.", subcommands: [NewKey.self])

    struct NewKey: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "new-key",
            abstract: "Maak een nieuwe hoofdsleutel voor VAULT_MASTER_KEY (base64, 32 bytes). Bewaar hem buiten de database.")

        func run() throws {
            print(VaultKeys.generateBase64())
        }
    }
}
