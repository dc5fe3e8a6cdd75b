import Fluent
import Foundation
import NIOCore
import NIOPosix
import SQLKit
import Testing
import VaporTesting
import ZorginkoopCatalog
import ZorginkoopCore
@testable import ZorginkoopServer

/// The findings of a first week of real use (issue 11), each through the real HTTP server.
@Suite("A first week of real users, over real HTTP")
struct FirstWeekTests {
    static let paragraph = "Wij bieden crisishulp binnen vier uur, dag en nacht, met een vast team dat de gezinnen in de Achterhoek kent. "

    @Test("A provider registers through the registration page reached from the login page, with its form token, and can log in")
    func registrationThroughThePage() async throws {
        try await withApp { app in
            let browser = Browser(app)
            let login = try await browser.get("/inloggen")
            #expect(login.body.string.contains("href=\"/aanbieders/registreren\""))
            browser.csrf = nil
            let page = try await browser.get("/aanbieders/registreren")
            #expect(page.status == .ok)
            let token = try #require(browser.csrf)
            #expect(!token.isEmpty)
            let registered = try await browser.post("/aanbieders/registreren", form: [
                "organisation": "Stichting Jeugd & Gezin 's-Heerenberg", "kvkNumber": "12345678", "agbCode": "41123456",
                "name": "Zoë Janssen", "email": "zoe@jeugd-gezin.nl", "password": "een lange zin als wachtwoord"])
            #expect(registered.status == .seeOther, "\(registered.body.string.prefix(300))")
            #expect(try await OrganisationRecord.query(on: app.db).filter(\.$name == "Stichting Jeugd & Gezin 's-Heerenberg").count() == 1)
            #expect(try await Browser(app).login("zoe@jeugd-gezin.nl", password: "een lange zin als wachtwoord").status == .seeOther)
        }
    }

    @Test("A bid form of 60 kB and a question at its length limit arrive whole: the form token is read after the body")
    func longFormsArriveWhole() async throws {
        try await withApp { app in
            _ = try await CrisisTender.openForBids(app)
            _ = try await makeAccount(app, .provider, email: "info@zorg-a.nl", organisation: "Zorg A")
            let provider = Browser(app)
            #expect(try await provider.login("info@zorg-a.nl").status == .seeOther)
            try await provider.get("/aanbestedingen/\(CrisisTender.code)/inschrijving")
            let dossier = String(String(repeating: Self.paragraph, count: 200).prefix(11_900))
            var form = ["sub-CRI-AMB": "ja", "serves": "all", "form": "alone"]
            for c in ["PASSEND", "INTEGRAAL", "SAMENWERKING", "INNOVATIE", "LOKAAL"] { form["dossier-\(c)"] = dossier }
            let saved = try await provider.post("/aanbestedingen/\(CrisisTender.code)/inschrijving", form: form)
            #expect(saved.status == .seeOther, "\(saved.status): \(saved.body.string.prefix(200))")
            let content = try BidService.draft(try #require(try await BidRecord.query(on: app.db).first()),
                                               tender: try await TenderStore.find(CrisisTender.code, for: nil, at: app.clock.now(), on: app.db), app: app)
            #expect(content.dossier["LOKAAL"] == dossier)

            try await provider.get("/aanbestedingen/\(CrisisTender.code)/vragen")
            let question = String(String(repeating: "Hoe telt de wachttijd mee als het gezin zelf later wil starten? ", count: 130).prefix(QuestionService.questionLimit))
            let asked = try await provider.post("/aanbestedingen/\(CrisisTender.code)/vragen", form: ["text": question, "section": "3.2"])
            #expect(asked.status == .seeOther || asked.status == .ok, "\(asked.status)")
            #expect(try await QuestionRecord.query(on: app.db).count() == 1)
        }
    }

