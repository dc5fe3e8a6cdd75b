import Fluent
import Foundation
import Testing
import VaporTesting
@testable import ZorginkoopCore
@testable import ZorginkoopServer
import ZorginkoopInterop

/// KPI reports through a real server: the provider's form, a CSV upload with faults per line, the
/// API, and the officials' page with its chart and late reports.
@Suite("KPI reports in the contract period")
struct KPIServerTests {
    static func count(_ app: Application) async throws -> Int { try await KPIReportRecord.query(on: app.db).count() }

    @Test("A provider reports by form and by CSV: a wrong value is refused next to the field, a file with faults names each line and stores nothing, a good file stores all")
    func providerReports() async throws {
        try await withApp { app in
            ExtensionTests.at(app, 2027, 8, 15)
            _ = try await ContractRegisterTests.contracts(app)
            let provider = Browser(app)
            #expect(try await provider.login("provider@test.nl").status == .seeOther)
            let page = try await provider.get("/kpi").body.string
            #expect(page.contains("action=\"/kpi/rapporteren\"") && page.contains("<option value=\"SDA-2026-001\""))
            #expect(!page.contains("SDA-2026-002"), "another provider's contract is not offered")

            let bad = try await provider.post("/kpi/rapporteren", form: ["contract": "SDA-2026-001", "kpi": "WACHTTIJD", "period": "2027-K1", "value": "veel"], from: "/kpi")
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("id=\"value-error\">&#39;veel&#39; is geen getal") || bad.body.string.contains("id=\"value-error\">'veel' is geen getal"))
            #expect(try await Self.count(app) == 0)
            #expect(try await provider.post("/kpi/rapporteren", form: ["contract": "SDA-2026-001", "kpi": "WACHTTIJD", "period": "2027-K1", "value": "38,5"],
                                            from: "/kpi").status == .seeOther)
            #expect(try await Self.count(app) == 1)

            _ = try await provider.get("/kpi")
            let faulty = "\u{FEFF}overeenkomst;kpi;periode;waarde\r\nSDA-2026-001;UITVAL;2027-H1;85\r\nSDA-2026-001;UITVAL;2027-K9;85\r\nSDA-2026-002;WACHTTIJD;2027-K1;30\r\n"
            let refused = try await provider.postMultipart("/kpi/upload", fields: [], file: ("file", "kpi.csv", Array(faulty.utf8)))
            #expect(refused.status == .unprocessableEntity)
            let text = refused.body.string
            #expect(text.contains("Regel 3: &#39;2027-K9&#39; is geen periode") || text.contains("Regel 3: '2027-K9' is geen periode"))
            #expect(text.contains("Regel 4: overeenkomst &#39;SDA-2026-002&#39; is niet van uw organisatie") || text.contains("Regel 4: overeenkomst 'SDA-2026-002' is niet van uw organisatie"))
            #expect(try await Self.count(app) == 1, "nothing of a faulty file is stored")
            _ = try await provider.get("/kpi")
            let good = "\u{FEFF}Overeenkomst;KPI;Periode;Waarde\r\nSDA-2026-001;uitval;2027-H1;85\r\nSDA-2026-001;TEVREDENHEID;2027-H1;71,25\r\n"
            #expect(try await provider.postMultipart("/kpi/upload", fields: [], file: ("file", "kpi.csv", Array(good.utf8))).status == .seeOther)
            #expect(try await Self.count(app) == 3)
            let audit = try await AuditEntryRecord.query(on: app.db).filter(\.$action == "kpi.reported").count()
            #expect(audit == 2)

            // Officials see the values against the target, as a chart and a table, with the late ones flagged.
            let official = Browser(app)
            #expect(try await official.login(try await makeUser(app, .municipalityOfficial)).status == .seeOther)
            let html = try await official.get("/kpi?segment=AJ-SPEC").body.string
            #expect(html.contains("<svg") && html.contains("role=\"img\""))
            #expect(html.contains("38,5 dagen, norm gehaald"))
            #expect(html.contains("71,25 %, norm niet gehaald"))
            #expect(html.contains("<strong>ontbreekt (uiterlijk 31-7-2027)</strong>"), "2027-K2's waiting time is missing after its due date")
            #expect(!html.contains("action=\"/kpi/rapporteren\""))
            // The same values as a Dutch CSV: a row per contract, KPI and ended period. K1 was reported on
            // 15-8-2027, after its due date 30-4-2027; K2 is missing after 31-7-2027: both late.
            let csv = try await official.get("/kpi/export.csv?segment=AJ-SPEC")
            #expect(csv.headers.contentType?.subType == "csv")
            let rows = try DutchCSV.read(Data(buffer: csv.body), requiring: ["overeenkomst", "kpi", "periode", "waarde", "uiterlijk", "te_laat"])
            #expect(rows.contains { $0["kpi"] == "WACHTTIJD" && $0["periode"] == "2027-K1" && $0["waarde"] == "38,5" && $0["uiterlijk"] == "30-04-2027" && $0["te_laat"] == "ja" })
            #expect(rows.contains { $0["kpi"] == "WACHTTIJD" && $0["periode"] == "2027-K2" && $0["waarde"] == "" && $0["te_laat"] == "ja" })
            #expect(try await official.get("/kpi/export.xlsx").status == .ok)
        }
    }

    @Test("The API lists reports with the register's visibility and takes a provider's reports: 201, or 422 naming the item, late ones marked")
    func api() async throws {
        try await withApp { app in
            ExtensionTests.at(app, 2027, 8, 15)
            _ = try await ContractRegisterTests.contracts(app)
            let provider = try await makeToken(app, .provider)
            let created = try await apiRequest(app, .POST, "/api/v1/kpi-reports", token: provider,
                                               json: #"[{"contract": "SDA-2026-001", "kpi": "WACHTTIJD", "period": "2027-K2", "value": 45.5}]"#)
            #expect(created.status == .created, "\(created.body.string)")
            let bad = try await apiRequest(app, .POST, "/api/v1/kpi-reports", token: provider,
                                           json: #"[{"contract": "SDA-2026-001", "kpi": "WACHTTIJD", "period": "2027-K1", "value": 30}, {"contract": "SDA-2026-001", "kpi": "WACHTTIJD", "period": "2027-K3", "value": 30}]"#)
            #expect(bad.status == .unprocessableEntity && bad.headers.contentType?.subType == "problem+json")
            let problem = try JSONDecoder().decode(ProblemDetails.self, from: Data(buffer: bad.body))
            #expect(problem.errors?.map(\.path) == ["[1]"])
            #expect(try await Self.count(app) == 1)
            let finance = try await makeToken(app, .financeConsultant)
            let list = try await apiRequest(app, .GET, "/api/v1/kpi-reports", token: finance)
            let reports = try JSONDecoder().decode([KPIReportJSON].self, from: Data(buffer: list.body))
            #expect(reports.map(\.period) == ["2027-K2"])
            #expect(reports.first?.value == Decimal(string: "45.5") && reports.first?.late == true, "due 31-7-2027, reported 15-8")
            let official = try await makeToken(app, .municipalityOfficial)
            #expect(try await apiRequest(app, .POST, "/api/v1/kpi-reports", token: official, json: "[]").status == .forbidden)
        }
    }
}
