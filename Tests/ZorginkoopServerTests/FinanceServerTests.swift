import Fluent
import Foundation
import Testing
import VaporTesting
@testable import ZorginkoopCore
@testable import ZorginkoopServer
import ZorginkoopInterop

/// Money in the contract period through a real server: declarations received and checked line by
/// line, the answer message, budgets and ceilings with the 70 % alert, who sees what, the exports
/// and the API.
@Suite("Finance: declarations, budgets and ceilings")
struct FinanceServerTests {
    static let providerAGB = "12345678"
    static let otherAGB = "87654321"

    /// A crisis-care contract (Jeugdwet, products CRI01 and CRI02) of "Zorggroep Test" in
    /// Doetinchem and Aalten from 1-1-2026, and a Wmo Wonen contract of another provider.
    static func contracts(_ app: Application) async throws {
        try await makeUser(app, .provider)
        let a = try #require(try await OrganisationRecord.query(on: app.db).filter(\.$name == "Zorggroep Test").first())
        a.agbCode = providerAGB
        try await a.save(on: app.db)
        let other = OrganisationRecord(name: "Wonen Oost", kvkNumber: "12345679", agbCode: otherAGB)
        try await other.create(on: app.db)
        let day = { (y: Int, m: Int, d: Int) in CalendarDate(year: y, month: m, day: d)! }
        let term = ContractTerm(start: day(2026, 1, 1), initialEnd: day(2027, 12, 31), initialTermMonths: 24, extensionMonths: 12,
                                maxExtensions: 2, maxTotalMonths: 48, maxEnd: day(2029, 12, 31))
        let crisis = RegisteredContract(
            number: "CRI-2026-001", source: .award, tender: "JGD-2026", bid: nil, segment: "CRI", title: "Crisishulp",
            parties: [ContractParty(role: .lead, organisation: try a.requireID().uuidString, name: "Zorggroep Test", kvkNumber: "87654321")],
            subSegments: ["CRI-AMB"], term: term, start: term.start,
            terms: [MunicipalTerm(municipality: "doetinchem", end: term.initialEnd, extensionsUsed: 0),
                    MunicipalTerm(municipality: "aalten", end: term.initialEnd, extensionsUsed: 0)])
        let wonen = RegisteredContract(
            number: "WON-2026-001", source: .award, tender: "WMO-2026", bid: nil, segment: "WON", title: "Beschermd wonen",
            parties: [ContractParty(role: .lead, organisation: try other.requireID().uuidString, name: "Wonen Oost", kvkNumber: "12345679")],
            subSegments: ["WON-BW"], term: term, start: term.start,
            terms: [MunicipalTerm(municipality: "doetinchem", end: term.initialEnd, extensionsUsed: 0)])
        let at = Date(timeIntervalSince1970: 1_780_000_000)
        for c in [crisis, wonen] {
            try await ContractStore.create(c, tenderID: nil, at: at, by: "test", event: ContractEvent(kind: .created, at: at, by: "test", summary: "aangemaakt"), on: app.db)
        }
    }

    /// Months of declarations from the example generator, for the crisis contract in Doetinchem.
    static func messages(_ app: Application, clients: Int, through month: Int) async throws -> [Declaration] {
        let design = try await DesignStore.region(on: app.db).design
        let products = try await FinanceStore.contractedProducts(on: app.db, design: design).filter { $0.contract == "CRI-2026-001" && $0.municipality == "0222" }
        #expect(products.count == 2)
        return ExampleDeclarations(clients: clients).messages(for: products, law: .jeugdwet, from: YearMonth(year: 2026, month: 1),
                                                              through: YearMonth(year: 2026, month: month), seed: 7)
    }

    static func count<M: Model>(_ type: M.Type, _ app: Application) async throws -> Int { try await M.query(on: app.db).count() }

