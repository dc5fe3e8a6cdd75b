import Crypto
import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Testing
import VaporTesting
import ZorginkoopCatalog
import ZorginkoopCore
@testable import ZorginkoopServer

/// A clock the test sets; optionally it moves on by `step` at every reading.
final class TestClock: Sendable {
    let state: NIOLockedValueBox<(now: Date, step: TimeInterval)>

    init(_ now: Date) { state = NIOLockedValueBox((now, 0)) }

    func set(_ date: Date, step: TimeInterval = 0) { state.withLockedValue { $0 = (date, step) } }

    var clock: AppClock {
        AppClock { [state] in
            state.withLockedValue { s in
                let now = s.now
                s.now = s.now.addingTimeInterval(s.step)
                return now
            }
        }
    }
}

/// A user with a token, in their own organisation when a provider.
func makeAccount(_ app: Application, _ role: Role, email: String, organisation: String? = nil) async throws -> String {
    try await Accounts.create(NewAccount(email: email, name: email, role: role, organisation: organisation, password: testPassword),
                              actor: "test", clock: app.clock, cost: app.zorginkoop.bcryptCost, on: app.db)
    let user = try await UserRecord.query(on: app.db).filter(\.$email == email).first()!
    let token = Tokens.generate()
    try await APITokenRecord(userID: try user.requireID(), name: "test", tokenHash: Tokens.digest(token)).create(on: app.db)
    return token
}

func iso(_ date: Date) -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return f.string(from: date)
}

func jsonObject(_ response: WebResponse) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(response.body.string.utf8)) as! [String: Any]
}

func jsonText<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    return String(decoding: try! encoder.encode(value), as: UTF8.self)
}

/// A tender of CRISIS (segment CRI) with Aalten's no-go, published at `t0`.
struct CrisisTender {
    static let t0 = Date(timeIntervalSince1970: 1_796_115_600)  // 2026-12-01 09:00 UTC
    static let code = "CRISIS-2026"
    static var questionDeadline: Date { t0.addingTimeInterval(86_400) }
    static var deadline: Date { t0.addingTimeInterval(10 * 86_400) }
    /// The published opening, half a minute after the deadline: the vault opens from then.
    static var opening: Date { deadline.addingTimeInterval(30) }

    /// The tender published by an officer, an hour into its question round (bids may be made):
    /// the test's clock and the officer's token.
    static func openForBids(_ app: Application) async throws -> (time: TestClock, officer: String) {
        let time = TestClock(t0.addingTimeInterval(-3600))
        app.clock = time.clock
        let officer = try await makeAccount(app, .procurementOfficer, email: "inkoper1@doetinchem.nl")
        try await create(app, officer: officer)
        time.set(t0.addingTimeInterval(3600))
        return (time, officer)
    }

    static func create(_ app: Application, officer: String) async throws {
        let body = """
        {"designTender": "CRISIS", "name": "Crisis Jeugdhulp 2027", "subSegments": ["CRI-AMB", "CRI-VBL"],
         "noGo": [{"segment": "CRI", "municipality": "aalten"}],
         "timeline": {"publication": "\(iso(t0))", "questionDeadlines": ["\(iso(questionDeadline))"],
                      "submissionDeadline": "\(iso(deadline))", "opening": "\(iso(opening))"}}
        """
        let created = try await apiRequest(app, .POST, "/api/v1/tenders", token: officer, json: body)
        #expect(created.status == .created, "\(created.body.string)")
        let published = try await apiRequest(app, .POST, "/api/v1/tenders/\(code)/publication", token: officer)
        #expect(published.status == .ok, "\(published.body.string)")
    }

