import Fluent
import Foundation
import Testing
import VaporTesting
@testable import ZorginkoopCore
@testable import ZorginkoopServer

/// Extension rounds and coverage through a real server: the start pages, the lead's advice, each
/// municipality's intention and decision for its own contracts, and the coverage matrix.
@Suite("Extensions per municipality and coverage")
struct ExtensionTests {
    /// The fixture's round: SDA-2026, AJ-SPEC, ending 31-12-2028 (notice 30-06-2028, decision
    /// 31-05-2028, intentions 30-04-2028, advice 31-03-2028, shown from 29-02-2028, a leap day).
    static let round = "/verlengingen/SDA-2026/AJ-SPEC/2028-12-31"

    static func at(_ app: Application, _ y: Int, _ m: Int, _ d: Int) {
        app.clock = AppClock { Amsterdam.startOfDay(CalendarDate(year: y, month: m, day: d)!).addingTimeInterval(10 * 3600) }
    }

    static func official(_ app: Application, _ municipality: String) async throws -> Browser {
        let email = "ambtenaar@\(municipality).nl"
        try await Accounts.create(NewAccount(email: email, name: "Ambtenaar \(municipality)", role: .municipalityOfficial, municipality: municipality,
                                             organisation: nil, password: testPassword),
                                  actor: "test", clock: app.clock, cost: app.zorginkoop.bcryptCost, on: app.db)
        let browser = Browser(app)
        #expect(try await browser.login(email).status == .seeOther)
        return browser
    }

    static func audit(_ app: Application, _ action: String) async throws -> [AuditEntryRecord] {
        try await AuditEntryRecord.query(on: app.db).filter(\.$action == action).sort(\.$seq).all()
    }

