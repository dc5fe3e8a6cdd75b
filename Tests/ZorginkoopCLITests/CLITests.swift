import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// Runs the built `zorginkoop` executable, as a user would.
struct CLI {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var executable: URL {
        // The test runner and the executable are built into the same directory.
        let runner = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        var dir = runner.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("zorginkoop").path), dir.path != "/" {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("zorginkoop")
    }

    static func run(_ arguments: String..., environment: [String: String] = [:]) throws -> Outcome {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["DATABASE_URL"] = nil
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read before waiting: a large output would otherwise fill the pipe and block the child.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                       stderr: String(decoding: stderr, as: UTF8.self))
    }

    static func temporaryFile(_ contents: String, name: String = "input.json") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zorginkoop-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try contents.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}

@Suite("The zorginkoop command line")
struct CLITests {
    @Test("The executable is built beside the tests")
    func executableExists() {
        #expect(FileManager.default.isExecutableFile(atPath: CLI.executable.path))
    }

    @Test("design show prints the region, segments and term table; json is the design itself")
    func designShow() throws {
        let table = try CLI.run("design", "show", "achterhoek-2026")
        #expect(table.status == 0)
        #expect(table.stdout.contains("Penvoerder: Doetinchem") || table.stdout.contains("penvoerder: Doetinchem"))
        #expect(table.stdout.contains("Ambulante Jeugdhulp – regionale percelen"))
        #expect(table.stdout.contains("31-12-2033"))
        let json = try CLI.run("design", "show", "achterhoek-2022", "--format", "json")
        #expect(json.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["code"] as? String == "achterhoek-2022")
    }

    @Test("design validate: a valid file exits 0")
    func validateValid() throws {
        let shown = try CLI.run("design", "show", "achterhoek-2022", "--format", "json")
        let path = try CLI.temporaryFile(shown.stdout, name: "design.json")
        let outcome = try CLI.run("design", "validate", path)
        #expect(outcome.status == 0)
        #expect(outcome.stdout.contains("geldig ontwerp"))
    }