    /// A complete bid on CRI-AMB with a marker in its dossier, so a dump can be searched for it.
    static func content(marker: String) throws -> BidContent {
        let design = try Catalog.bundledDesign("achterhoek-2026")
        let scope = TenderScope(design: design, tender: "CRISIS", subSegments: ["CRI-AMB", "CRI-VBL"], noGo: [])
        var content = BidContent(subSegments: ["CRI-AMB"], transport: design.transportOptions.first?.code)
        for r in scope.requirements(for: ["CRI-AMB"]) {
            content.declarations[r.code] = RequirementDeclaration(status: .met, evidence: "Zie bijlage \(r.code)")
        }
        for c in scope.criteria(for: ["CRI-AMB"]) { content.dossier[c.code] = "Onze aanpak \(marker) voor \(c.name)." }
        return content
    }
}

/// A PDF-looking document of `size` bytes: "%PDF-" then pseudo-random bytes.
func pdfBytes(_ size: Int, seed: UInt8 = 7) -> [UInt8] {
    var bytes = Array("%PDF-1.7\n".utf8)
    var x = UInt32(seed) &* 2_654_435_761
    while bytes.count < size {
        x = x &* 1_103_515_245 &+ 12345
        bytes.append(UInt8(truncatingIfNeeded: x >> 16))
    }
    return bytes
}

func upload(_ app: Application, token: String, purpose: String = "general", name: String, bytes: [UInt8]) async throws -> WebResponse {
    var headers = HTTPHeaders()
    headers.bearerAuthorization = .init(token: token)
    headers.contentType = .binary
    let path = "/api/v1/tenders/\(CrisisTender.code)/bid/documents?purpose=\(purpose)&name=\(name.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
    return try await LiveServer.of(app).send(.POST, path, headers: headers, body: ByteBuffer(bytes: bytes))
}

@Suite("Tenders, bids and the sealed vault")
struct ProcurementTests {
    @Test("From publication to the opened vault: receipts, the deadline to the millisecond, two officers, digests")
    func publicationToOpenedVault() async throws {
        try await withApp { app in
            let time = TestClock(CrisisTender.t0.addingTimeInterval(-3600))
            app.clock = time.clock
            let officer = try await makeAccount(app, .procurementOfficer, email: "inkoper1@doetinchem.nl")
            let officer2 = try await makeAccount(app, .procurementOfficer, email: "inkoper2@doetinchem.nl")
            let providerA = try await makeAccount(app, .provider, email: "a@zorg-a.nl", organisation: "Zorg A")
            let providerB = try await makeAccount(app, .provider, email: "b@zorg-b.nl", organisation: "Zorg B")

            // Unpublished tenders are invisible to providers.
            let body = """
            {"designTender": "CRISIS", "name": "Crisis Jeugdhulp 2027", "subSegments": ["CRI-AMB", "CRI-VBL"], "noGo": [{"segment": "CRI", "municipality": "aalten"}],
             "timeline": {"publication": "\(iso(CrisisTender.t0))", "questionDeadlines": ["\(iso(CrisisTender.questionDeadline))"],
                          "submissionDeadline": "\(iso(CrisisTender.deadline))", "opening": "\(iso(CrisisTender.deadline))"}}
            """
            #expect(try await apiRequest(app, .POST, "/api/v1/tenders", token: officer, json: body).status == .created)
            #expect(try await apiRequest(app, .GET, "/api/v1/tenders/\(CrisisTender.code)", token: providerA).status == .notFound)
            #expect(try await apiRequest(app, .POST, "/api/v1/tenders/\(CrisisTender.code)/publication", token: officer).status == .ok)
            time.set(CrisisTender.t0.addingTimeInterval(7200))
            let seen = try jsonObject(try await apiRequest(app, .GET, "/api/v1/tenders/\(CrisisTender.code)", token: providerA))
            #expect(seen["phase"] as? String == "open")

            // After publication the design is frozen: a change of sub-segments is refused, a new deadline is a correction.
            let frozen = try await apiRequest(app, .PUT, "/api/v1/tenders/\(CrisisTender.code)", token: officer,
                                              json: body.replacingOccurrences(of: "\"noGo\"", with: "\"explanation\": \"x\", \"noGo\"").replacingOccurrences(of: "[\"CRI-AMB\", \"CRI-VBL\"]", with: "[]"))
            #expect(frozen.status == .unprocessableEntity)

            // Provider A: draft, documents (type by content), submission with receipt.
            let secret = "GEHEIM-\(UUID().uuidString.prefix(8))"
            #expect(try await apiRequest(app, .PUT, "/api/v1/tenders/\(CrisisTender.code)/bid", token: providerA,
                                         json: jsonText(try CrisisTender.content(marker: secret))).status == .ok)
            let pdf = pdfBytes(700_000) + Array(secret.utf8)
            let stored = try await upload(app, token: providerA, purpose: "requirement:KWALITEIT", name: "keurmerk.pdf", bytes: pdf)
            #expect(stored.status == .created, "\(stored.body.string)")
            let document = try jsonObject(stored)
            #expect(document["sha256"] as? String == SHA256.hash(data: Data(pdf)).map { String(format: "%02x", $0) }.joined())
            let fake = try await upload(app, token: providerA, name: "nep.pdf", bytes: Array("dit is geen pdf".utf8))
            #expect(fake.status == .unsupportedMediaType)
            #expect(fake.headers.contentType?.subType == "problem+json")
            #expect(try await BidDocumentRecord.query(on: app.db).count() == 1)

