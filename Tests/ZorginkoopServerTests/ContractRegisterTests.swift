import Fluent
import Foundation
import Testing
import VaporTesting
@testable import ZorginkoopCore
@testable import ZorginkoopServer
import ZorginkoopInterop

/// The contract register through a real server: the page and its filters, who sees what, a
/// contract's page with its history, the quality-mark gate, private tenders and the public list.
@Suite("Contract register")
struct ContractRegisterTests {
    static let today = CalendarDate(year: 2027, month: 3, day: 15)!

    static func day(_ y: Int, _ m: Int, _ d: Int) -> CalendarDate { CalendarDate(year: y, month: m, day: d)! }

    /// The 2026 round's term: 1-1-2027, two years, two extensions of a year, at most four years.
    static let term = ContractTerm(start: day(2027, 1, 1), initialEnd: day(2028, 12, 31), initialTermMonths: 24, extensionMonths: 12,
                                   maxExtensions: 2, maxTotalMonths: 48, maxEnd: day(2030, 12, 31))

    struct Fixture {
        var providerA: UUID
        var providerB: UUID
    }

    /// Two contracts stored by the register's own write path: a combination with a subcontractor
    /// whose quality-mark proof is open, and a single provider in two other municipalities.
    static func contracts(_ app: Application) async throws -> Fixture {
        try await makeUser(app, .provider)  // "Zorggroep Test"
        let a = try #require(try await OrganisationRecord.query(on: app.db).filter(\.$name == "Zorggroep Test").first()?.requireID())
        let other = OrganisationRecord(name: "Jeugdzorg Oost", kvkNumber: "12345678", agbCode: nil)
        try await other.create(on: app.db)
        let b = try other.requireID()
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        let first = RegisteredContract(
            number: "SDA-2026-001", source: .award, tender: "SDA-2026", bid: nil, segment: "AJ-SPEC", title: "Integrale jeugdhulp",
            parties: [ContractParty(role: .lead, organisation: a.uuidString, name: "Zorggroep Test", kvkNumber: "87654321"),
                      ContractParty(role: .member, organisation: nil, name: "Partner Zorg", kvkNumber: "11112222"),
                      ContractParty(role: .subcontractor, organisation: nil, name: "Klein Maar Fijn", kvkNumber: "33334444")],
            subSegments: ["AJ-SPEC-BEH"], term: term, start: term.start,
            terms: [MunicipalTerm(municipality: "doetinchem", end: term.initialEnd, extensionsUsed: 0),
                    MunicipalTerm(municipality: "aalten", end: day(2029, 12, 31), extensionsUsed: 1)],
            capacity: ["AJ-SPEC-BEH": ["doetinchem": 40, "aalten": 10]],
            proofs: [StartProof(requirement: "HKZ", name: "Kwaliteitskeurmerk", due: day(2027, 4, 1))])
        let second = RegisteredContract(
            number: "SDA-2026-002", source: .award, tender: "SDA-2026", bid: nil, segment: "AJ-SPEC", title: "Integrale jeugdhulp",
            parties: [ContractParty(role: .lead, organisation: b.uuidString, name: "Jeugdzorg Oost", kvkNumber: "12345678")],
            subSegments: ["AJ-SPEC-BEH"], term: term, start: term.start,
            terms: [MunicipalTerm(municipality: "winterswijk", end: term.initialEnd, extensionsUsed: 0),
                    MunicipalTerm(municipality: "berkelland", end: term.initialEnd, extensionsUsed: 0)])
        for c in [first, second] {
            try await ContractStore.create(c, tenderID: nil, at: at, by: "test", event: ContractEvent(kind: .created, at: at, by: "test", summary: "aangemaakt"), on: app.db)
        }
        return Fixture(providerA: a, providerB: b)
    }

    static func setClock(_ app: Application) {
        app.clock = AppClock { Amsterdam.startOfDay(today).addingTimeInterval(10 * 3600) }
    }