    @Test("design validate: each problem names the file and the field's path; exit 2")
    func validateInvalid() throws {
        let shown = try CLI.run("design", "show", "achterhoek-2022", "--format", "json")
        var design = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
        var lots = design["lots"] as! [[String: Any]]
        var segments = lots[0]["segments"] as! [[String: Any]]
        var weights = segments[1]["weights"] as! [String: Int]
        weights["LOKAAL"] = 50
        segments[1]["weights"] = weights
        var subs = segments[0]["subSegments"] as! [[String: Any]]
        subs[1]["minProviders"] = 99
        segments[0]["subSegments"] = subs
        lots[0]["segments"] = segments
        design["lots"] = lots
        let path = try CLI.temporaryFile(String(decoding: try JSONSerialization.data(withJSONObject: design), as: UTF8.self), name: "design.json")
        let outcome = try CLI.run("design", "validate", path)
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("\(path): lots[0].segments[1].weights: de wegingen van segment 'GWV' tellen op tot 135"))
        #expect(outcome.stderr.contains("\(path): lots[0].segments[0].subSegments[1].maxProviders"))
        #expect(!outcome.stderr.contains("Fatal error"))
    }

    @Test("Malformed JSON names the line and column; exit 2", arguments: [
        ("{\n  \"code\": \"x\",\n  \"name\": \n}", "regel 4, kolom 1"),
        ("{\"code\": \"x\"", "regel 1, kolom 13"),
    ])
    func malformedJSON(text: String, place: String) throws {
        let path = try CLI.temporaryFile(text)
        for command in [["design", "validate", path], ["select", path]] {
            let outcome = try CLI.run(command[0], command[1], command.count > 2 ? command[2] : "--format=table")
            #expect(outcome.status == 2)
            #expect(outcome.stderr.contains(place), "\(outcome.stderr)")
        }
    }

    @Test("A missing field and a wrong type are named by path; exit 2")
    func decodingProblemsNamed() throws {
        let missing = try CLI.run("select", try CLI.temporaryFile(#"{"format": "zorginkoop.assessed-bids/1", "design": "achterhoek-2022", "bids": []}"#))
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("verplicht veld 'tender' ontbreekt"))
        let wrongType = try CLI.run("select", try CLI.temporaryFile(#"{"format": "zorginkoop.assessed-bids/1", "design": "achterhoek-2022", "tender": "MWD-2022", "bids": [{"id": 5}]}"#))
        #expect(wrongType.status == 2)
        #expect(wrongType.stderr.contains("bids[0].id: verkeerd type: verwacht tekst"))
    }

    @Test("example bids | select: deterministic output, JSON with the documented keys per sub-segment")
    func exampleThenSelect() throws {
        let example = try CLI.run("example", "bids", "--design", "achterhoek-2022", "--seed", "42")
        #expect(example.status == 0)
        #expect(try CLI.run("example", "bids", "--design", "achterhoek-2022", "--seed", "42").stdout == example.stdout)
        let path = try CLI.temporaryFile(example.stdout)
        let json = try CLI.run("select", path, "--format", "json")
        #expect(json.status == 0)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let subSegments = try #require(root["subSegments"] as? [[String: Any]])
        #expect(subSegments.count == 17)
        for sub in subSegments {
            for key in ["code", "min", "max", "ranking", "selected", "waitingRoom", "excluded", "gaps", "ties"] {
                #expect(sub[key] != nil, "key \(key)")
            }
            for entry in sub["ranking"] as! [[String: Any]] {
                #expect(entry["bid"] is String && entry["score"] is NSNumber)
            }
            for entry in sub["excluded"] as! [[String: Any]] {
                #expect(entry["bid"] is String && !(entry["reasons"] as! [String]).isEmpty)
            }
        }
        let table = try CLI.run("select", path)
        #expect(table.status == 0)
        #expect(table.stdout.contains("== IAJ-PV Persoonlijke verzorging (segment IAJ) — minimum 1, maximum 4"))
        #expect(table.stdout.contains("Toelichting:"))
    }

    @Test("select: bids that do not fit the design are refused with every problem; exit 2")
    func selectRefusesBadBids() throws {
        let example = try CLI.run("example", "bids", "--design", "achterhoek-2022", "--seed", "1")
        var root = try #require(try JSONSerialization.jsonObject(with: Data(example.stdout.utf8)) as? [String: Any])
        var bids = root["bids"] as! [[String: Any]]
        let scored = bids.indices.dropFirst().first { bids[$0]["consensus"] != nil }!
        var consensus = bids[scored]["consensus"] as! [String: Any]
        consensus["PASSEND"] = 12
        bids[scored]["consensus"] = consensus
        bids[0]["segment"] = "ONBEKEND"
        root["bids"] = bids
        let path = try CLI.temporaryFile(String(decoding: try JSONSerialization.data(withJSONObject: root), as: UTF8.self))
        let outcome = try CLI.run("select", path)
        #expect(outcome.status == 2)
        #expect(outcome.stdout.isEmpty)
        #expect(outcome.stderr.contains("bids[\(scored)].consensus.PASSEND: score 12 ligt niet op de schaal"))
        #expect(outcome.stderr.contains("bids[0].segment: segment 'ONBEKEND' hoort niet bij aanbesteding 'MWD-2022'"))
    }

    @Test("Unknown design, unknown tender, bad options and missing files exit 2 with a message")
    func badArguments() throws {
        let unknownDesign = try CLI.run("example", "bids", "--design", "nergens-2030", "--seed", "1")
        #expect(unknownDesign.status == 2)
        #expect(unknownDesign.stderr.contains("nergens-2030"))
        let unknownTender = try CLI.run("example", "bids", "--design", "achterhoek-2026", "--seed", "1", "--tender", "XYZ")
        #expect(unknownTender.status == 2)
        #expect(unknownTender.stderr.contains("--tender"))
        let badFormat = try CLI.run("design", "show", "achterhoek-2022", "--format", "pdf")
        #expect(badFormat.status == 2)
        let missing = try CLI.run("select", "/bestaat/niet.json")
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("/bestaat/niet.json: bestand niet gevonden"))
    }
}

@Suite("The server's command line: migrate, user add, audit verify")
struct ServerCLITests {
    @Test("migrate creates the database and loads the region; user add audits; audit verify confirms the chain")
    func migrateUserAudit() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zorginkoop-cli-\(UUID().uuidString)")
        let env = ["SQLITE_PATH": dir.appendingPathComponent("db.sqlite").path]
        let migrate = try CLI.run("migrate", environment: env)
        #expect(migrate.status == 0, "\(migrate.stderr)")
        #expect(migrate.stdout.contains("Database bijgewerkt"))
        let add = try CLI.run("user", "add", "--email", "Inkoper@Doetinchem.nl", "--role", "procurement-officer", environment: env)
        #expect(add.status == 0, "\(add.stderr)")
        #expect(add.stdout.contains("Account inkoper@doetinchem.nl aangemaakt"))
        #expect(add.stdout.contains("Wachtwoord: "))
        let verify = try CLI.run("audit", "verify", environment: env)
        #expect(verify.status == 0)
        #expect(verify.stdout.contains("Audittrail intact: 2 regels"))
    }

    @Test("serve --demo starts on an empty database, runs the demo's procedures through the server and serves the public register of their contracts")
    func serveDemo() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zorginkoop-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let port = 18_400 + Int.random(in: 0..<500)
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = ["serve", "--demo", "--port", String(port)]
        var env = ProcessInfo.processInfo.environment
        env["DATABASE_URL"] = nil
        env["SQLITE_PATH"] = dir.appendingPathComponent("demo.sqlite").path
        process.environment = env
        let out = dir.appendingPathComponent("out.txt")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { process.terminate(); process.waitUntilExit() }
        // The first start makes the cast and runs two procedures: up to three minutes on a busy machine.
        var started = false
        for _ in 0..<720 where process.isRunning {
            if (try? String(contentsOf: out, encoding: .utf8))?.contains("Zorginkoop draait") == true { started = true; break }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(started, "\((try? String(contentsOf: out, encoding: .utf8)) ?? "")")
        guard started else { return }
        let (data, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/gecontracteerd.csv")!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        let csv = String(decoding: data, as: UTF8.self)
        for provider in ["Woonzorg Noaber", "Perspectief Wonen", "Stichting Het Anker", "Jeugdhulp Het Baken"] {
            #expect(csv.contains(provider), "\(provider)")
        }
    }

    @Test("user add with a bad role, a missing municipality or a duplicate exits 2 naming the option")
    func userAddRefuses() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zorginkoop-cli-\(UUID().uuidString)")
        let env = ["SQLITE_PATH": dir.appendingPathComponent("db.sqlite").path]
        let badRole = try CLI.run("user", "add", "--email", "a@b.nl", "--role", "koning", environment: env)
        #expect(badRole.status == 2)
        #expect(badRole.stderr.contains("--role: onbekende rol 'koning'"))
        let noMunicipality = try CLI.run("user", "add", "--email", "a@b.nl", "--role", "municipality-official", "--password", "lang-genoeg-wachtwoord", environment: env)
        #expect(noMunicipality.status == 2)
        #expect(noMunicipality.stderr.contains("--municipality: Kies de gemeente"))
        #expect(try CLI.run("user", "add", "--email", "a@b.nl", "--role", "auditor", environment: env).status == 0)
        let duplicate = try CLI.run("user", "add", "--email", "A@b.nl", "--role", "auditor", environment: env)
        #expect(duplicate.status == 2)
        #expect(duplicate.stderr.contains("--email: Er bestaat al een account"))
    }

    @Test("user remove-second-factor names the account it cannot find, or one without a second factor, and exits 2")
    func removeSecondFactorRefuses() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zorginkoop-cli-\(UUID().uuidString)")
        let env = ["SQLITE_PATH": dir.appendingPathComponent("db.sqlite").path]
        let unknown = try CLI.run("user", "remove-second-factor", "--email", "niemand@doetinchem.nl", environment: env)
        #expect(unknown.status == 2 && unknown.stderr.contains("--email: Er is geen account met het e-mailadres niemand@doetinchem.nl"))
        #expect(try CLI.run("user", "add", "--email", "inkoper@doetinchem.nl", "--role", "procurement-officer", environment: env).status == 0)
        let none = try CLI.run("user", "remove-second-factor", "--email", "Inkoper@Doetinchem.nl", environment: env)
        #expect(none.status == 2 && none.stderr.contains("heeft geen tweestapsverificatie ingesteld"))
    }
}