    @Test("JSON nested 10,000 deep, or with a weight near 2^62, gets a problem+json and the server goes on")
    func hostileJSONThroughTheAPI() async throws {
        try await withApp { app in
            let token = try await makeToken(app, .procurementOfficer)
            let copy = try await apiRequest(app, .POST, "/api/v1/designs/achterhoek-2026/copies", token: token)
            #expect(copy.status == .created)
            let code = try #require(try jsonObject(copy)["code"] as? String)
            let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
            let refused = try await apiRequest(app, .PUT, "/api/v1/designs/\(code)", token: token, json: deep)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.headers.contentType?.subType == "problem+json")
            #expect(refused.body.string.contains("te diep genest"))
            var design = try #require(try jsonObject(copy) as [String: Any]?)
            var lots = design["lots"] as! [[String: Any]]
            var segments = lots[0]["segments"] as! [[String: Any]]
            var weights = segments[0]["weights"] as! [String: Any]
            for key in weights.keys { weights[key] = 4_611_686_018_427_387_904 }
            segments[0]["weights"] = weights
            lots[0]["segments"] = segments
            design["lots"] = lots
            let huge = String(decoding: try JSONSerialization.data(withJSONObject: design), as: UTF8.self)
            let overflow = try await apiRequest(app, .PUT, "/api/v1/designs/\(code)", token: token, json: huge)
            #expect(overflow.status == .unprocessableEntity)
            #expect(overflow.body.string.contains("te groot"))
            #expect(try await LiveServer.of(app).send(.GET, "/health", headers: [:], body: nil).status == .ok)
        }
    }

    @Test("A NUL in a name, a colleague's e-mail or a question is refused and stored nowhere; the audit chain stays whole")
    func nulIsRefusedEverywhere() async throws {
        try await withApp { app in
            let browser = Browser(app)
            try await browser.get("/aanbieders/registreren")
            let refused = try await browser.post("/aanbieders/registreren", form: [
                "organisation": "Zorg\u{0}Kwaad", "kvkNumber": "12345678", "agbCode": "41123456",
                "name": "Kwaad", "email": "kwaad@zorg.nl", "password": "een lange zin als wachtwoord"])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("U+0000"))
            #expect(try await OrganisationRecord.query(on: app.db).count() == 0)
            let bidi = try await browser.post("/aanbieders/registreren", form: [
                "organisation": "Zorg\u{202E}A", "kvkNumber": "12345678", "agbCode": "41123456",
                "name": "Kwaad", "email": "kwaad@zorg.nl", "password": "een lange zin als wachtwoord"])
            #expect(bidi.status == .unprocessableEntity)
            #expect(bidi.body.string.contains("id=\"organisation-fout\""))
            #expect(try await OrganisationRecord.query(on: app.db).count() == 0)

            _ = try await makeAccount(app, .provider, email: "info@zorg-a.nl", organisation: "Zorg A")
            let provider = Browser(app)
            #expect(try await provider.login("info@zorg-a.nl").status == .seeOther)
            try await provider.get("/organisatie")
            let invite = try await provider.post("/organisatie/collega", form: ["name": "Collega", "email": "collega\u{0}@zorg-a.nl"])
            #expect(invite.status == .unprocessableEntity)
            #expect(try await UserRecord.query(on: app.db).count() == 1)
            let token = try await makeToken(app, .provider)
            let api = try await apiRequest(app, .PUT, "/api/v1/designs/achterhoek-2026", token: token, json: #"{"code": "a\u0000b"}"#)
            #expect(api.status == .unprocessableEntity && api.body.string.contains("U+0000"))
            #expect(try await AuditChain.verify(on: app.db).firstBroken == nil)
        }
    }

    @Test("After an upload refused mid-body, the next request on the same connection is answered")
    func connectionAnswersAfterARefusedUpload() async throws {
        try await withApp { app in
            _ = try await CrisisTender.openForBids(app)
            let provider = try await makeAccount(app, .provider, email: "info@zorg-a.nl", organisation: "Zorg A")
            _ = try await apiRequest(app, .PUT, "/api/v1/tenders/\(CrisisTender.code)/bid", token: provider,
                                     json: jsonText(try CrisisTender.content(marker: "A")))
            // 3 MB that is no PDF: refused once its first 64 kB are seen, with most of the body still on its way.
            let junk = [UInt8](repeating: 0x41, count: 3 * 1024 * 1024)
            let head = "POST /api/v1/tenders/\(CrisisTender.code)/bid/documents?purpose=general&name=x.pdf HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Authorization: Bearer \(provider)\r\nContent-Type: application/octet-stream\r\nContent-Length: \(junk.count)\r\n\r\n"
            let next = "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            let answers = try await RawConnection.exchange(port: try await LiveServer.of(app).port,
                                                           [Array(head.utf8) + junk, Array(next.utf8)], expectResponses: 2)
            #expect(answers.count == 2, "\(answers)")
            #expect(answers.first?.hasPrefix("HTTP/1.1 415") == true)
            #expect(answers.last?.hasPrefix("HTTP/1.1 200") == true)
            #expect(try await BidDocumentRecord.query(on: app.db).count() == 0)
        }
    }

    @Test("Publication takes effect at its time: providers see neither the tender nor its notification a millisecond before")
    func publicationAtItsTime() async throws {
        try await withApp { app in
            let time = TestClock(CrisisTender.t0.addingTimeInterval(-3600))
            app.clock = time.clock
            let officer = try await makeAccount(app, .procurementOfficer, email: "inkoper1@doetinchem.nl")
            let provider = try await makeAccount(app, .provider, email: "info@zorg-a.nl", organisation: "Zorg A")
            try await CrisisTender.create(app, officer: officer)
            time.set(CrisisTender.t0.addingTimeInterval(-0.001))
            #expect(try await apiRequest(app, .GET, "/api/v1/tenders/\(CrisisTender.code)", token: provider).status == .notFound)
            #expect(try jsonObject(try await apiRequest(app, .GET, "/api/v1/tenders/\(CrisisTender.code)", token: officer))["phase"] as? String == "scheduled")
            let browser = Browser(app)
            #expect(try await browser.login("info@zorg-a.nl").status == .seeOther)
            #expect(!(try await browser.get("/meldingen")).body.string.contains("Nieuwe aanbesteding"))
            time.set(CrisisTender.t0)
            #expect(try await apiRequest(app, .GET, "/api/v1/tenders/\(CrisisTender.code)", token: provider).status == .ok)
            #expect(try await browser.get("/meldingen").body.string.contains("Nieuwe aanbesteding gepubliceerd"))
        }
    }

    @Test("The vault does not open a millisecond before the published opening time, and does at it")
    func vaultAtTheOpeningTime() async throws {
        try await withApp { app in
            let time = TestClock(CrisisTender.t0.addingTimeInterval(-3600))
            app.clock = time.clock
            let officer = try await makeAccount(app, .procurementOfficer, email: "inkoper1@doetinchem.nl")
            try await CrisisTender.create(app, officer: officer)
            time.set(CrisisTender.opening.addingTimeInterval(-0.001))
            let early = try await apiRequest(app, .POST, "/api/v1/tenders/\(CrisisTender.code)/vault/confirmations", token: officer)
            #expect(early.status == .conflict && early.body.string.contains("openingstijdstip"))
            time.set(CrisisTender.opening)
            #expect(try await apiRequest(app, .POST, "/api/v1/tenders/\(CrisisTender.code)/vault/confirmations", token: officer).status == .accepted)
        }
    }

    @Test("The tender form proposes the contract term after the award; a start before it is refused next to its field")
    func contractTermBelongsToTheTender() async throws {
        try await withApp { app in
            let time = TestClock(CrisisTender.t0.addingTimeInterval(-7200))
            app.clock = time.clock
            _ = try await makeAccount(app, .procurementOfficer, email: "inkoper1@doetinchem.nl")
            let browser = Browser(app)
            #expect(try await browser.login("inkoper1@doetinchem.nl").status == .seeOther)
            let form = try await browser.get("/aanbestedingen/nieuw?aanbesteding=CRISIS").body.string
            #expect(form.contains("id=\"contract-start\""))
            #expect(!form.contains("value=\"2026-01-01\""))
            func input(_ d: Date) -> String { DutchTime.inputValue(d) }
            var fields = ["designTender": "CRISIS", "name": "Crisis Jeugdhulp 2027", "sub-CRI-AMB": "ja",
                          "publication": input(CrisisTender.t0), "question-1": input(CrisisTender.questionDeadline),
                          "deadline": input(CrisisTender.deadline), "opening": input(CrisisTender.opening),
                          "contract-start": "2026-01-01", "contract-initial": "24", "contract-extension": "24", "contract-extensions": "3"]
            let early = try await browser.post("/aanbestedingen/nieuw", form: fields)
            #expect(early.status == .unprocessableEntity)
            #expect(early.body.string.contains("id=\"contract-start-fout\">de overeenkomst kan niet starten voor de gunning"))
            #expect(try await TenderRecord.query(on: app.db).count() == 0)
            fields["contract-start"] = "2027-03-01"
            #expect(try await browser.post("/aanbestedingen/nieuw", form: fields).status == .seeOther)
            let tender = try LoadedTender(try #require(try await TenderRecord.query(on: app.db).first()))
            #expect(tender.scope.contractTerm?.start == CalendarDate(year: 2027, month: 3, day: 1))
            #expect(tender.scope.contractTerm?.maxEnd == CalendarDate(year: 2035, month: 2, day: 28))
        }
    }

    @Test("A core InvalidInput is a 422 problem, not a 500")
    func invalidInputIsUnprocessable() async throws {
        try await withApp { app in
            let request = Request(application: app, on: app.eventLoopGroup.next())
            let (status, _, problems) = ErrorPages().describe(InvalidInput(problems: [Problem("bids[0].segment", "onbekend segment")]), request: request)
            #expect(status == .unprocessableEntity)
            #expect(problems?.first?.path == "bids[0].segment")
        }
    }

    @Test("Signed-in pages are not stored; after logout Back shows the login page, not the page")
    func signedInPagesAreNotCached() async throws {
        try await withApp { app in
            let email = try await makeUser(app, .procurementOfficer)
            let browser = Browser(app)
            #expect(try await browser.login(email).status == .seeOther)
            let page = try await browser.get("/aanbestedingen")
            #expect(page.headers.first(name: .cacheControl) == "no-store")
            try await browser.post("/uitloggen", form: [:])
            let after = try await browser.get("/aanbestedingen")
            #expect(after.status == .seeOther && after.headers.first(name: .location)?.hasPrefix("/inloggen") == true)
        }
    }

    @Test("A one-time password opens only the password page; the new one ends the other sessions")
    func oneTimePasswordMustBeChanged() async throws {
        try await withApp { app in
            try await Accounts.create(NewAccount(email: "nieuw@doetinchem.nl", name: "Nieuw", role: .procurementOfficer, password: "eenmalig-wachtwoord-1",
                                                 oneTimePassword: true), actor: "test", clock: app.clock, cost: 4, on: app.db)
            let first = Browser(app)
            #expect(try await first.login("nieuw@doetinchem.nl", password: "eenmalig-wachtwoord-1").status == .seeOther)
            let other = Browser(app)
            #expect(try await other.login("nieuw@doetinchem.nl", password: "eenmalig-wachtwoord-1").status == .seeOther)
            let blocked = try await first.get("/aanbestedingen")
            #expect(blocked.status == .seeOther && blocked.headers.first(name: .location) == "/account/wachtwoord")
            try await first.get("/account/wachtwoord")
            let wrong = try await first.post("/account/wachtwoord", form: ["current": "fout", "new": "mijn eigen lange wachtwoord", "repeat": "mijn eigen lange wachtwoord"])
            #expect(wrong.status == .unprocessableEntity && wrong.body.string.contains("id=\"current-fout\""))
            let changed = try await first.post("/account/wachtwoord", form: ["current": "eenmalig-wachtwoord-1", "new": "mijn eigen lange wachtwoord",
                                                                               "repeat": "mijn eigen lange wachtwoord"])
            #expect(changed.status == .seeOther)
            // This session goes on, to the officer's next step: the second factor (SecondFactorTests).
            #expect(try await first.get("/aanbestedingen").headers.first(name: .location) == "/account/tweestapsverificatie")
            let ended = try await other.get("/aanbestedingen")
            #expect(ended.status == .seeOther && ended.headers.first(name: .location)?.hasPrefix("/inloggen") == true)
            #expect(try await Browser(app).login("nieuw@doetinchem.nl", password: "mijn eigen lange wachtwoord").status == .seeOther)
            #expect(try await AuditEntryRecord.query(on: app.db).filter(\.$action == "user.password-changed").count() == 1)
        }
    }

    @Test("An administrator deactivates an account: its session and its token stop at once; it can be reactivated")
    func deactivationStopsSessionsAndTokens() async throws {
        try await withApp { app in
            let admin = try await makeUser(app, .administrator)
            let token = try await makeAccount(app, .procurementOfficer, email: "weg@doetinchem.nl")
            let user = Browser(app)
            #expect(try await user.login("weg@doetinchem.nl").status == .seeOther)
            #expect(try await apiRequest(app, .GET, "/api/v1/me", token: token).status == .ok)
            let administrator = Browser(app)
            #expect(try await administrator.login(admin).status == .seeOther)
            let id = try #require(try await UserRecord.query(on: app.db).filter(\.$email == "weg@doetinchem.nl").first()?.id)
            try await administrator.get("/beheer/gebruikers")
            #expect(try await administrator.post("/beheer/gebruikers/\(id.uuidString)/actief", form: ["active": "nee", "reason": "uit dienst"]).status == .seeOther)
            #expect(try await user.get("/aanbestedingen").status == .seeOther)
            #expect(try await apiRequest(app, .GET, "/api/v1/me", token: token).status == .unauthorized)
            #expect(try await AuditEntryRecord.query(on: app.db).filter(\.$action == "user.deactivated").count() == 1)
            let selfID = try #require(try await UserRecord.query(on: app.db).filter(\.$email == admin).first()?.id)
            #expect(try await administrator.post("/beheer/gebruikers/\(selfID.uuidString)/actief", form: ["active": "nee"]).status == .unprocessableEntity)
            #expect(try await administrator.post("/beheer/gebruikers/\(id.uuidString)/actief", form: ["active": "ja"]).status == .seeOther)
            #expect(try await apiRequest(app, .GET, "/api/v1/me", token: token).status == .ok)
        }
    }
}