    @Test("A message of thousands of lines through the upload: each line checked and stored with its rule and return code, the answer valid against JW325.xsd, audited; the same message again, a broken one and one for another municipality store nothing")
    func receiveDeclarations() async throws {
        try await withApp { app in
            ExtensionTests.at(app, 2026, 11, 10)
            try await Self.contracts(app)
            let messages = try await Self.messages(app, clients: 1500, through: 2)
            let january = messages[0]
            // Two lines made wrong by hand, on top of the generator's own: a product the provider
            // is not contracted for, and a tariff above the contract's.
            var february = messages[1]
            february.lines[0].code = "CRI09"
            february.lines[1].tariff = Money(cents: february.lines[1].tariff!.cents + 1)
            february.lines[1].amount = Money(cents: february.lines[1].tariff!.cents * february.lines[1].volume)
            let xml = DeclarationMessage.write(january)
            #expect(xml.count > 1_000_000, "a real-sized body: \(xml.count) bytes")

            let consultant = Browser(app)
            #expect(try await consultant.login(try await makeUser(app, .financeConsultant)).status == .seeOther)
            _ = try await consultant.get("/financien")
            let received = try await consultant.postMultipart("/financien/declaraties", fields: [], file: ("file", "JW323.xml", Array(xml)))
            #expect(received.status == .seeOther, "\(received.body.string.prefix(500))")
            let location = try #require(received.headers.first(name: .location))
            let stored = try await DeclarationLineRecord.query(on: app.db).all()
            #expect(stored.count == january.lines.count)
            #expect(stored.allSatisfy { !BSN.isValid($0.clientKey) && $0.clientKey.count == 64 }, "no BSN at rest: a keyed hash")
            let rejected = stored.filter { !$0.approved }
            #expect(!rejected.isEmpty && rejected.count < stored.count / 5)
            #expect(rejected.allSatisfy { !$0.brokenRules.isEmpty })

            let page = try await consultant.get(String(location.split(separator: "?")[0]))
            #expect(page.status == .ok)
            let html = page.body.string
            #expect(html.contains("toegekend (altijd betaald)"), "crisis care is always paid")
            #expect(html.contains("afgewezen:") && html.contains("0611") || html.contains("8017") || html.contains("9387"))
            #expect(!html.contains(january.lines[0].client), "the page shows no BSN")

            // The answer: valid against its schema, audited when read.
            let answerPath = String(location.split(separator: "?")[0]) + "/antwoord.xml"
            let answer = try await consultant.get(answerPath)
            #expect(answer.status == .ok)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("answer-\(UUID().uuidString).xml")
            try Data(buffer: answer.body).write(to: file)
            #expect(try Self.xmllint(file, schema: "jw/JW325.xsd"))
            #expect(try await ExtensionTests.audit(app, "declarations.received").count == 1)
            #expect(try await ExtensionTests.audit(app, "declarations.answer-read").count == 1)
            let audit = try await ExtensionTests.audit(app, "declarations.received")[0]
            #expect(!audit.details.contains(january.lines[0].client), "no BSN in the audit trail")

            // The same message again: refused by its identification, nothing stored.
            _ = try await consultant.get("/financien")
            let again = try await consultant.postMultipart("/financien/declaraties", fields: [], file: ("file", "JW323.xml", Array(xml)))
            #expect(again.status == .unprocessableEntity)
            #expect(again.body.string.contains("is al ontvangen op 10-11-2026"))
            #expect(try await Self.count(DeclarationLineRecord.self, app) == january.lines.count)

            // A broken message: the element named, nothing stored.
            let broken = String(decoding: DeclarationMessage.write(february), as: UTF8.self).replacingOccurrences(of: "<jw323:Eenheid>04</jw323:Eenheid>", with: "<jw323:Eenheid>99</jw323:Eenheid>")
            _ = try await consultant.get("/financien")
            let refused = try await consultant.postMultipart("/financien/declaraties", fields: [], file: ("file", "JW323.xml", Array(broken.utf8)))
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("Eenheid") && refused.body.string.contains("Er is niets opgeslagen."))
            #expect(try await Self.count(DeclarationMessageRecord.self, app) == 1)

            // February: the hand-made faults carry their rule and return code.
            _ = try await consultant.get("/financien")
            #expect(try await consultant.postMultipart("/financien/declaraties", fields: [], file: ("file", "JW323.xml", Array(DeclarationMessage.write(february)))).status == .seeOther)
            let feb = try await DeclarationLineRecord.query(on: app.db).filter(\.$month == "2026-02").sort(\.$position).all()
            #expect(feb[0].brokenRules == [.notContracted] && !feb[0].approved)
            #expect(feb[1].brokenRules == [.tariffDiffers])

            // An official of Aalten receives nothing for Doetinchem.
            let aalten = try await ExtensionTests.official(app, "aalten")
            _ = try await aalten.get("/financien")
            var march = try await Self.messages(app, clients: 20, through: 3)[2]
            march.messageId = "M3"
            let foreign = try await aalten.postMultipart("/financien/declaraties", fields: [], file: ("file", "JW323.xml", Array(DeclarationMessage.write(march))))
            #expect(foreign.status == .unprocessableEntity)
            #expect(foreign.body.string.contains("alleen declaraties voor uw eigen gemeente"))
            #expect(try await aalten.get(String(location.split(separator: "?")[0])).status == .notFound, "another municipality's message is not shown")
        }
    }

    @Test("Budgets and ceilings: a wrong amount is refused next to its field, a ceiling reached to 70 % shows the alert with its dates to the consultant and the provider, a client stop is recorded, each audited; exports and the API carry the same figures")
    func budgetsAndCeilings() async throws {
        try await withApp { app in
            ExtensionTests.at(app, 2026, 7, 10)
            try await Self.contracts(app)
            let consultant = Browser(app)
            #expect(try await consultant.login(try await makeUser(app, .financeConsultant)).status == .seeOther)
            _ = try await consultant.get("/financien")
            let bad = try await consultant.post("/financien/budget", form: ["year": "2026", "municipality": "doetinchem", "segment": "CRI", "amount": "veel"])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("id=\"amount-error\">Geef een bedrag in euro"))
            #expect(try await Self.count(BudgetRecord.self, app) == 0)
            #expect(try await consultant.post("/financien/budget", form: ["year": "2026", "municipality": "doetinchem", "segment": "CRI", "amount": "1.000.000,00"]).status == .seeOther)

            // Six months of declarations, received through the same path as an upload.
            let messages = try await Self.messages(app, clients: 40, through: 6)
            for m in messages {
                _ = try await consultant.get("/financien")
                #expect(try await consultant.postMultipart("/financien/declaraties", fields: [], file: ("file", "JW323.xml", Array(DeclarationMessage.write(m)))).status == .seeOther)
            }
            let approved = try await DeclarationLineRecord.query(on: app.db).filter(\.$approved == true).all().reduce(0) { $0 + $1.signedCents }
            #expect(approved > 0)
            // A ceiling just above what was spent: crisis care is always paid, so it counts nothing
            // toward it; on the Wmo provider a ceiling it reaches 70 % of (set below) shows the alert.
            _ = try await consultant.get("/financien")
            #expect(try await consultant.post("/financien/plafond", form: ["ceilingYear": "2026", "provider": Self.providerAGB, "ceilingMunicipality": "",
                                                                          "annual": DutchFormat.cents(approved), "contractStart": ""]).status == .seeOther)
            let html = try await consultant.get("/financien?jaar=2026").body.string
            #expect(html.contains("<svg") && html.contains("role=\"img\""))
            #expect(html.contains(Money(cents: approved).dutch), "the approved total is shown")
            #expect(html.contains("Plafond, besteed en prognose per aanbieder"))

            // A Wmo provider's lines (not crisis care) count toward its ceiling.
            let design = try await DesignStore.region(on: app.db).design
            let wonen = try await FinanceStore.contractedProducts(on: app.db, design: design).filter { $0.contract == "WON-2026-001" }
            var generator = ExampleDeclarations(clients: 10)
            generator.wrongTariff = 0; generator.uncontracted = 0; generator.secondDebit = 0
            let wmo = generator.messages(for: wonen, law: .wmo, from: YearMonth(year: 2026, month: 1), through: YearMonth(year: 2026, month: 6), seed: 11)
            for m in wmo {
                _ = try await consultant.get("/financien")
                #expect(try await consultant.postMultipart("/financien/declaraties", fields: [], file: ("file", "WMO323.xml", Array(DeclarationMessage.write(m)))).status == .seeOther)
            }
            let wmoSpent = wmo.flatMap(\.lines).reduce(0) { $0 + $1.amount.cents }
            _ = try await consultant.get("/financien")
            // Spent is 75 % of this ceiling.
            #expect(try await consultant.post("/financien/plafond", form: ["ceilingYear": "2026", "provider": Self.otherAGB, "ceilingMunicipality": "doetinchem",
                                                                          "annual": DutchFormat.cents(wmoSpent * 4 / 3), "contractStart": ""]).status == .seeOther)
            let alerted = try await consultant.get("/financien?jaar=2026").body.string
            #expect(alerted.contains("Plafondsignalering"))
            #expect(alerted.contains("75 % van het plafond bereikt of overschrijding verwacht: schriftelijke melding 10-7-2026, overleg uiterlijk 24-7-2026, besluit uiterlijk 7-8-2026"))
            _ = try await consultant.get("/financien")
            #expect(try await consultant.post("/financien/clientenstop", form: ["stopYear": "2026", "stopProvider": Self.otherAGB, "stopMunicipality": "doetinchem",
                                                                               "from": "2026-08-01", "note": "Afgesproken in overleg van 20-7-2026"]).status == .seeOther)
            #expect(try await consultant.get("/financien?jaar=2026").body.string.contains("cliëntenstop vanaf 1-8-2026: Afgesproken in overleg van 20-7-2026"))
            for action in ["finance.budget-set", "finance.ceiling-set", "finance.client-stop"] {
                #expect(try await ExtensionTests.audit(app, action).count >= 1, "\(action) audited")
            }

            // The alert's dates stay those of the day it was first seen.
            ExtensionTests.at(app, 2026, 7, 20)
            #expect(try await consultant.login("finance-consultant@test.nl").status == .seeOther, "ten days later: a new session")
            let later = try await consultant.get("/financien?jaar=2026").body.string
            #expect(later.contains("schriftelijke melding 10-7-2026"), "\(later.components(separatedBy: "Plafondsignalering").dropFirst().first?.prefix(600) ?? "")")

            // The Wmo provider sees its own ceiling and alert, nothing of the crisis provider.
            let provider = Browser(app)
            try await makeUser(app, .provider, email: "wonen@test.nl")
            let user = try #require(try await UserRecord.query(on: app.db).filter(\.$email == "wonen@test.nl").first())
            let wonenOrg = try #require(try await OrganisationRecord.query(on: app.db).filter(\.$agbCode == Self.otherAGB).first())
            user.$organisation.id = try wonenOrg.requireID()
            try await user.save(on: app.db)
            #expect(try await provider.login("wonen@test.nl").status == .seeOther)
            let own = try await provider.get("/financien?jaar=2026").body.string
            #expect(own.contains("Plafondsignalering") && own.contains("Wonen Oost"))
            #expect(!own.contains("Zorggroep Test"), "another provider's figures are not shown")
            #expect(!own.contains("action=\"/financien/plafond\""), "a provider sets no ceilings")
            #expect(try await provider.post("/financien/plafond", form: ["ceilingYear": "2026", "provider": Self.otherAGB, "annual": "1,00"]).status == .forbidden)

            // The export: Dutch CSV, a row per municipality, segment, provider and month.
            let csv = try await consultant.get("/financien/export.csv?jaar=2026")
            #expect(csv.status == .ok, "\(csv.status) \(csv.headers)")
            let rows = try DutchCSV.read(Data(buffer: csv.body), requiring: ["gemeente", "segment", "agb", "maand", "toegekend"])
            #expect(rows.contains { $0["gemeente"] == "Doetinchem" && $0["segment"] == "WON" && $0["maand"] == "2026-03" })
            let total = rows.filter { $0["segment"] == "WON" }.reduce(0) { $0 + (DutchFormat.parseCents($1["toegekend"]) ?? 0) }
            #expect(total == wmoSpent)
            #expect(try await consultant.get("/financien/export.xlsx?jaar=2026").status == .ok)

            // The API: the same cells; a broken message is a problem+json naming the element.
            let token = try await makeToken(app, .financeConsultant)
            let cells = try await apiRequest(app, .GET, "/api/v1/spend?year=2026", token: token)
            #expect(cells.status == .ok && cells.body.string.contains("\"segment\":\"WON\""))
            let bad422 = try await apiRequest(app, .POST, "/api/v1/declarations", token: token, json: "<jw323:Bericht/>")
            #expect(bad422.status == .unprocessableEntity && bad422.headers.contentType?.subType == "problem+json")
        }
    }

    static func xmllint(_ file: URL, schema: String) throws -> Bool {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/istandaarden")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["xmllint", "--noout", "--nonet", "--schema", root.appendingPathComponent(schema).path, file.path]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
