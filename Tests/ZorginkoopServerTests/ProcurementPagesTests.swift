import Fluent
import Foundation
import Testing
import VaporTesting
import ZorginkoopCatalog
import ZorginkoopCore
@testable import ZorginkoopServer

@Suite("Tenders and bids in the browser")
struct ProcurementPagesTests {
    static let t0 = CrisisTender.t0

    static func input(_ date: Date) -> String { DutchTime.inputValue(date) }

    @Test("An officer sets up, publishes and corrects a tender with forms; errors stand next to their fields")
    func officerForms() async throws {
        try await withApp { app in
            let time = TestClock(Self.t0.addingTimeInterval(-7200))
            app.clock = time.clock
            _ = try await makeAccount(app, .procurementOfficer, email: "inkoper1@doetinchem.nl")
            let browser = Browser(app)
            #expect(try await browser.login("inkoper1@doetinchem.nl").status == .seeOther)
            let form = try await browser.get("/aanbestedingen/nieuw?aanbesteding=CRISIS")
            #expect(form.status == .ok)
            #expect(form.body.string.contains("name=\"sub-CRI-AMB\""))
            #expect(form.body.string.contains("name=\"nogo-CRI-aalten\""))
            var fields = ["designTender": "CRISIS", "name": "Crisis Jeugdhulp 2027", "sub-CRI-AMB": "ja", "sub-CRI-VBL": "ja", "nogo-CRI-aalten": "ja",
                          "publication": Self.input(Self.t0), "question-1": Self.input(Self.t0.addingTimeInterval(86_400)),
                          "deadline": Self.input(Self.t0.addingTimeInterval(3600)), "opening": Self.input(Self.t0.addingTimeInterval(10 * 86_400))]
            let bad = try await browser.post("/aanbestedingen/nieuw", form: fields)
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("id=\"deadline-fout\">de inschrijvingstermijn moet sluiten na de sluiting van vragenronde 1"))
            #expect(try await TenderRecord.query(on: app.db).count() == 0)
            fields["deadline"] = Self.input(Self.t0.addingTimeInterval(9 * 86_400))
            let created = try await browser.post("/aanbestedingen/nieuw", form: fields)
            #expect(created.headers.first(name: .location) == "/aanbestedingen/CRISIS-2026")
            #expect(try await browser.post("/aanbestedingen/CRISIS-2026/publiceren", form: [:]).status == .unprocessableEntity)
            #expect(try await browser.post("/aanbestedingen/CRISIS-2026/publiceren", form: ["confirm": "ja"]).status == .seeOther)
            time.set(Self.t0.addingTimeInterval(3600))
            // A correction needs an explanation, and is then shown to all.
            fields["deadline"] = Self.input(Self.t0.addingTimeInterval(12 * 86_400))
            fields["opening"] = Self.input(Self.t0.addingTimeInterval(12 * 86_400 + 3600))
            let unexplained = try await browser.post("/aanbestedingen/CRISIS-2026/bewerken", form: fields)
            #expect(unexplained.status == .unprocessableEntity)
            #expect(unexplained.body.string.contains("licht de rectificatie toe"))
            fields["explanation"] = "De sluiting schuift drie dagen op vanwege de feestdagen."
            let corrected = try await browser.post("/aanbestedingen/CRISIS-2026/bewerken", form: fields)
            #expect(corrected.status == .seeOther, "\(corrected.body.string.components(separatedBy: "error-message").dropFirst().map { $0.prefix(160) })")
            let page = try await browser.get("/aanbestedingen/CRISIS-2026").body.string
            #expect(page.contains("Rectificatie 1"))
            #expect(page.contains("De sluiting schuift drie dagen op"))
            let tender = try LoadedTender(try #require(try await TenderRecord.query(on: app.db).first()))
            #expect(tender.timeline.submissionDeadline == Self.t0.addingTimeInterval(12 * 86_400))
            #expect(tender.scope.noGo == [NoGo(segment: "CRI", municipality: "aalten")])
            #expect(try await AuditEntryRecord.query(on: app.db).filter(\.$action == "tender.changed").first()?.details.contains("rectificatie") == true)
        }
    }