/// One TCP connection, written and read as raw HTTP/1.1: the way to see what a client that reuses
/// its connection gets, which an HTTP library may hide by opening a new one.
enum RawConnection {
    /// Sends each message in turn on one connection and returns the status line and headers of each
    /// response that arrives (each read waits at most 30 seconds).
    static func exchange(port: Int, _ messages: [[UInt8]], expectResponses: Int) async throws -> [String] {
        try await blocking { try exchange(port: port, messages, expectResponses: expectResponses, readTimeout: 30) }
    }

    static func exchange(port: Int, _ messages: [[UInt8]], expectResponses: Int, readTimeout: Int) throws -> [String] {
        do {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw Abort(.internalServerError, reason: "no socket") }
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { throw Abort(.internalServerError, reason: "no connection") }
            var timeout = timeval(tv_sec: readTimeout, tv_usec: 0)  // generous by default: the suite runs tests in parallel on two cores
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var received: [UInt8] = []
            for message in messages {
                var offset = 0
                while offset < message.count {
                    let sent = message[offset...].withUnsafeBytes { send(fd, $0.baseAddress, min($0.count, 65_536), Int32(MSG_NOSIGNAL)) }
                    guard sent > 0 else { break }
                    offset += sent
                }
            }
            var buffer = [UInt8](repeating: 0, count: 65_536)
            for _ in 0..<200 {
                let n = recv(fd, &buffer, buffer.count, 0)
                guard n > 0 else { break }
                received += buffer[0..<n]
                if String(decoding: received, as: UTF8.self).components(separatedBy: "HTTP/1.1 ").count - 1 >= expectResponses { break }
            }
            return String(decoding: received, as: UTF8.self).components(separatedBy: "HTTP/1.1 ").dropFirst().map { "HTTP/1.1 " + $0 }
        }
    }
}
