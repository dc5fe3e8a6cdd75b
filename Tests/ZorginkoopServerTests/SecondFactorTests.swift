import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting
@testable import ZorginkoopServer

@Suite("Second factor: TOTP with recovery codes, over real HTTP")
struct SecondFactorTests {
    @Test("TOTP codes are RFC 6238's (its SHA-1 test vectors, six digits) and base32 keys read back")
    func rfc6238Vectors() {
        let secret = Data("12345678901234567890".utf8)
        let vectors: [(TimeInterval, String)] = [(59, "287082"), (1_111_111_109, "081804"), (1_111_111_111, "050471"),
                                                 (1_234_567_890, "005924"), (2_000_000_000, "279037"), (20_000_000_000, "353130")]
        for (time, code) in vectors {
            #expect(TOTP.code(secret: secret, step: TOTP.step(at: Date(timeIntervalSince1970: time))) == code)
        }
        #expect(Base32.encode(secret) == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        #expect(Base32.decode("GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ") == secret)
        // One step either side is accepted; a step at or before the last accepted one is not.
        let now = Date(timeIntervalSince1970: 1_111_111_111)
        let step = TOTP.step(at: now)
        #expect(TOTP.acceptedStep(for: TOTP.code(secret: secret, step: step - 1), secret: secret, at: now, after: nil) == step - 1)
        #expect(TOTP.acceptedStep(for: TOTP.code(secret: secret, step: step - 2), secret: secret, at: now, after: nil) == nil)
        #expect(TOTP.acceptedStep(for: TOTP.code(secret: secret, step: step), secret: secret, at: now, after: step) == nil)
        #expect(TOTP.acceptedStep(for: "12345", secret: secret, at: now, after: nil) == nil)
    }

    @Test("Officers, officials, assessors and administrators set up an app before anything else; providers, finance consultants and auditors need not")
    func requiredForTheRolesThatDecide() async throws {
        try await withApp { app in
            for role in Role.allCases {
                let email = try await makeUser(app, role, email: "\(role.rawValue)@tweestaps.nl")
                let browser = Browser(app)
                try await browser.get("/inloggen")
                #expect(try await browser.post("/inloggen", form: ["email": email, "password": testPassword]).status == .seeOther)
                let page = try await browser.get("/aanbestedingen")
                if role.requiresSecondFactor {
                    #expect(page.status == .seeOther && page.headers.first(name: .location) == "/account/tweestapsverificatie", "\(role)")
                } else {
                    #expect(page.headers.first(name: .location) != "/account/tweestapsverificatie", "\(role)")
                }
            }
            #expect(Set(Role.allCases.filter(\.requiresSecondFactor)) == [.procurementOfficer, .municipalityOfficial, .assessor, .administrator])
        }
    }

    @Test("Setting up: a wrong code is refused next to the field; the right one turns it on, shows ten recovery codes once, and the key is stored sealed")
    func setUp() async throws {
        try await withApp { app in
            let email = try await makeUser(app, .assessor)
            let browser = Browser(app)
            try await browser.get("/inloggen")
            try await browser.post("/inloggen", form: ["email": email, "password": testPassword])
            let page = try await browser.get("/account/tweestapsverificatie").body.string
            #expect(page.contains("otpauth://totp/Zorginkoop:"))
            let wrong = try await browser.post("/account/tweestapsverificatie", form: ["code": "000000"])
            #expect(wrong.status == .unprocessableEntity && wrong.body.string.contains("id=\"code-fout\"") && wrong.body.string.contains("Deze code klopt niet"))
            // The same key after a reload, so the one already in the app keeps working.
            #expect(try await browser.get("/account/tweestapsverificatie").body.string.contains(keyOf(page)))
            let done = try await browser.setUpAuthenticator(email)
            let codes = done.body.string.matches(of: /<li><code>([a-z2-7]{5}-[a-z2-7]{5})<\/code><\/li>/).map { String($0.1) }
            #expect(codes.count == 10 && Set(codes).count == 10)
            #expect(try await browser.get("/aanbestedingen").status == .ok)
            #expect(!(try await browser.get("/account/tweestapsverificatie").body.string.contains("<code>\(codes[0])</code>")))
            struct Row: Decodable { var totp_secret: Data? }
            let stored = try #require(try await (app.db as! any SQLDatabase).raw("SELECT totp_secret FROM users WHERE email = \(bind: email)").first(decoding: Row.self)?.totp_secret)
            let secret = try #require(Authenticators.of(app)[email])
            #expect(stored.count > secret.count && stored.range(of: secret) == nil)
            #expect(try await AuditEntryRecord.query(on: app.db).filter(\.$action == "user.second-factor-enabled").count() == 1)
        }
    }