    @Test("A provider fills in the bid form, uploads a document as a streamed form, submits with confirmation and sees the receipt")
    func providerForms() async throws {
        try await withApp { app in
            let time = TestClock(Self.t0.addingTimeInterval(-3600))
            app.clock = time.clock
            let officer = try await makeAccount(app, .procurementOfficer, email: "inkoper1@doetinchem.nl")
            _ = try await makeAccount(app, .provider, email: "a@zorg-a.nl", organisation: "Zorg A")
            try await CrisisTender.create(app, officer: officer)
            time.set(Self.t0.addingTimeInterval(3600))
            let browser = Browser(app)
            #expect(try await browser.login("a@zorg-a.nl").status == .seeOther)
            let base = "/aanbestedingen/\(CrisisTender.code)/inschrijving"
            #expect(try await browser.get(base).status == .ok)
            let design = try Catalog.bundledDesign("achterhoek-2026")
            let scope = TenderScope(design: design, tender: "CRISIS", subSegments: ["CRI-AMB"], noGo: [])
            var fields = ["sub-CRI-AMB": "ja", "serves": "only", "municipality-doetinchem": "ja", "justification": "",
                          "transport": design.transportOptions[0].code, "capacity-doetinchem": "veel", "form": "alone"]
            for r in scope.requirements(for: ["CRI-AMB"]) { fields["declaration-\(r.code)"] = "met"; fields["evidence-\(r.code)"] = "Zie bijlage" }
            for c in scope.criteria(for: ["CRI-AMB"]) { fields["dossier-\(c.code)"] = "Onze aanpak." }
            let invalid = try await browser.post(base, form: fields)
            #expect(invalid.status == .unprocessableEntity)
            #expect(invalid.body.string.contains("id=\"capacity-doetinchem-fout\">vul een aantal plaatsen in"))
            fields["capacity-doetinchem"] = "12"
            #expect(try await browser.post(base, form: fields).status == .seeOther)
            // Incomplete: the justification of a partial area is missing; the check page says so and links to the field.
            let check = try await browser.get("\(base)/indienen")
            #expect(check.body.string.contains("motiveer waarom u niet in de hele regio zorg levert"))
            #expect(check.body.string.contains("\(base)#justification"))
            fields["justification"] = "Wij werken alleen vanuit onze locatie in Doetinchem."
            #expect(try await browser.post(base, form: fields).status == .seeOther)
            try await browser.get(base)
            let upload = try await browser.postMultipart("\(base)/documenten", fields: [("purpose", "requirement:KWALITEIT")],
                                                         file: ("file", "keurmerk.pdf", pdfBytes(300_000)))
            #expect(upload.status == .seeOther)
            let withToken = try await browser.postMultipart("\(base)/documenten", fields: [("purpose", "general")],
                                                            file: ("file", "nep.docx", Array("geen document".utf8)))
            #expect(withToken.status == .unsupportedMediaType)
            #expect(withToken.body.string.contains("het type wordt aan de inhoud herkend"))
            let savedCSRF = browser.csrf
            browser.csrf = "vervalst"
            let forged = try await browser.postMultipart("\(base)/documenten", fields: [("purpose", "general")], file: ("file", "x.pdf", pdfBytes(1000)))
            #expect(forged.status == .forbidden)
            browser.csrf = savedCSRF
            #expect(try await BidDocumentRecord.query(on: app.db).count() == 1)
            let page = try await browser.get(base).body.string
            #expect(page.contains("keurmerk.pdf"))
            #expect(try await browser.post("\(base)/indienen", form: [:]).status == .unprocessableEntity)
            let submitted = try await browser.post("\(base)/indienen", form: ["confirm": "ja"])
            #expect(submitted.headers.first(name: .location) == "\(base)/ontvangstbewijs/1")
            let receipt = try await browser.get("\(base)/ontvangstbewijs/1").body.string
            let stored = try #require(try await BidSubmissionRecord.query(on: app.db).first())
            #expect(receipt.contains(stored.digest))
            #expect(receipt.contains("keurmerk.pdf"))
        }
    }
}