            #expect(try await apiRequest(app, .POST, "/api/v1/tenders/\(CrisisTender.code)/bid/submission", token: providerA, json: "{}").status == .unprocessableEntity)
            let receiptResponse = try await apiRequest(app, .POST, "/api/v1/tenders/\(CrisisTender.code)/bid/submission", token: providerA, json: #"{"confirm": true}"#)
            #expect(receiptResponse.status == .created, "\(receiptResponse.body.string)")
            let receipt = try jsonObject(receiptResponse)
            let digest = try #require(receipt["digest"] as? String)
            #expect(digest.count == 64)
            #expect((receipt["documents"] as? [[String: Any]])?.first?["sha256"] as? String == document["sha256"] as? String)

            // B sees nothing of A's bid.
            let bView = try await apiRequest(app, .GET, "/api/v1/tenders/\(CrisisTender.code)/bid", token: providerB)
            #expect(try jsonObject(bView)["status"] as? String == "none")
            #expect(!bView.body.string.contains(secret))
            let documentID = try #require(document["id"] as? String)
            #expect(try await apiRequest(app, .GET, "/api/v1/tenders/\(CrisisTender.code)/bid/documents/\(documentID)", token: providerB).status == .notFound)

            // The sealed vault: no officer reads it, and the database holds no plain text of the bid.
            #expect(try await apiRequest(app, .GET, "/api/v1/tenders/\(CrisisTender.code)/bids", token: officer).status == .forbidden)
            try await expectNoPlaintext(secret, in: app)

            // The deadline is the server's, to the millisecond: B completes 1 ms before, A's resubmission completes 1 ms after.
            #expect(try await apiRequest(app, .PUT, "/api/v1/tenders/\(CrisisTender.code)/bid", token: providerB,
                                         json: jsonText(try CrisisTender.content(marker: "B"))).status == .ok)
            time.set(CrisisTender.deadline.addingTimeInterval(-0.001))
            #expect(try await apiRequest(app, .POST, "/api/v1/tenders/\(CrisisTender.code)/bid/submission", token: providerB, json: #"{"confirm": true}"#).status == .created)
            time.set(CrisisTender.deadline.addingTimeInterval(-0.0005), step: 0.001)
            let late = try await apiRequest(app, .POST, "/api/v1/tenders/\(CrisisTender.code)/bid/submission", token: providerA, json: #"{"confirm": true}"#)
            #expect(late.status == .conflict)
            #expect(late.body.string.contains("geweigerd"))
            #expect(try await AuditEntryRecord.query(on: app.db).filter(\.$action == "bid.refused-late").count() == 1)
            #expect(try await BidSubmissionRecord.query(on: app.db).count() == 2)

            // Two different officers open the vault, after the deadline.
            time.set(CrisisTender.deadline.addingTimeInterval(60))
            let first = try await apiRequest(app, .POST, "/api/v1/tenders/\(CrisisTender.code)/vault/confirmations", token: officer)
            #expect(first.status == .accepted)
            #expect(try await apiRequest(app, .POST, "/api/v1/tenders/\(CrisisTender.code)/vault/confirmations", token: officer).status == .conflict)
            #expect(try await apiRequest(app, .GET, "/api/v1/tenders/\(CrisisTender.code)/bids", token: officer).status == .forbidden)
            time.set(CrisisTender.deadline.addingTimeInterval(120))
            #expect(try await apiRequest(app, .POST, "/api/v1/tenders/\(CrisisTender.code)/vault/confirmations", token: officer2).status == .ok)
            let opened = try await apiRequest(app, .GET, "/api/v1/tenders/\(CrisisTender.code)/bids", token: officer)
            let bids = try JSONSerialization.jsonObject(with: Data(opened.body.string.utf8)) as! [[String: Any]]
            #expect(bids.count == 2)
            let bidA = try #require(bids.first { $0["organisation"] as? String == "Zorg A" })
            #expect(bidA["digest"] as? String == digest)
            #expect(bidA["intact"] as? Bool == true)
            #expect(opened.body.string.contains(secret))
            let bidID = try #require(bidA["bid"] as? String)
            let download = try await apiRequest(app, .GET, "/api/v1/tenders/\(CrisisTender.code)/bids/\(bidID)/documents/\(documentID)", token: officer)
            #expect(Array(download.body.readableBytesView) == pdf)
            let browser = Browser(app)
            #expect(try await browser.login("inkoper2@doetinchem.nl").status == .seeOther)
            let page = try await browser.get("/aanbestedingen/\(CrisisTender.code)/kluis/documenten/\(documentID)")
            #expect(Array(page.body.readableBytesView) == pdf)
            #expect(try await browser.get("/aanbestedingen/\(CrisisTender.code)/kluis/documenten/\(UUID().uuidString)").status == .notFound)
            let opening = try #require(try await AuditEntryRecord.query(on: app.db).filter(\.$action == "vault.confirmation").sort(\.$seq, .descending).first())
            #expect(opening.details.contains(digest))
            #expect(opening.details.contains("inkoper1@doetinchem.nl en inkoper2@doetinchem.nl"))
        }
    }

    func expectNoPlaintext(_ secret: String, in app: Application) async throws {
        struct Blob: Decodable { var data: Data }
        let sql = app.db as! any SQLDatabase
        var blobs: [Data] = []
        blobs += try await sql.raw("SELECT draft AS data FROM bids").all(decoding: Blob.self).map(\.data)
        blobs += try await sql.raw("SELECT content AS data FROM bid_submissions").all(decoding: Blob.self).map(\.data)
        blobs += try await sql.raw("SELECT data FROM document_chunks").all(decoding: Blob.self).map(\.data)
        #expect(blobs.count >= 3)
        let needle = Data(secret.utf8)
        for blob in blobs { #expect(blob.range(of: needle) == nil) }
        let texts = try await sql.raw("SELECT receipt AS data FROM bid_submissions").all(decoding: [String: String].self)
        for row in texts { #expect(!(row["data"] ?? "").contains(secret)) }
    }

    @Test("Questions under the contact ban: asked in the round, merged, answered to all in a numbered Nota without the asker")
    func questionsAndNota() async throws {
        try await withApp { app in
            let time = TestClock(CrisisTender.t0.addingTimeInterval(-3600))
            app.clock = time.clock
            let officer = try await makeAccount(app, .procurementOfficer, email: "inkoper1@doetinchem.nl")
            let providerA = try await makeAccount(app, .provider, email: "a@zorg-a.nl", organisation: "Zorg A")
            let providerB = try await makeAccount(app, .provider, email: "b@zorg-b.nl", organisation: "Zorg B")
            try await CrisisTender.create(app, officer: officer)
            time.set(CrisisTender.t0.addingTimeInterval(3600))
            let path = "/api/v1/tenders/\(CrisisTender.code)"
            let qa = try jsonObject(try await apiRequest(app, .POST, "\(path)/questions", token: providerA,
                                                         json: #"{"text": "Wat is de maximale wachttijd? (Zorg A)", "documentReference": "Bestek", "section": "3.2"}"#))
            let qb = try jsonObject(try await apiRequest(app, .POST, "\(path)/questions", token: providerB, json: #"{"text": "Hoe lang mag de wachttijd zijn?"}"#))
            #expect(try await apiRequest(app, .POST, "\(path)/questions", token: providerB, json: #"{"text": "  "}"#).status == .unprocessableEntity)
            let mine = try await apiRequest(app, .GET, "\(path)/questions", token: providerB)
            #expect(!mine.body.string.contains("Zorg A"))
            // Publishing while the round is open is refused; so is a question after its close.
            #expect(try await apiRequest(app, .POST, "\(path)/notas", token: officer, json: #"{"round": 1}"#).status == .conflict)
            time.set(CrisisTender.questionDeadline)
            #expect(try await apiRequest(app, .POST, "\(path)/questions", token: providerB, json: #"{"text": "Te laat"}"#).status == .conflict)
            let idA = qa["id"] as! String, idB = qb["id"] as! String
            #expect(try await apiRequest(app, .POST, "\(path)/notas", token: officer, json: #"{"round": 1}"#).status == .unprocessableEntity)
            #expect(try await apiRequest(app, .PUT, "\(path)/questions/\(idA)", token: officer,
                                         json: #"{"wording": "Wat is de maximale wachttijd?", "answer": "Vijf werkdagen."}"#).status == .ok)
            #expect(try await apiRequest(app, .PUT, "\(path)/questions/\(idB)", token: officer,
                                         json: "{\"wording\": \"\", \"answer\": \"\", \"mergedInto\": \"\(idA)\"}").status == .ok)
            let published = try await apiRequest(app, .POST, "\(path)/notas", token: officer, json: #"{"round": 1}"#)
            #expect(published.status == .created, "\(published.body.string)")
            let nota = try jsonObject(try await apiRequest(app, .GET, "\(path)/notas/1", token: providerB))
            let entries = try #require(nota["entries"] as? [[String: Any]])
            #expect(entries.count == 1)
            #expect(entries[0]["number"] as? String == "1.1")
            #expect(entries[0]["questionsAnswered"] as? Int == 2)
            #expect(entries[0]["answer"] as? String == "Vijf werkdagen.")
            let text = try await apiRequest(app, .GET, "\(path)/notas/1", token: providerA).body.string
            #expect(!text.contains("Zorg A") && !text.contains("a@zorg-a.nl") && !text.contains("b@zorg-b.nl"))
            #expect(try await apiRequest(app, .POST, "\(path)/notas", token: officer, json: #"{"round": 1}"#).status == .conflict)
            // Every provider is notified at the same moment.
            let notes = try await NotificationRecord.query(on: app.db).filter(\.$link == "/aanbestedingen/\(CrisisTender.code)/nota/1").all()
            #expect(notes.count == 2)
            #expect(Set(notes.map(\.createdAt)).count == 1)
            // The page searches; the export opens in a spreadsheet.
            let browser = Browser(app)
            _ = try await makeUser(app, .municipalityOfficial)
            #expect(try await browser.login("municipality-official@test.nl").status == .seeOther)
            let found = try await browser.get("/aanbestedingen/\(CrisisTender.code)/nota/1?zoek=werkdagen")
            #expect(found.body.string.contains("1 van 1 antwoorden"))
            let none = try await browser.get("/aanbestedingen/\(CrisisTender.code)/nota/1?zoek=fietsen")
            #expect(none.body.string.contains("0 van 1 antwoorden"))
            let csv = try await browser.get("/aanbestedingen/\(CrisisTender.code)/nota/1/export.csv")
            #expect(csv.headers.contentType?.subType == "csv")
            #expect(csv.body.string.contains("1.1;Bestek;3.2;Wat is de maximale wachttijd?;Vijf werkdagen.;2"))
        }
    }

    @Test("Providers see only their own: bid pages, documents, receipts and questions of another organisation stay out of reach")
    func providersSeeOnlyTheirOwn() async throws {
        try await withApp { app in
            let time = TestClock(CrisisTender.t0.addingTimeInterval(-3600))
            app.clock = time.clock
            let officer = try await makeAccount(app, .procurementOfficer, email: "inkoper1@doetinchem.nl")
            let providerA = try await makeAccount(app, .provider, email: "a@zorg-a.nl", organisation: "Zorg A")
            _ = try await makeAccount(app, .provider, email: "b@zorg-b.nl", organisation: "Zorg B")
            try await CrisisTender.create(app, officer: officer)
            time.set(CrisisTender.t0.addingTimeInterval(3600))
            let secret = "ALLEEN-A-\(UUID().uuidString.prefix(6))"
            _ = try await apiRequest(app, .PUT, "/api/v1/tenders/\(CrisisTender.code)/bid", token: providerA, json: jsonText(try CrisisTender.content(marker: secret)))
            let doc = try jsonObject(try await upload(app, token: providerA, name: "plan.pdf", bytes: pdfBytes(2000)))
            #expect(try await apiRequest(app, .POST, "/api/v1/tenders/\(CrisisTender.code)/bid/submission", token: providerA, json: #"{"confirm": true}"#).status == .created)
            _ = try await apiRequest(app, .POST, "/api/v1/tenders/\(CrisisTender.code)/questions", token: providerA, json: "{\"text\": \"Vraag \(secret)\"}")
            let browser = Browser(app)
            #expect(try await browser.login("b@zorg-b.nl").status == .seeOther)
            let id = doc["id"] as! String
            let base = "/aanbestedingen/\(CrisisTender.code)"
            for path in ["\(base)/inschrijving", "\(base)/inschrijving/indienen", "\(base)/vragen", "\(base)", "/meldingen", "/organisatie"] {
                let page = try await browser.get(path)
                #expect(page.status == .ok, "\(path)")
                #expect(!page.body.string.contains(secret), "\(path)")
                #expect(!page.body.string.contains("Zorg A"), "\(path)")
            }
            for path in ["\(base)/inschrijving/documenten/\(id)", "\(base)/inschrijving/ontvangstbewijs/1"] {
                #expect(try await browser.get(path).status == .notFound, "\(path)")
            }
            #expect(try await browser.get("\(base)/kluis").status == .forbidden)
            #expect(try await browser.post("\(base)/inschrijving/documenten/\(id)/verwijderen", form: [:]).status == .notFound)
            #expect(try await BidDocumentRecord.query(on: app.db).filter(\.$removed == true).count() == 0)
        }
    }

    @Test("A provider registers with a valid KvK number and AGB code; bad ones get a Dutch message next to the field")
    func providerRegistration() async throws {
        try await withApp { app in
            let browser = Browser(app)
            try await browser.get("/aanbieders/registreren")
            let form = ["organisation": "Zorg Nieuw", "kvkNumber": "1234567", "agbCode": "99000001", "name": "Piet", "email": "piet@zorgnieuw.nl",
                        "password": "lang-genoeg-wachtwoord"]
            let bad = try await browser.post("/aanbieders/registreren", form: form)
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("id=\"kvkNumber-fout\">KvK-nummer: een KvK-nummer bestaat uit precies 8 cijfers"))
            #expect(bad.body.string.contains("id=\"agbCode-fout\""))
            #expect(try await OrganisationRecord.query(on: app.db).count() == 0)
            var good = form
            good["kvkNumber"] = "12345678"
            good["agbCode"] = "41012345"
            #expect(try await browser.post("/aanbieders/registreren", form: good).status == .seeOther)
            let org = try #require(try await OrganisationRecord.query(on: app.db).filter(\.$name == "Zorg Nieuw").first())
            #expect(org.kvkNumber == "12345678" && org.agbCode == "41012345")
            #expect(try await AuditEntryRecord.query(on: app.db).filter(\.$action == "provider.registered").count() == 1)
        }
    }
}
