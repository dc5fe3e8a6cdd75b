import Crypto
import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting
import ZorginkoopCore
@testable import ZorginkoopServer

/// An XLSX-looking file: a ZIP local header naming the workbook, then `size` bytes in all.
func xlsxBytes(_ size: Int) -> [UInt8] {
    let name = Array("xl/workbook.xml".utf8)
    var bytes: [UInt8] = [0x50, 0x4B, 0x03, 0x04, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, UInt8(name.count), 0, 0, 0]
    bytes += name + Array("data".utf8)
    while bytes.count < size { bytes.append(UInt8(truncatingIfNeeded: bytes.count &* 31)) }
    return bytes
}

@Suite("Tender documents: attached by officers, downloaded with their SHA-256, corrected for all, cited in questions")
struct TenderDocumentsTests {
    static let code = CrisisTender.code
    static let page = "/aanbestedingen/\(CrisisTender.code)"

    /// The tender of `CrisisTender`, created but not yet published.
    static func draft(_ app: Application, officer: String) async throws {
        let t0 = CrisisTender.t0
        let body = """
        {"designTender": "CRISIS", "name": "Crisis Jeugdhulp 2027", "subSegments": ["CRI-AMB", "CRI-VBL"],
         "timeline": {"publication": "\(iso(t0))", "questionDeadlines": ["\(iso(CrisisTender.questionDeadline))"],
                      "submissionDeadline": "\(iso(CrisisTender.deadline))", "opening": "\(iso(CrisisTender.opening))"}}
        """
        let created = try await apiRequest(app, .POST, "/api/v1/tenders", token: officer, json: body)
        #expect(created.status == .created, "\(created.body.string)")
    }

    static func sha256(_ body: ByteBuffer) -> String { SHA256.hash(data: Data(body.readableBytesView)).hex }