    @Test("Login with a second factor: no session before the code; a wrong code is refused; a code works once; a recovery code works once")
    func loginWithCode() async throws {
        try await withApp { app in
            let time = TestClock(Date(timeIntervalSince1970: 1_900_000_000))
            app.clock = time.clock
            let email = try await makeUser(app, .procurementOfficer)
            let setUp = Browser(app)
            try await setUp.login(email)
            let codes = try await setUp.get("/account/tweestapsverificatie").body.string
            #expect(codes.contains("Tweestapsverificatie staat aan"))
            let secret = try #require(Authenticators.of(app)[email])
            // Thirty seconds on: the set-up's code is used; the next is due.
            time.set(Date(timeIntervalSince1970: 1_900_000_030))
            let browser = Browser(app)
            try await browser.get("/inloggen")
            let password = try await browser.post("/inloggen", form: ["email": email, "password": testPassword])
            #expect(password.status == .seeOther && password.headers.first(name: .location)?.hasPrefix("/inloggen/code") == true)
            let before = try await browser.get("/aanbestedingen")
            #expect(before.status == .seeOther && before.headers.first(name: .location)?.hasPrefix("/inloggen") == true)
            try await browser.get("/inloggen/code")
            let wrong = try await browser.post("/inloggen/code", form: ["code": "123456"])
            #expect(wrong.status == .unauthorized && wrong.body.string.contains("Deze code klopt niet"))
            let code = TOTP.code(secret: secret, step: TOTP.step(at: time.clock.now()))
            #expect(try await browser.post("/inloggen/code", form: ["code": code]).status == .seeOther)
            #expect(try await browser.get("/aanbestedingen").status == .ok)
            // The same code in another browser, in the same half minute: refused.
            let replay = Browser(app)
            try await replay.get("/inloggen")
            try await replay.post("/inloggen", form: ["email": email, "password": testPassword])
            try await replay.get("/inloggen/code")
            #expect(try await replay.post("/inloggen/code", form: ["code": code]).status == .unauthorized)
            // A recovery code instead: once.
            let renewed = try await browser.post("/account/tweestapsverificatie",
                                                 form: ["code": TOTP.code(secret: secret, step: TOTP.step(at: time.clock.now()) + 1)])
            let recovery = try #require(renewed.body.string.firstMatch(of: /<li><code>([a-z2-7]{5}-[a-z2-7]{5})<\/code><\/li>/).map { String($0.1) })
            #expect(try await replay.post("/inloggen/code", form: ["code": recovery.uppercased()]).status == .seeOther)
            #expect(try await replay.get("/aanbestedingen").status == .ok)
            let again = Browser(app)
            try await again.get("/inloggen")
            try await again.post("/inloggen", form: ["email": email, "password": testPassword])
            try await again.get("/inloggen/code")
            #expect(try await again.post("/inloggen/code", form: ["code": recovery]).status == .unauthorized)
            let audit = try await AuditEntryRecord.query(on: app.db).filter(\.$action ~~ ["login.second-factor", "login.second-factor-failed"]).all()
            #expect(audit.filter { $0.action == "login.second-factor" }.count == 2)
            #expect(audit.filter { $0.action == "login.second-factor-failed" }.count == 3)
            // The password alone is recorded as a first step, not as logged in.
            #expect(try await AuditEntryRecord.query(on: app.db).filter(\.$action == "login.password-accepted").count() == 3)
            #expect(try await AuditEntryRecord.query(on: app.db).filter(\.$action == "login.succeeded").count() == 1)
        }
    }