    @Test("The register lists every contract with its parties, ends per municipality, extensions and status; filters narrow it")
    func registerPage() async throws {
        try await withApp { app in
            Self.setClock(app)
            _ = try await Self.contracts(app)
            let officer = Browser(app)
            #expect(try await officer.login(try await makeUser(app, .procurementOfficer)).status == .seeOther)
            let page = try await officer.get("/contracten")
            #expect(page.status == .ok)
            let html = page.body.string
            #expect(html.contains("SDA-2026-001") && html.contains("SDA-2026-002"))
            #expect(html.contains("combinant: Partner Zorg") && html.contains("onderaannemer: Klein Maar Fijn"))
            // Doetinchem ends at the initial end, Aalten was extended once: each its own end.
            #expect(html.contains("Doetinchem 31-12-2028; Aalten 31-12-2029"))
            #expect(html.contains("Doetinchem: 0 gebruikt, 2 over; Aalten: 1 gebruikt, 1 over"))
            #expect(html.contains("mag niet starten: bewijs open voor Kwaliteitskeurmerk (uiterlijk 1-4-2027)"))
            let filtered = try await officer.get("/contracten?municipality=winterswijk").body.string
            #expect(!filtered.contains("SDA-2026-001") && filtered.contains("SDA-2026-002"))
            let byEnd = try await officer.get("/contracten?endsBy=2028-12-31").body.string
            #expect(!byEnd.contains("SDA-2026-001") && byEnd.contains("SDA-2026-002"))
            let bad = try await officer.get("/contracten?status=klaar")
            #expect(bad.status == .unprocessableEntity && bad.body.string.contains("&#39;klaar&#39; is geen status") || bad.body.string.contains("'klaar' is geen status"))
        }
    }

    @Test("An official sees the contracts of the own municipality only; a provider only its own; another's contract is not found")
    func visibility() async throws {
        try await withApp { app in
            Self.setClock(app)
            _ = try await Self.contracts(app)
            let official = Browser(app)  // Doetinchem
            #expect(try await official.login(try await makeUser(app, .municipalityOfficial)).status == .seeOther)
            let list = try await official.get("/contracten").body.string
            #expect(list.contains("SDA-2026-001") && !list.contains("SDA-2026-002"))
            #expect(try await official.get("/contracten/SDA-2026-002").status == .notFound)
            let provider = Browser(app)
            #expect(try await provider.login("provider@test.nl").status == .seeOther)
            let own = try await provider.get("/contracten").body.string
            #expect(own.contains("SDA-2026-001") && !own.contains("SDA-2026-002"))
            #expect(try await provider.get("/contracten/SDA-2026-001").status == .ok)
            #expect(try await provider.get("/contracten/SDA-2026-002").status == .notFound)
            let token = try await makeToken(app, .provider)
            let api = try await apiRequest(app, .GET, "/api/v1/contracts", token: token)
            let numbers = try JSONDecoder().decode([ContractJSON].self, from: Data(buffer: api.body)).map(\.number)
            #expect(numbers == ["SDA-2026-001"])
        }
    }

    @Test("The API filters by municipality, segment, sub-segment, provider, status and end date; a bad filter is a 422 problem naming it")
    func api() async throws {
        try await withApp { app in
            Self.setClock(app)
            let fixture = try await Self.contracts(app)
            let token = try await makeToken(app, .financeConsultant)
            func numbers(_ query: String) async throws -> [String] {
                let response = try await apiRequest(app, .GET, "/api/v1/contracts" + query, token: token)
                #expect(response.status == .ok, "\(query)")
                return try JSONDecoder().decode([ContractJSON].self, from: Data(buffer: response.body)).map(\.number)
            }
            #expect(try await numbers("") == ["SDA-2026-001", "SDA-2026-002"])
            #expect(try await numbers("?municipality=aalten") == ["SDA-2026-001"])
            #expect(try await numbers("?segment=AJ-SPEC&subSegment=AJ-SPEC-BEH") == ["SDA-2026-001", "SDA-2026-002"])
            #expect(try await numbers("?subSegment=CRI-AMB") == [])
            #expect(try await numbers("?provider=\(fixture.providerB.uuidString)") == ["SDA-2026-002"])
            // The first may not start (proof open), so it is signed, not running.
            #expect(try await numbers("?status=signed") == ["SDA-2026-001"])
            #expect(try await numbers("?status=running") == ["SDA-2026-002"])
            #expect(try await numbers("?endsBy=31-12-2028") == ["SDA-2026-002"])
            let one = try await apiRequest(app, .GET, "/api/v1/contracts/SDA-2026-001", token: token)
            let contract = try JSONDecoder().decode(ContractJSON.self, from: Data(buffer: one.body))
            #expect(contract.startGate.state == "mayNotStart" && !contract.startGate.mayDeliver && contract.startGate.openProofs == ["HKZ"])
            #expect(contract.municipalities.map(\.noticeDate) == ["2028-06-30", "2029-06-30"])
            #expect(contract.municipalities.map(\.extensionsLeft) == [2, 1])
            let bad = try await apiRequest(app, .GET, "/api/v1/contracts?status=klaar&endsBy=morgen&provider=x", token: token)
            #expect(bad.status == .unprocessableEntity && bad.headers.contentType?.subType == "problem+json")
            let problem = try JSONDecoder().decode(ProblemDetails.self, from: Data(buffer: bad.body))
            #expect(problem.errors?.map(\.path) == ["provider", "status", "endsBy"])
        }
    }

