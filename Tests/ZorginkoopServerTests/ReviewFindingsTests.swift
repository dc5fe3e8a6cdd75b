import Fluent
import SQLKit
import Foundation
import Testing
import VaporTesting
import ZorginkoopCore
@testable import ZorginkoopServer

@Suite("Guards found in review: uploads, deadlines, answers, approvals")
struct ReviewFindingsTests {
    static func providerAtBid(_ app: Application, _ time: TestClock) async throws -> (officer: String, provider: Browser) {
        let officer = try await makeAccount(app, .procurementOfficer, email: "inkoper1@doetinchem.nl")
        _ = try await makeAccount(app, .provider, email: "a@zorg-a.nl", organisation: "Zorg A")
        try await CrisisTender.create(app, officer: officer)
        time.set(CrisisTender.t0.addingTimeInterval(3600))
        let browser = Browser(app)
        #expect(try await browser.login("a@zorg-a.nl").status == .seeOther)
        try await browser.get("/aanbestedingen/\(CrisisTender.code)/inschrijving")
        return (officer, browser)
    }

    func rawMultipart(_ browser: Browser, _ body: String, boundary: String = "xyz") async throws -> WebResponse {
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        return try await browser.send(.POST, "/aanbestedingen/\(CrisisTender.code)/inschrijving/documenten", headers: headers, body: ByteBuffer(string: body))
    }

    @Test("A streamed upload cut off inside the file, an oversized text field or a malformed body stores nothing and answers 4xx")
    func streamedUploadGuards() async throws {
        try await withApp { app in
            let time = TestClock(CrisisTender.t0.addingTimeInterval(-3600))
            app.clock = time.clock
            let (_, browser) = try await Self.providerAtBid(app, time)
            let csrf = browser.csrf!
            let truncated = "--xyz\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(csrf)\r\n--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.7 en dan houdt het op"
            #expect(try await rawMultipart(browser, truncated).status == .badRequest)
            let huge = "--xyz\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n" + String(repeating: "x", count: 70_000) + "\r\n--xyz--\r\n"
            #expect(try await rawMultipart(browser, huge).status == .payloadTooLarge)
            #expect(try await rawMultipart(browser, "geen multipart", boundary: "xyz").status.code < 500)
            #expect(try await BidDocumentRecord.query(on: app.db).count() == 0)
            #expect(try await (app.db as! any SQLDatabase).select().column("seq").from("document_chunks").all().isEmpty)
        }
    }

    @Test("After publication the deadline may move later, never earlier")
    func deadlineNotShortened() async throws {
        try await withApp { app in
            let time = TestClock(CrisisTender.t0.addingTimeInterval(-3600))
            app.clock = time.clock
            let (officer, _) = try await Self.providerAtBid(app, time)
            func body(_ deadline: Date) -> String {
                """
                {"name": "Crisis Jeugdhulp 2027", "subSegments": ["CRI-AMB", "CRI-VBL"], "noGo": [{"segment": "CRI", "municipality": "aalten"}],
                 "explanation": "Planning aangepast",
                 "timeline": {"publication": "\(iso(CrisisTender.t0))", "questionDeadlines": ["\(iso(CrisisTender.questionDeadline))"],
                              "submissionDeadline": "\(iso(deadline))", "opening": "\(iso(deadline.addingTimeInterval(3600)))"}}
                """
            }
            let earlier = try await apiRequest(app, .PUT, "/api/v1/tenders/\(CrisisTender.code)", token: officer, json: body(CrisisTender.t0.addingTimeInterval(2 * 86_400)))
            #expect(earlier.status == .unprocessableEntity)
            #expect(earlier.body.string.contains("alleen later"))
            #expect(try await apiRequest(app, .PUT, "/api/v1/tenders/\(CrisisTender.code)", token: officer,
                                         json: body(CrisisTender.deadline.addingTimeInterval(86_400))).status == .ok)
        }
    }

    @Test("A provider never sees the draft answer to its own question before the Nota is published")
    func noDraftAnswerForTheAsker() async throws {
        try await withApp { app in
            let time = TestClock(CrisisTender.t0.addingTimeInterval(-3600))
            app.clock = time.clock
            let (officer, _) = try await Self.providerAtBid(app, time)
            let provider = try await makeAccount(app, .provider, email: "b@zorg-b.nl", organisation: "Zorg B")
            let path = "/api/v1/tenders/\(CrisisTender.code)/questions"
            let question = try jsonObject(try await apiRequest(app, .POST, path, token: provider, json: #"{"text": "Mag het ook digitaal?"}"#))
            let id = question["id"] as! String
            #expect(try await apiRequest(app, .PUT, "\(path)/\(id)", token: officer, json: #"{"wording": "Mag het digitaal?", "answer": "GEHEIM-ANTWOORD"}"#).status == .ok)
            #expect(!(try await apiRequest(app, .GET, path, token: provider).body.string.contains("GEHEIM-ANTWOORD")))
            let browser = Browser(app)
            #expect(try await browser.login("b@zorg-b.nl").status == .seeOther)
            let page = try await browser.get("/aanbestedingen/\(CrisisTender.code)/vragen").body.string
            #expect(!page.contains("GEHEIM-ANTWOORD") && !page.contains("Antwoord in concept"))
        }
    }

    @Test("A municipality's later go withdraws its earlier no-go")
    func laterGoWithdrawsNoGo() {
        let at = Date()
        var state = TenderAward()
        state.approvals = [.init(municipality: "berkelland", noGoSegments: ["CRI"], reason: "vergissing", by: "x", at: at),
                           .init(municipality: "berkelland", noGoSegments: [], reason: "", by: "x", at: at.addingTimeInterval(60)),
                           .init(municipality: "winterswijk", noGoSegments: ["CRI"], reason: "eigen aanbod", by: "y", at: at)]
        #expect(state.noGo == [NoGo(segment: "CRI", municipality: "winterswijk")])
    }
}