@Suite("zorginkoop indexation")
struct IndexationCLITests {
    static let vector = """
    {"weights": {"OVA": 90, "PCC": 10}, "correction": "ratio", "combination": "add", "rounding": "components",
     "years": {"2023": {"OVA": {"provisional": 4.74, "final": 6.36}, "PCC": {"provisional": 4.87, "final": 7.02}},
               "2024": {"OVA": {"provisional": 4.94}, "PCC": {"provisional": 2.51}}}}
    """

    @Test("The VNG 2024 vector gives 6.30 as JSON (decimal strings, two decimals) and as a Dutch table; the other roundings and corrections their own")
    func vector() throws {
        let json = try CLI.run("indexation", try CLI.temporaryFile(Self.vector), "--format", "json")
        #expect(json.status == 0, "\(json.stderr)")
        let output = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let years = try #require(output["years"] as? [[String: Any]])
        #expect(years.count == 1)
        #expect(years.first?["year"] as? Int == 2024)
        #expect(years.first?["provisional"] as? String == "4.70")
        #expect(years.first?["correction"] as? String == "1.60")
        #expect(years.first?["index"] as? String == "6.30")
        #expect(output["notComputed"] as? [Int] == [2023])
        let table = try CLI.run("indexation", try CLI.temporaryFile(Self.vector))
        #expect(table.status == 0 && table.stdout.contains("2024         4,70         1,60     6,30"))
        for (change, index) in [(("\"components\"", "\"result\""), "6.29"), (("\"ratio\"", "\"difference\""), "6.37")] {
            let file = try CLI.temporaryFile(Self.vector.replacingOccurrences(of: change.0, with: change.1))
            #expect(try CLI.run("indexation", file, "--format", "json").stdout.contains("\"index\" : \"\(index)\""))
        }
    }