    @Test("The quality-mark gate: may not start until an officer accepts the proof (confirmed, audited, in the history); once only")
    func proofGate() async throws {
        try await withApp { app in
            Self.setClock(app)
            _ = try await Self.contracts(app)
            let officer = Browser(app)
            let email = try await makeUser(app, .procurementOfficer)
            #expect(try await officer.login(email).status == .seeOther)
            #expect(try await officer.get("/").body.string.contains("Kwaliteitskeurmerk van Zorggroep Test, uiterlijk 1-4-2027"), "the start page lists the open proof")
            let page = try await officer.get("/contracten/SDA-2026-001").body.string
            #expect(page.contains("Bewijs accepteren") && page.contains("Kwaliteitskeurmerk"))
            #expect(try await officer.post("/contracten/SDA-2026-001/bewijs/HKZ", form: [:]).status == .unprocessableEntity)
            #expect(try await officer.post("/contracten/SDA-2026-001/bewijs/HKZ", form: ["confirm": "ja"]).status == .seeOther)
            #expect(!(try await officer.get("/").body.string.contains("Te doen: bewijs vóór de start")), "accepted, it leaves the start page")
            let after = try await officer.get("/contracten/SDA-2026-001").body.string
            #expect(after.contains("geaccepteerd op 15-3-2027 door \(email)") && after.contains("bewijs geaccepteerd"))
            let again = try await officer.post("/contracten/SDA-2026-001/bewijs/HKZ", form: ["confirm": "ja"])
            #expect(again.status == .conflict && again.body.string.contains("al op 15-3-2027 geaccepteerd"))
            #expect(try await officer.post("/contracten/SDA-2026-001/bewijs/AGB", form: ["confirm": "ja"]).status == .conflict)
            let stored = try #require(try await ContractStore.all(on: app.db, number: "SDA-2026-001").first)
            #expect(stored.contract.status(on: Self.today) == .extended && stored.events.map(\.kind) == [.created, .proofAccepted])
            #expect(try await AuditEntryRecord.query(on: app.db).filter(\.$action == "contract.proof.accepted").count() == 1)
        }
    }

    @Test("A private tender's contract is entered with the same fields: errors in Dutch by the field, nothing written; then numbered OA-001")
    func privateTender() async throws {
        try await withApp { app in
            Self.setClock(app)
            let fixture = try await Self.contracts(app)
            let officer = Browser(app)
            #expect(try await officer.login(try await makeUser(app, .procurementOfficer)).status == .seeOther)
            #expect(try await officer.get("/contracten/nieuw").status == .ok)
            let wrong = try await officer.post("/contracten/nieuw", form: ["reference": "", "title": "Ziekenhuiszorg", "segment": "ziekenhuiszorg",
                                                                         "start": "31-02-2027", "initialTermMonths": "12", "maxExtensions": "0",
                                                                         "extensionMonths": "0", "maxTotalMonths": "6"])
            #expect(wrong.status == .unprocessableEntity)
            let html = wrong.body.string
            for message in ["geef het kenmerk", "kies de aanbieder", "kies ten minste één gemeente", "geef de ingangsdatum",
                            "de maximale looptijd is korter dan de eerste looptijd"] {
                #expect(html.contains(message), "\(message)")
            }
            #expect(html.contains("value=\"Ziekenhuiszorg\""))  // what was typed stays
            #expect(try await ContractRecord.query(on: app.db).count() == 2)
            let right = try await officer.post("/contracten/nieuw", form: [
                "reference": "OA-ZKH-2027", "title": "Ziekenhuiszorg jeugd-GGZ", "segment": "ziekenhuiszorg", "lead": fixture.providerB.uuidString,
                "mun.doetinchem": "ja", "mun.aalten": "ja", "start": "1-2-2027", "initialTermMonths": "12", "maxExtensions": "1",
                "extensionMonths": "12", "maxTotalMonths": "24"])
            #expect(right.status == .seeOther && right.headers.first(name: .location) == "/contracten/OA-001")
            let stored = try #require(try await ContractStore.all(on: app.db, number: "OA-001").first).contract
            #expect(stored.source == .privateTender && stored.tender == "OA-ZKH-2027" && stored.lead?.kvkNumber == "12345678")
            #expect(stored.term.initialEnd == Self.day(2028, 1, 31) && stored.term.maxEnd == Self.day(2029, 1, 31))
            #expect(stored.municipalities == ["aalten", "doetinchem"] || stored.municipalities == ["doetinchem", "aalten"])
            #expect(try await officer.get("/contracten").body.string.contains("onderhandse aanbesteding"))
            #expect(try await AuditEntryRecord.query(on: app.db).filter(\.$action == "contract.private-tender.created").count() == 1)
        }
    }