    @Test("A round from advice to decisions: shown on the start pages from its day, the advice first, intentions, then a decision per municipality that extends one and ends another, each audited")
    func roundWalk() async throws {
        try await withApp { app in
            Self.at(app, 2028, 2, 28)
            _ = try await ContractRegisterTests.contracts(app)
            let officer = Browser(app)
            #expect(try await officer.login(try await makeUser(app, .procurementOfficer)).status == .seeOther)
            #expect(!(try await officer.get("/").body.string.contains("Te doen: verlengingen")), "a day before the round shows")
            // Sessions end when idle, so each jump of the clock is followed by logging in again.
            Self.at(app, 2028, 2, 29)
            #expect(try await officer.login("procurement-officer@test.nl").status == .seeOther)
            let home = try await officer.get("/").body.string
            #expect(home.contains("verlengingsadvies schrijven, uiterlijk 31-3-2028"))
            let doetinchem = try await Self.official(app, "doetinchem")
            let winterswijk = try await Self.official(app, "winterswijk")

            // Before the advice, no decision.
            let early = try await doetinchem.post(Self.round + "/besluit", form: ["contract": "SDA-2026-001", "choice": "extend", "confirm": "ja"], from: Self.round)
            #expect(early.status == .conflict)
            #expect(early.body.string.contains("Er is nog geen verlengingsadvies van de penvoerder"))

            // An advice without reasoning is refused next to the field, and nothing is written.
            let empty = try await officer.post(Self.round + "/advies", form: ["recommendation": "extend", "adviceText": "  "], from: Self.round)
            #expect(empty.status == .unprocessableEntity)
            #expect(empty.body.string.contains("id=\"adviceText-error\">Schrijf de onderbouwing van het advies."))
            #expect(try await Self.audit(app, "extension.advice").isEmpty)
            let advised = try await officer.post(Self.round + "/advies", form: ["recommendation": "extend", "adviceText": "KPI's op koers; capaciteit gedekt."],
                                                 from: Self.round)
            #expect(advised.status == .seeOther)

            // Each official sees its own municipality's contracts in the round and what it has to do.
            let mine = try await doetinchem.get(Self.round).body.string
            #expect(mine.contains("SDA-2026-001") && !mine.contains("SDA-2026-002"))
            #expect(mine.contains("Versie 1: verlengen") && mine.contains("KPI&#39;s op koers") || mine.contains("KPI's op koers"))
            #expect(try await doetinchem.get("/").body.string.contains("voornemen voor 1 overeenkomst(en), uiterlijk 30-4-2028"))
            #expect(try await winterswijk.get("/").body.string.contains("besluit over 1 overeenkomst(en), uiterlijk 31-5-2028 (opzegdatum 30-6-2028)"))
            // Berkelland's official would not find Doetinchem's contract in another round.
            #expect(try await Self.official(app, "bronckhorst").get(Self.round).status == .notFound)

            // Intentions: Doetinchem wants to extend, Winterswijk does not; one may not speak for another.
            #expect(try await doetinchem.post(Self.round + "/voornemen", form: ["contract": "SDA-2026-001", "choice": "extend", "note": "tevreden"],
                                              from: Self.round).status == .seeOther)
            let foreign = try await doetinchem.post(Self.round + "/voornemen", form: ["contract": "SDA-2026-002", "choice": "doNotExtend"], from: Self.round)
            #expect(foreign.status == .conflict)
            #expect(try await winterswijk.post(Self.round + "/voornemen", form: ["contract": "SDA-2026-002", "choice": "doNotExtend"],
                                               from: Self.round).status == .seeOther)
            let lead = try await officer.get(Self.round).body.string
            #expect(lead.contains("verlengen (") && lead.contains("niet verlengen ("))
            #expect(lead.contains("wacht op voornemens van gemeenten"), "Berkelland has not said yet")
            #expect(lead.contains("Beëindiging volgens plan: 0 van 2 periode(n) norm gehaald, 2 te laat of ontbrekend"), "the KPIs beside the advice")

            // The officer adjusts the advice: version 2.
            #expect(try await officer.post(Self.round + "/advies", form: ["recommendation": "extend", "adviceText": "Bijgesteld: Winterswijk verlengt niet."],
                                           from: Self.round).status == .seeOther)
            #expect(try await officer.get(Self.round).body.string.contains("Versie 2: verlengen"))

            // Decisions: confirmed, once; Doetinchem extends to 31-12-2029, Winterswijk ends.
            Self.at(app, 2028, 5, 15)
            #expect(try await doetinchem.login("ambtenaar@doetinchem.nl").status == .seeOther)
            #expect(try await winterswijk.login("ambtenaar@winterswijk.nl").status == .seeOther)
            let unconfirmed = try await doetinchem.post(Self.round + "/besluit", form: ["contract": "SDA-2026-001", "choice": "extend"], from: Self.round)
            #expect(unconfirmed.status == .unprocessableEntity)
            #expect(unconfirmed.body.string.contains("Bevestig dat dit het besluit van uw college is"))
            #expect(try await doetinchem.post(Self.round + "/besluit", form: ["contract": "SDA-2026-001", "choice": "extend", "confirm": "ja"],
                                              from: Self.round).status == .seeOther)
            #expect(try await winterswijk.post(Self.round + "/besluit", form: ["contract": "SDA-2026-002", "choice": "doNotExtend", "confirm": "ja"],
                                               from: Self.round).status == .seeOther)
            let again = try await doetinchem.post(Self.round + "/besluit", form: ["contract": "SDA-2026-001", "choice": "doNotExtend", "confirm": "ja"],
                                                  from: Self.round)
            #expect(again.status == .conflict)
            #expect(again.body.string.contains("heeft doetinchem al op 15-5-2028 besloten"))

            let stored = try await ContractStore.all(on: app.db)
            let first = try #require(stored.first { $0.contract.number == "SDA-2026-001" })
            #expect(first.contract.term(of: "doetinchem") == MunicipalTerm(municipality: "doetinchem", end: CalendarDate(iso: "2029-12-31")!, extensionsUsed: 1))
            #expect(first.contract.term(of: "aalten")?.end == CalendarDate(iso: "2029-12-31"), "Aalten's own term is untouched")
            #expect(first.events.last?.summary == "Verlengd voor doetinchem tot en met 31-12-2029 (verlenging 1)")
            let second = try #require(stored.first { $0.contract.number == "SDA-2026-002" })
            #expect(second.contract.term(of: "winterswijk")?.end == CalendarDate(iso: "2028-12-31"))
            #expect(second.events.last?.kind == .notExtended)
            #expect(try await officer.login("procurement-officer@test.nl").status == .seeOther)
            #expect(try await officer.get("/contracten/SDA-2026-001").body.string.contains("Verlengd voor doetinchem tot en met 31-12-2029"))

            #expect(try await Self.audit(app, "extension.advice").map(\.subject) == ["SDA-2026/AJ-SPEC/2028-12-31", "SDA-2026/AJ-SPEC/2028-12-31"])
            #expect(try await Self.audit(app, "extension.intention").map(\.subject) == ["SDA-2026-001", "SDA-2026-002"])
            let decisions = try await Self.audit(app, "extension.decision")
            #expect(decisions.map(\.subject) == ["SDA-2026-001", "SDA-2026-002"])
            #expect(decisions.first?.details.contains("2029-12-31") == true)
        }
    }

    @Test("After the notice date a decision needs a reason, shown next to the form; with one it is recorded with the reason")
    func lateDecision() async throws {
        try await withApp { app in
            Self.at(app, 2028, 3, 1)
            _ = try await ContractRegisterTests.contracts(app)
            let officer = Browser(app)
            #expect(try await officer.login(try await makeUser(app, .procurementOfficer)).status == .seeOther)
            #expect(try await officer.post(Self.round + "/advies", form: ["recommendation": "doNotExtend", "adviceText": "Onvoldoende resultaat."],
                                           from: Self.round).status == .seeOther)
            Self.at(app, 2028, 7, 1)
            #expect(try await officer.login("procurement-officer@test.nl").status == .seeOther)
            let winterswijk = try await Self.official(app, "winterswijk")
            let page = try await winterswijk.get(Self.round).body.string
            #expect(page.contains("De opzegdatum 30-6-2028 is voorbij"))
            let late = try await winterswijk.post(Self.round + "/besluit", form: ["contract": "SDA-2026-002", "choice": "doNotExtend", "confirm": "ja"],
                                                  from: Self.round)
            #expect(late.status == .unprocessableEntity)
            #expect(late.body.string.contains("id=\"error-SDA-2026-002-winterswijk\" role=\"alert\">Het besluit valt na de opzegdatum 30-6-2028"))
            #expect(try await Self.audit(app, "extension.decision").isEmpty)
            #expect(try await winterswijk.post(Self.round + "/besluit",
                                               form: ["contract": "SDA-2026-002", "choice": "doNotExtend", "confirm": "ja", "reason": "raadsbesluit liep uit"],
                                               from: Self.round).status == .seeOther)
            let stored = try #require(try await ContractStore.all(on: app.db).first { $0.contract.number == "SDA-2026-002" })
            #expect(stored.events.last?.reason == "raadsbesluit liep uit")
        }
    }

    @Test("Coverage per tender: municipality × sub-segment in words, the gap named, a call-up link for the officer; the API gives the same cells, an official only the own")
    func coverage() async throws {
        try await withApp { app in
            let (_, officerToken) = try await CrisisTender.openForBids(app)
            let tender = try #require(try await TenderRecord.query(on: app.db).filter(\.$code == CrisisTender.code).first())
            let term = ContractRegisterTests.term
            let at = Date(timeIntervalSince1970: 1_800_000_000)
            let contract = RegisteredContract(
                number: "CRISIS-2026-001", source: .award, tender: CrisisTender.code, bid: nil, segment: "CRI", title: "Crisis",
                parties: [ContractParty(role: .lead, organisation: nil, name: "Crisisdienst Oost", kvkNumber: "12345678")],
                subSegments: ["CRI-AMB"], term: term, start: term.start,
                terms: [MunicipalTerm(municipality: "doetinchem", end: term.initialEnd, extensionsUsed: 0),
                        MunicipalTerm(municipality: "winterswijk", end: term.initialEnd, extensionsUsed: 0)],
                capacity: ["CRI-AMB": ["doetinchem": 3, "winterswijk": 2]])
            try await ContractStore.create(contract, tenderID: try tender.requireID(), at: at, by: "test",
                                           event: ContractEvent(kind: .created, at: at, by: "test", summary: "aangemaakt"), on: app.db)
            Self.at(app, 2027, 6, 1)
            let officer = Browser(app)
            #expect(try await officer.login("inkoper1@doetinchem.nl").status == .seeOther)
            let page = try await officer.get("/aanbestedingen/\(CrisisTender.code)/dekking")
            #expect(page.status == .ok)
            let html = page.body.string
            #expect(html.contains("3 plaatsen, geen minimum: gedekt"))
            #expect(html.contains("Crisisdienst Oost (3)"))
            #expect(!html.contains(">Aalten<"), "Aalten said no-go for crisis care")
            #expect(html.contains("0 plaatsen, geen minimum: geen aanbieder"))
            #expect(html.contains("/aanbestedingen/\(CrisisTender.code)/gunning/wachtkamer/CRI-VBL"))
            let later = try await officer.get("/aanbestedingen/\(CrisisTender.code)/dekking?op=01-01-2029").body.string
            #expect(!later.contains("gedekt"), "after the initial end without extension nobody supplies")

            let api = try await apiRequest(app, .GET, "/api/v1/coverage?tender=\(CrisisTender.code)&op=2027-06-01", token: officerToken)
            #expect(api.status == .ok)
            let all = try #require(try JSONSerialization.jsonObject(with: Data(buffer: api.body)) as? [[String: Any]])
            let cells = try #require(all.first?["cells"] as? [[String: Any]])
            #expect(cells.count == 14, "7 municipalities × 2 sub-segments")
            let doetinchem = try #require(cells.first { $0["municipality"] as? String == "doetinchem" && $0["subSegment"] as? String == "CRI-AMB" })
            #expect(doetinchem["contracted"] as? Int == 3 && doetinchem["state"] as? String == "covered")
            let official = try await makeToken(app, .municipalityOfficial)
            let own = try await apiRequest(app, .GET, "/api/v1/coverage", token: official)
            let ownCells = try #require((try JSONSerialization.jsonObject(with: Data(buffer: own.body)) as? [[String: Any]])?.first?["cells"] as? [[String: Any]])
            #expect(Set(ownCells.compactMap { $0["municipality"] as? String }) == ["doetinchem"])
            let bad = try await apiRequest(app, .GET, "/api/v1/coverage?op=morgen", token: officerToken)
            #expect(bad.status == .unprocessableEntity && bad.headers.contentType?.subType == "problem+json")
        }
    }
}

extension Browser {
    /// Opens the page that carries the form, then sends the form with that page's token, as a person does.
    func post(_ path: String, form: [String: String], from page: String) async throws -> WebResponse {
        let shown = try await get(page)
        #expect(shown.status == .ok, "\(page)")
        return try await post(path, form: form)
    }
}