    @Test("A bad file exits 2 naming the field", arguments: [
        (#"{"weights": {"OVA": 90, "PCC": 20}, "years": {"2023": {"OVA": {"provisional": 1}}}}"#, "weights: de gewichten tellen op tot 110"),
        (#"{"weights": {"OVA": 100}, "years": {"2023": {"OVA": {"provisional": "veel"}}}}"#, "years[2023].OVA.provisional: verkeerd type"),
        (#"{"weights": {"OVA": 100}, "years": {"2023": {"CAO": {"provisional": 1}}}}"#, "years.2023.CAO: deelindex 'CAO' heeft geen gewicht"),
        (#"{"weights": {"OVA": 100}, "years": {"23": {"OVA": {"provisional": 1}}}}"#, "years: '23' is geen jaartal"),
        (#"{"weights": {"OVA": 100}, "correction": "quotient", "years": {}}"#, "correction"),
        (#"{"weights": {"OVA": 100}, "years": {"2023": {"OVA": {"provisional": 640}}}}"#, "years.2023.OVA.provisional: een index in procenten ligt tussen -50 en 100"),
    ])
    func badFile(_ contents: String, _ message: String) throws {
        let file = try CLI.temporaryFile(contents)
        let outcome = try CLI.run("indexation", file)
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains(file) && outcome.stderr.contains(message), "\(outcome.stderr)")
        #expect(outcome.stdout.isEmpty)
    }
}

@Suite("zorginkoop settle")
struct SettleCLITests {
    static let overspent = """
    {"provider": "Stichting Het Anker", "year": 2023, "budget": "1200000.00", "realised": "1300000.00", "valve": 35000,
     "terms": {"band": 5, "outside": "excess", "underspendReturned": 75, "overspendPaid": 50},
     "costSharing": {"basis": "clients", "weights": {"doetinchem": 2, "aalten": 1}}}
    """

    @Test("A settlement outside the band, with the valve and a key: every step in JSON, in euros as decimal strings; and a Dutch table")
    func settle() throws {
        let file = try CLI.temporaryFile(Self.overspent)
        let json = try CLI.run("settle", file, "--format", "json")
        #expect(json.status == 0, "\(json.stderr)")
        let output = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(output["outcome"] as? String == "overspent")
        #expect(output["shared"] as? String == "40000.00")
        #expect(output["settlement"] as? String == "20000.00")
        #expect(output["total"] as? String == "1255000.00")
        #expect(output["balance"] as? String == "55000.00")
        #expect(output["perMunicipality"] as? [String: String] == ["doetinchem": "836666.67", "aalten": "418333.33"])
        let table = try CLI.run("settle", file)
        #expect(table.status == 0 && table.stdout.contains("Nog te betalen aan de aanbieder      € 55.000,00"))
    }

    @Test("A bad file exits 2 naming the field", arguments: [
        (#"{"provider": "X", "year": 2023, "budget": "12.345", "realised": 1, "terms": {"band": 5, "underspendReturned": 75, "overspendPaid": 50}}"#, "budget: '12.345' is geen bedrag"),
        (#"{"provider": "X", "year": 2023, "budget": 100, "realised": 1, "terms": {"band": 5, "underspendReturned": 75}}"#, "terms: verplicht veld 'overspendPaid' ontbreekt"),
        (#"{"provider": "X", "year": 2023, "budget": 100, "realised": 1, "terms": {"band": 5, "underspendReturned": 175, "overspendPaid": 50}}"#, "terms.underspendReturned: een percentage van 0 tot en met 100"),
        (#"{"provider": "X", "year": 2023, "budget": 100, "realised": 1, "terms": {"band": 5, "outside": "alles", "underspendReturned": 75, "overspendPaid": 50}}"#, "terms.outside"),
    ])
    func badFile(_ contents: String, _ message: String) throws {
        let file = try CLI.temporaryFile(contents)
        let outcome = try CLI.run("settle", file)
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains(file) && outcome.stderr.contains(message), "\(outcome.stderr)")
        #expect(outcome.stdout.isEmpty)
    }
}
