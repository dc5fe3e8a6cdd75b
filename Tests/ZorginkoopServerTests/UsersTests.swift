import Fluent
import Foundation
import Testing
import VaporTesting
@testable import ZorginkoopServer

@Suite("Accounts for the region")
struct UsersTests {
    @Test("An administrator adds an official bound to a municipality; problems show per field")
    func administratorAddsAccounts() async throws {
        try await withApp { app in
            try await makeUser(app, .administrator)
            let browser = Browser(app)
            _ = try await browser.login("administrator@test.nl")
            let bad = try await browser.post("/beheer/gebruikers", form: ["name": "", "email": "geen-adres", "role": "municipality-official",
                                                                          "municipality": "", "password": "kort"])
            #expect(bad.status == .unprocessableEntity)
            let page = bad.body.string
            #expect(page.contains("id=\"email-fout\">Vul een geldig e-mailadres in"))
            #expect(page.contains("id=\"municipality-fout\">Kies de gemeente van deze medewerker"))
            #expect(page.contains("id=\"password-fout\">Kies een wachtwoord van minstens 12 tekens."))
            let good = try await browser.post("/beheer/gebruikers", form: ["name": "Eva Aalten", "email": "Eva@Aalten.nl", "role": "municipality-official",
                                                                           "municipality": "aalten", "password": "een-lang-wachtwoord"])
            #expect(good.status == .seeOther)
            let user = try #require(try await UserRecord.query(on: app.db).filter(\.$email == "eva@aalten.nl").first())
            #expect(user.municipality == "aalten")
            #expect(try await AuditEntryRecord.query(on: app.db).filter(\.$subject == "eva@aalten.nl").first()?.actorRole == "administrator")
            #expect(try await Browser(app).login("eva@aalten.nl", password: "een-lang-wachtwoord").status == .seeOther)
        }
    }

    @Test("A provider account belongs to an organisation")
    func providerOrganisation() async throws {
        try await withApp { app in
            try await makeUser(app, .provider)
            let user = try #require(try await UserRecord.query(on: app.db).with(\.$organisation).first())
            #expect(user.organisation?.name == "Zorggroep Test")
        }
    }
}