    @Test("Five wrong codes block the account's login for a quarter of an hour; a password accepted five minutes ago needs logging in again")
    func wrongCodesAreCounted() async throws {
        try await withApp { app in
            let time = TestClock(Date(timeIntervalSince1970: 1_900_000_000))
            app.clock = time.clock
            let email = try await makeUser(app, .municipalityOfficial)
            try await Browser(app).login(email)
            let late = Browser(app)
            try await late.get("/inloggen")
            try await late.post("/inloggen", form: ["email": email, "password": testPassword])
            time.set(Date(timeIntervalSince1970: 1_900_000_000 + SecondFactorController.codeWindow + 1))
            let expired = try await late.get("/inloggen/code")
            #expect(expired.status == .seeOther && expired.headers.first(name: .location) == "/inloggen")
            let browser = Browser(app)
            try await browser.get("/inloggen")
            try await browser.post("/inloggen", form: ["email": email, "password": testPassword])
            try await browser.get("/inloggen/code")
            for _ in 1...LoginService.maxFailures {
                #expect(try await browser.post("/inloggen/code", form: ["code": "999999"]).status == .unauthorized)
            }
            let blocked = try await browser.post("/inloggen/code", form: ["code": "999999"])
            #expect(blocked.status == .tooManyRequests)
            let fresh = Browser(app)
            try await fresh.get("/inloggen")
            #expect(try await fresh.post("/inloggen", form: ["email": email, "password": testPassword]).status == .tooManyRequests)
        }
    }

    @Test("An administrator removes a lost second factor: the account's sessions end, and its holder sets up a new app at the next login")
    func administratorRemoves() async throws {
        try await withApp { app in
            let time = TestClock(Date(timeIntervalSince1970: 1_900_000_000))
            app.clock = time.clock
            let admin = try await makeUser(app, .administrator)
            let email = try await makeUser(app, .procurementOfficer)
            let officer = Browser(app)
            try await officer.login(email)
            let beheer = Browser(app)
            try await beheer.login(admin)
            time.set(Date(timeIntervalSince1970: 1_900_000_060))
            let users = try await beheer.get("/beheer/gebruikers").body.string
            let user = try #require(try await UserRecord.query(on: app.db).filter(\.$email == email).first())
            let action = "/beheer/gebruikers/\(try user.requireID().uuidString)/tweestapsverificatie"
            #expect(users.contains(action))
            let unconfirmed = try await beheer.post(action, form: [:])
            #expect(unconfirmed.headers.first(name: .location)?.contains("melding=Vink") == true)
            #expect(try await SecondFactor.accountsWithSecondFactor(on: app.db).contains(try user.requireID()))
            #expect(try await beheer.post(action, form: ["bevestig": "ja"]).status == .seeOther)
            #expect(try await officer.get("/aanbestedingen").status == .seeOther)
            let again = Browser(app)
            try await again.get("/inloggen")
            let password = try await again.post("/inloggen", form: ["email": email, "password": testPassword])
            #expect(password.headers.first(name: .location) == "/")
            #expect(try await again.get("/").headers.first(name: .location) == "/account/tweestapsverificatie")
            #expect(try await AuditEntryRecord.query(on: app.db).filter(\.$action == "user.second-factor-removed").count() == 1)
        }
    }

    private func keyOf(_ page: String) -> String {
        page.firstMatch(of: /id="totp-key">([A-Z2-7 ]+)</).map { String($0.1) } ?? "-"
    }
}