    @Test("The public register needs no login and lists the parties per segment and municipality, not subcontractors, not ended terms")
    func publicRegister() async throws {
        try await withApp { app in
            app.clock = AppClock { Amsterdam.startOfDay(CalendarDate(year: 2029, month: 3, day: 1)!) }
            _ = try await Self.contracts(app)
            let anonymous = Browser(app)
            let page = try await anonymous.get("/gecontracteerd")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("Partner Zorg") && !page.body.string.contains("Klein Maar Fijn"))
            let json = try await anonymous.get("/gecontracteerd.json")
            struct Entry: Decodable { var municipality: String; var provider: String; var role: String; var end: String }
            let entries = try JSONDecoder().decode([Entry].self, from: Data(buffer: json.body))
            // In 2029 only Aalten's extended term runs: Doetinchem, Winterswijk and Berkelland ended 31-12-2028.
            #expect(entries.map { "\($0.municipality) \($0.provider) \($0.role) \($0.end)" }
                    == ["aalten Partner Zorg member 2029-12-31", "aalten Zorggroep Test lead 2029-12-31"])
            let csv = try await anonymous.get("/gecontracteerd.csv")
            #expect(csv.status == .ok && csv.headers.contentType?.subType == "csv")
            let rows = try DutchCSV.read(Data(buffer: csv.body), requiring: ["gemeente", "aanbieder", "rol", "tot_en_met"])
            #expect(rows.map { "\($0["gemeente"]) \($0["aanbieder"]) \($0["rol"]) \($0["tot_en_met"])" }
                    == ["Aalten Partner Zorg combinant 31-12-2029", "Aalten Zorggroep Test hoofdaannemer 31-12-2029"])
        }
    }

    @Test("The register exports as Dutch CSV and as XLSX, one row per contract and municipality, with the page's filter and visibility")
    func exports() async throws {
        try await withApp { app in
            Self.setClock(app)
            _ = try await Self.contracts(app)
            let officer = Browser(app)
            #expect(try await officer.login(try await makeUser(app, .procurementOfficer)).status == .seeOther)
            #expect(try await officer.get("/contracten").body.string.contains("href=\"/contracten/export.xlsx\""))
            let csv = try await officer.get("/contracten/export.csv")
            #expect(csv.status == .ok)
            #expect(csv.headers.first(name: .contentDisposition)?.contains("contractregister.csv") == true)
            let bytes = Data(buffer: csv.body)
            #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
            let rows = try DutchCSV.read(bytes, requiring: ["nummer", "gemeente", "huidige_einddatum", "verlengingen_over", "opzegdatum", "status"])
            #expect(rows.map { "\($0["nummer"]) \($0["gemeente"]) \($0["huidige_einddatum"]) \($0["verlengingen_over"]) \($0["opzegdatum"])" } == [
                "SDA-2026-001 Doetinchem 31-12-2028 2 30-06-2028", "SDA-2026-001 Aalten 31-12-2029 1 30-06-2029",
                "SDA-2026-002 Winterswijk 31-12-2028 2 30-06-2028", "SDA-2026-002 Berkelland 31-12-2028 2 30-06-2028",
            ])
            #expect(rows[0]["onderaannemers"] == "Klein Maar Fijn")
            let filtered = try DutchCSV.read(Data(buffer: try await officer.get("/contracten/export.csv?municipality=winterswijk").body), requiring: ["nummer"])
            #expect(filtered.map { $0["nummer"] } == ["SDA-2026-002", "SDA-2026-002"])

            let xlsx = try await officer.get("/contracten/export.xlsx?segment=AJ-SPEC")
            #expect(xlsx.status == .ok)
            #expect(xlsx.headers.contentType?.subType == "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            #expect(Data(buffer: xlsx.body).prefix(2) == Data("PK".utf8))

            let official = Browser(app)  // Doetinchem sees its own contract only, in the export too
            #expect(try await official.login(try await makeUser(app, .municipalityOfficial)).status == .seeOther)
            let own = try DutchCSV.read(Data(buffer: try await official.get("/contracten/export.csv").body), requiring: ["nummer"])
            #expect(Set(own.map { $0["nummer"] }) == ["SDA-2026-001"])
        }
    }
}