    static func counts(_ app: Application) async throws -> (documents: Int, versions: Int, chunks: Int) {
        struct Row: Decodable { var n: Int }
        let chunks = try await (app.db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM tender_document_chunks").first(decoding: Row.self)?.n ?? -1
        return (try await TenderDocumentRecord.query(on: app.db).count(), try await TenderDocumentVersionRecord.query(on: app.db).count(), chunks)
    }

    @Test("An officer attaches a PDF selection guide and an XLSX before publication; a wrong type, a text named .pdf and an empty title are refused next to their field and nothing is stored")
    func officerAttachesDocuments() async throws {
        try await withApp { app in
            let time = TestClock(CrisisTender.t0.addingTimeInterval(-3600))
            app.clock = time.clock
            let officer = try await makeAccount(app, .procurementOfficer, email: "inkoper1@doetinchem.nl")
            try await Self.draft(app, officer: officer)
            let browser = Browser(app)
            #expect(try await browser.login("inkoper1@doetinchem.nl").status == .seeOther)
            #expect(try await browser.get(Self.page).body.string.contains("Document toevoegen"))
            let guide = pdfBytes(700_000)
            let stored = try await browser.postMultipart("\(Self.page)/documenten", fields: [("title", "Selectieleidraad"), ("kind", "selection-guide")],
                                                         file: ("file", "selectieleidraad.pdf", guide))
            #expect(stored.status == .seeOther, "\(stored.body.string.components(separatedBy: "error-message").dropFirst().map { $0.prefix(200) })")
            let sheet = xlsxBytes(20_000)
            #expect(try await browser.postMultipart("\(Self.page)/documenten", fields: [("title", "Tarievenblad"), ("kind", "other")],
                                                    file: ("file", "tarieven.xlsx", sheet)).status == .seeOther)
            // Before publication a new version needs no reason and is no correction.
            #expect(try await browser.postMultipart("\(Self.page)/documenten/2/vervangen", fields: [],
                                                    file: ("file", "tarieven-v2.xlsx", xlsxBytes(21_000))).status == .seeOther)
            let before = try await Self.counts(app)
            #expect(before == (2, 3, 4))

            let program = try await browser.postMultipart("\(Self.page)/documenten", fields: [("title", "Programma"), ("kind", "other")],
                                                          file: ("file", "setup.exe", [0x4D, 0x5A, 0x90, 0x00] + Array(repeating: 0, count: 2000)))
            #expect(program.status == .unsupportedMediaType)
            #expect(program.body.string.contains(#"id="doc-file-fout">‘setup.exe’ is geen PDF, DOCX of XLSX"#))
            let text = try await browser.postMultipart("\(Self.page)/documenten", fields: [("title", "Programma van eisen"), ("kind", "programme-of-requirements")],
                                                       file: ("file", "pve.pdf", Array("Dit is gewoon tekst, geen PDF.".utf8)))
            #expect(text.status == .unsupportedMediaType)
            #expect(text.body.string.contains(#"id="doc-file-fout">‘pve.pdf’ is geen echt PDF-bestand"#))
            #expect(text.body.string.contains(#"value="Programma van eisen""#), "the title stays filled in")
            let untitled = try await browser.postMultipart("\(Self.page)/documenten", fields: [("title", "  "), ("kind", "other")],
                                                           file: ("file", "bijlage.pdf", pdfBytes(1000)))
            #expect(untitled.status == .unprocessableEntity)
            #expect(untitled.body.string.contains(#"id="doc-title-fout">geef het document een titel"#))
            #expect(try await Self.counts(app) == before, "nothing of a refused upload remains")

            // The page lists both with their number, kind, current version, size and digest.
            let page = try await browser.get(Self.page).body.string
            #expect(page.contains("Selectieleidraad") && page.contains("Bijlage") && page.contains(SHA256.hash(data: Data(guide)).hex))
            #expect(page.contains("\(Self.page)/documenten/2/versies/2") && page.contains("\(Self.page)/documenten/2/versies/1"))
            let audit = try await AuditEntryRecord.query(on: app.db).filter(\.$action == "tender.document.uploaded").all()
            #expect(audit.count == 3)
            #expect(audit.first?.details.contains(SHA256.hash(data: Data(guide)).hex) == true)
            #expect(try await NotificationRecord.query(on: app.db).count() == 0, "no correction before publication")
        }
    }

    @Test("A document over the size limit is refused while it streams, with the message next to the field, and none of its chunks remain")
    func tooLarge() async throws {
        try await withApp { app in
            let time = TestClock(CrisisTender.t0.addingTimeInterval(-3600))
            app.clock = time.clock
            let officer = try await makeAccount(app, .procurementOfficer, email: "inkoper1@doetinchem.nl")
            try await Self.draft(app, officer: officer)
            let browser = Browser(app)
            #expect(try await browser.login("inkoper1@doetinchem.nl").status == .seeOther)
            try await browser.get(Self.page)
            // The limit is the core's 50 MB (TenderDocumentRulesTests); here 2 MB, so that several chunks are stored before the refusal.
            app.tenderDocumentLimit = 2 * 1024 * 1024
            var big = Array("%PDF-1.7\n".utf8)
            big += [UInt8](repeating: 0x41, count: app.tenderDocumentLimit + 1 - big.count)
            let refused = try await browser.postMultipart("\(Self.page)/documenten", fields: [("title", "Bijlagen"), ("kind", "other")],
                                                          file: ("file", "groot.pdf", big))
            #expect(refused.status == .payloadTooLarge)
            #expect(refused.body.string.contains(#"id="doc-file-fout">‘groot.pdf’ is groter dan 2 MB"#))
            #expect(try await Self.counts(app) == (0, 0, 0))
            // The connection serves the next request.
            #expect(try await browser.get(Self.page).status == .ok)
        }
    }

    @Test("A provider downloads a document with the right type and name, and the SHA-256 shown equals the SHA-256 of the bytes; a draft tender's documents stay hidden")
    func providerDownloads() async throws {
        try await withApp { app in
            let time = TestClock(CrisisTender.t0.addingTimeInterval(-3600))
            app.clock = time.clock
            let officer = try await makeAccount(app, .procurementOfficer, email: "inkoper1@doetinchem.nl")
            _ = try await makeAccount(app, .provider, email: "a@zorg-a.nl", organisation: "Zorg A")
            try await Self.draft(app, officer: officer)
            let officerBrowser = Browser(app)
            #expect(try await officerBrowser.login("inkoper1@doetinchem.nl").status == .seeOther)
            try await officerBrowser.get(Self.page)
            let guide = pdfBytes(600_000, seed: 3)
            #expect(try await officerBrowser.postMultipart("\(Self.page)/documenten", fields: [("title", "Selectieleidraad"), ("kind", "selection-guide")],
                                                           file: ("file", "selectieleidraad.pdf", guide)).status == .seeOther)
            let provider = Browser(app)
            #expect(try await provider.login("a@zorg-a.nl").status == .seeOther)
            #expect(try await provider.get("\(Self.page)/documenten/1/versies/1").status == .notFound, "unpublished: not visible to providers")
            #expect(try await apiRequest(app, .POST, "/api/v1/tenders/\(Self.code)/publication", token: officer).status == .ok)
            time.set(CrisisTender.t0.addingTimeInterval(60))
            let page = try await provider.get(Self.page).body.string
            #expect(!page.contains("Document toevoegen"), "providers get no upload form")
            let download = try await provider.get("\(Self.page)/documenten/1/versies/1")
            #expect(download.status == .ok)
            #expect(Array(download.body.readableBytesView) == guide)
            let digest = Self.sha256(download.body)
            #expect(page.contains("<code class=\"digest\">\(digest)</code>"))
            #expect(download.headers.first(name: "X-Content-SHA256") == digest)
            #expect(download.headers.first(name: .contentType) == "application/pdf")
            #expect(download.headers.first(name: .contentDisposition) == "attachment; filename=\"selectieleidraad.pdf\"")
            // The API lists the documents with every version's SHA-256.
            let token = try await makeToken(app, .provider)
            let listed = try await apiRequest(app, .GET, "/api/v1/tenders/\(Self.code)/documents", token: token)
            let documents = try JSONSerialization.jsonObject(with: Data(listed.body.string.utf8)) as! [[String: Any]]
            #expect(documents.count == 1)
            #expect(documents.first?["kind"] as? String == "selection-guide")
            #expect((documents.first?["versions"] as? [[String: Any]])?.first?["sha256"] as? String == digest)
            let viaAPI = try await apiRequest(app, .GET, "/api/v1/tenders/\(Self.code)/documents/1/versions/1", token: token)
            #expect(Self.sha256(viaAPI.body) == digest)
        }
    }

    @Test("After publication a replacement without reason or confirmation is refused; with both it is correction 1, the old version stays downloadable and every provider is notified, in the app and by e-mail")
    func correctionAfterPublication() async throws {
        try await withApp { app in
            let time = TestClock(CrisisTender.t0.addingTimeInterval(-3600))
            app.clock = time.clock
            let officer = try await makeAccount(app, .procurementOfficer, email: "inkoper1@doetinchem.nl")
            _ = try await makeAccount(app, .provider, email: "a@zorg-a.nl", organisation: "Zorg A")
            _ = try await makeAccount(app, .provider, email: "b@zorg-b.nl", organisation: "Zorg B")
            try await Self.draft(app, officer: officer)
            let browser = Browser(app)
            #expect(try await browser.login("inkoper1@doetinchem.nl").status == .seeOther)
            try await browser.get(Self.page)
            let first = pdfBytes(50_000, seed: 1)
            #expect(try await browser.postMultipart("\(Self.page)/documenten", fields: [("title", "Selectieleidraad"), ("kind", "selection-guide")],
                                                    file: ("file", "selectieleidraad.pdf", first)).status == .seeOther)
            #expect(try await apiRequest(app, .POST, "/api/v1/tenders/\(Self.code)/publication", token: officer).status == .ok)
            time.set(CrisisTender.t0.addingTimeInterval(3600))
            let replace = "\(Self.page)/documenten/1/vervangen"
            let correctionForm = try await browser.get(Self.page).body.string
            #expect(correctionForm.contains("Rectificatie: document 1 vervangen"))
            let second = pdfBytes(60_000, seed: 2)
            let unexplained = try await browser.postMultipart(replace, fields: [("reason", " "), ("confirm", "ja")], file: ("file", "selectieleidraad-v2.pdf", second))
            #expect(unexplained.status == .unprocessableEntity)
            #expect(unexplained.body.string.contains(#"id="replace-1-reason-fout">na publicatie is een vervanging een rectificatie: geef de reden"#))
            let unconfirmed = try await browser.postMultipart(replace, fields: [("reason", "Paragraaf 2.3 was onvolledig.")],
                                                              file: ("file", "selectieleidraad-v2.pdf", second))
            #expect(unconfirmed.status == .unprocessableEntity)
            #expect(unconfirmed.body.string.contains(#"id="replace-1-confirm-fout">vink aan dat u deze rectificatie"#))
            #expect(unconfirmed.body.string.contains("Paragraaf 2.3 was onvolledig."), "the reason stays filled in")
            #expect(try await Self.counts(app).versions == 1)
            #expect(try await NotificationRecord.query(on: app.db).filter(\.$link == "\(Self.page)#documenten").count() == 0)

            let corrected = try await browser.postMultipart(replace, fields: [("reason", "Paragraaf 2.3 was onvolledig."), ("confirm", "ja")],
                                                            file: ("file", "selectieleidraad-v2.pdf", second))
            #expect(corrected.status == .seeOther)
            let versions = try await TenderDocumentVersionRecord.query(on: app.db).sort(\.$version).all()
            #expect(versions.map(\.version) == [1, 2])
            #expect(versions.map(\.correctionNumber) == [nil, 1])
            #expect(versions.last?.correctionReason == "Paragraaf 2.3 was onvolledig.")
            let correction = try #require(try await TenderCorrectionRecord.query(on: app.db).first())
            #expect(correction.number == 1 && correction.explanation == "Paragraaf 2.3 was onvolledig.")
            // Every provider organisation is told, in the application and by e-mail.
            let notes = try await NotificationRecord.query(on: app.db).filter(\.$link == "\(Self.page)#documenten").all()
            #expect(notes.count == 2)
            #expect(notes.allSatisfy { $0.text.contains("Rectificatie 1") && $0.text.contains("1 – Selectieleidraad (versie 2)") })
            struct Mail: Decodable { var recipient: String; var body: String }
            let mails = try await (app.db as! any SQLDatabase).raw("SELECT recipient, body FROM outbox").all(decoding: Mail.self)
                .filter { $0.body.contains("Rectificatie 1") }
            #expect(Set(mails.map(\.recipient)) == ["a@zorg-a.nl", "b@zorg-b.nl"])
            let audit = try #require(try await AuditEntryRecord.query(on: app.db).filter(\.$action == "tender.document.corrected").first())
            #expect(audit.details.contains("Paragraaf 2.3 was onvolledig."))

            // A provider sees the correction and downloads both versions, each with its own digest.
            let provider = Browser(app)
            #expect(try await provider.login("b@zorg-b.nl").status == .seeOther)
            let page = try await provider.get(Self.page).body.string
            #expect(page.contains("Rectificatie 1") && page.contains("rectificatie 1: Paragraaf 2.3 was onvolledig."))
            let old = try await provider.get("\(Self.page)/documenten/1/versies/1")
            #expect(Array(old.body.readableBytesView) == first)
            let new = try await provider.get("\(Self.page)/documenten/1/versies/2")
            #expect(Array(new.body.readableBytesView) == second)
            #expect(page.contains(Self.sha256(old.body)) && page.contains(Self.sha256(new.body)))
            // After the deadline the documents stay as they are.
            time.set(CrisisTender.deadline.addingTimeInterval(1))
            #expect(try await browser.login("inkoper1@doetinchem.nl").status == .seeOther, "a new session after ten days")
            try await browser.get(Self.page)
            let late = try await browser.postMultipart(replace, fields: [("reason", "Nog een wijziging."), ("confirm", "ja")], file: ("file", "v3.pdf", pdfBytes(1000)))
            #expect(late.status == .conflict)
            #expect(try await Self.counts(app).versions == 2)
        }
    }

    @Test("A question cites document 1 section 2.3 from the list; the Nota, its print and its CSV show it as nr. – titel (versie n)")
    func questionCitesDocument() async throws {
        try await withApp { app in
            let time = TestClock(CrisisTender.t0.addingTimeInterval(-3600))
            app.clock = time.clock
            let officer = try await makeAccount(app, .procurementOfficer, email: "inkoper1@doetinchem.nl")
            _ = try await makeAccount(app, .provider, email: "a@zorg-a.nl", organisation: "Zorg A")
            try await Self.draft(app, officer: officer)
            let browser = Browser(app)
            #expect(try await browser.login("inkoper1@doetinchem.nl").status == .seeOther)
            try await browser.get(Self.page)
            #expect(try await browser.postMultipart("\(Self.page)/documenten", fields: [("title", "Selectieleidraad"), ("kind", "selection-guide")],
                                                    file: ("file", "selectieleidraad.pdf", pdfBytes(2000))).status == .seeOther)
            #expect(try await apiRequest(app, .POST, "/api/v1/tenders/\(Self.code)/publication", token: officer).status == .ok)
            time.set(CrisisTender.t0.addingTimeInterval(3600))
            let provider = Browser(app)
            #expect(try await provider.login("a@zorg-a.nl").status == .seeOther)
            let form = try await provider.get("\(Self.page)/vragen").body.string
            #expect(form.contains(#"<option value="1">1 – Selectieleidraad (versie 1)</option>"#))
            #expect(try await provider.post("\(Self.page)/vragen", form: ["text": "Wat betekent 'aantoonbaar'?", "document": "9", "section": "2.3"]).status
                    == .unprocessableEntity)
            #expect(try await provider.post("\(Self.page)/vragen", form: ["text": "Wat betekent 'aantoonbaar'?", "document": "1", "section": "2.3"]).status
                    == .seeOther)
            let question = try #require(try await QuestionRecord.query(on: app.db).first())
            let document = try #require(try await TenderDocumentRecord.query(on: app.db).first())
            #expect(question.documentID == document.id && question.documentVersion == 1)
            #expect(try await apiRequest(app, .PUT, "/api/v1/tenders/\(Self.code)/questions/\(question.id!.uuidString)", token: officer,
                                         json: #"{"wording": "Wat betekent aantoonbaar?", "answer": "Met een document."}"#).status == .ok)
            time.set(CrisisTender.questionDeadline)
            #expect(try await apiRequest(app, .POST, "/api/v1/tenders/\(Self.code)/notas", token: officer, json: #"{"round": 1}"#).status == .created)
            #expect(try await provider.login("a@zorg-a.nl").status == .seeOther, "a new session the next day")
            let nota = try await provider.get("\(Self.page)/nota/1").body.string
            #expect(nota.contains("1.1 – 1 – Selectieleidraad (versie 1) 2.3"))
            let csv = try await provider.get("\(Self.page)/nota/1/export.csv").body.string
            #expect(csv.contains("1.1;1 – Selectieleidraad (versie 1);2.3;Wat betekent aantoonbaar?;Met een document.;1"))
            // The API asks by number too.
            let token = try await makeToken(app, .provider)
            let late = try await apiRequest(app, .POST, "/api/v1/tenders/\(Self.code)/questions", token: token, json: #"{"text": "Te laat", "document": 1}"#)
            #expect(late.status == .conflict)
        }
    }

    @Test("The API takes a document number where it took a free-text reference, and refuses an unknown one")
    func apiCitesByNumber() async throws {
        try await withApp { app in
            let time = TestClock(CrisisTender.t0.addingTimeInterval(-3600))
            app.clock = time.clock
            let officer = try await makeAccount(app, .procurementOfficer, email: "inkoper1@doetinchem.nl")
            let provider = try await makeAccount(app, .provider, email: "a@zorg-a.nl", organisation: "Zorg A")
            try await Self.draft(app, officer: officer)
            let browser = Browser(app)
            #expect(try await browser.login("inkoper1@doetinchem.nl").status == .seeOther)
            try await browser.get(Self.page)
            #expect(try await browser.postMultipart("\(Self.page)/documenten", fields: [("title", "Concept-overeenkomst"), ("kind", "draft-contract")],
                                                    file: ("file", "overeenkomst.docx", zipDocx())).status == .seeOther)
            #expect(try await apiRequest(app, .POST, "/api/v1/tenders/\(Self.code)/publication", token: officer).status == .ok)
            time.set(CrisisTender.t0.addingTimeInterval(3600))
            let path = "/api/v1/tenders/\(Self.code)/questions"
            #expect(try await apiRequest(app, .POST, path, token: provider, json: #"{"text": "Vraag", "document": 2}"#).status == .unprocessableEntity)
            let asked = try jsonObject(try await apiRequest(app, .POST, path, token: provider, json: #"{"text": "Vraag", "document": 1, "section": "4"}"#))
            #expect(asked["document"] as? Int == 1 && asked["documentVersion"] as? Int == 1)
            #expect(asked["documentReference"] as? String == "1 – Concept-overeenkomst (versie 1)")
            let listed = try await apiRequest(app, .GET, "/api/v1/tenders/\(Self.code)/documents/1/versions/1", token: provider)
            #expect(listed.headers.first(name: .contentType) == "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        }
    }
}

/// A DOCX-looking file: a ZIP local header naming the main document.
func zipDocx() -> [UInt8] {
    let name = Array("word/document.xml".utf8)
    return [0x50, 0x4B, 0x03, 0x04, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, UInt8(name.count), 0, 0, 0] + name + Array("data".utf8)
}
