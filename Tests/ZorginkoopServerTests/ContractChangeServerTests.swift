import Fluent
import Foundation
import Testing
import VaporTesting
@testable import ZorginkoopCore
@testable import ZorginkoopServer

/// Contract changes through a real server: the lead asks for a subcontractor, an officer decides;
/// capacity changes by a numbered amendment.
@Suite("Contract changes through the pages")
struct ContractChangeServerTests {
    static let page = "/contracten/SDA-2026-001"

    @Test("The lead asks to add a subcontractor (a bad KvK number refused next to the field); the officer approves after confirming, once; the parties and history show amendment 1, capacity amendment 2")
    func subcontractorAndCapacity() async throws {
        try await withApp { app in
            ContractRegisterTests.setClock(app)
            _ = try await ContractRegisterTests.contracts(app)
            let provider = Browser(app)
            #expect(try await provider.login("provider@test.nl").status == .seeOther)
            let bad = try await provider.post(Self.page + "/onderaannemers", form: ["kind": "add", "name": "Nieuw Zorg", "kvkNumber": "123", "reason": "extra capaciteit"],
                                              from: Self.page)
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("id=\"sub-kvk-error\">een KvK-nummer bestaat uit precies 8 cijfers"))
            #expect(try await SubcontractorRequestRecord.query(on: app.db).count() == 0)
            #expect(try await provider.post(Self.page + "/onderaannemers", form: ["kind": "add", "name": "Nieuw Zorg", "kvkNumber": "55556666", "reason": "extra capaciteit"],
                                            from: Self.page).status == .seeOther)
            #expect(try await provider.get(Self.page).body.string.contains("in behandeling"))

            let officer = Browser(app)
            #expect(try await officer.login(try await makeUser(app, .procurementOfficer)).status == .seeOther)
            let unconfirmed = try await officer.post(Self.page + "/onderaannemers/1", form: ["decision": "approve"], from: Self.page)
            #expect(unconfirmed.status == .unprocessableEntity)
            let refusal = try await officer.post(Self.page + "/onderaannemers/1", form: ["decision": "refuse", "confirm": "ja"], from: Self.page)
            #expect(refusal.status == .unprocessableEntity && refusal.body.string.contains("geef de reden van de afwijzing"))
            #expect(try await officer.post(Self.page + "/onderaannemers/1", form: ["decision": "approve", "confirm": "ja"], from: Self.page).status == .seeOther)
            let again = try await officer.post(Self.page + "/onderaannemers/1", form: ["decision": "refuse", "decisionReason": "toch niet", "confirm": "ja"], from: Self.page)
            #expect(again.status == .conflict && again.body.string.contains("Verzoek 1 is al goedgekeurd."))

            // A minute later: the history lists changes in the order they were made.
            app.clock = AppClock { Amsterdam.startOfDay(ContractRegisterTests.today).addingTimeInterval(10 * 3600 + 60) }
            let badCapacity = try await officer.post(Self.page + "/capaciteit", form: ["subSegment": "AJ-SPEC-BEH", "municipality": "aalten", "places": "veel", "reason": "groei"],
                                                     from: Self.page)
            #expect(badCapacity.status == .unprocessableEntity && badCapacity.body.string.contains("id=\"cap-places-error\">geef het aantal plaatsen"))
            #expect(try await officer.post(Self.page + "/capaciteit", form: ["subSegment": "AJ-SPEC-BEH", "municipality": "aalten", "places": "14", "reason": "groei in Aalten"],
                                           from: Self.page).status == .seeOther)

            let early = try await officer.post(Self.page + "/gemeenten", form: ["change": "leave", "municipality": "aalten", "endOn": "morgen", "reason": "eigen inkoop"],
                                               from: Self.page)
            #expect(early.status == .unprocessableEntity && early.body.string.contains("id=\"mun-endOn-error\">geef de datum"))
            app.clock = AppClock { Amsterdam.startOfDay(ContractRegisterTests.today).addingTimeInterval(10 * 3600 + 120) }
            #expect(try await officer.post(Self.page + "/gemeenten", form: ["change": "leave", "municipality": "aalten", "endOn": "30-06-2027", "reason": "eigen inkoop"],
                                           from: Self.page).status == .seeOther)
            let stored = try #require(try await ContractStore.all(on: app.db, number: "SDA-2026-001").first)
            #expect(stored.contract.parties.last == ContractParty(role: .subcontractor, organisation: nil, name: "Nieuw Zorg", kvkNumber: "55556666"))
            #expect(stored.contract.capacity["AJ-SPEC-BEH"]?["aalten"] == 14)
            #expect(stored.events.compactMap(\.amendment) == [1, 2, 3])
            #expect(stored.events.last?.summary == "Wijziging 3: gemeente aalten eindigt op 30-6-2027 in plaats van 31-12-2029")
            #expect(stored.contract.term(of: "aalten")?.end == CalendarDate(iso: "2027-06-30"))
            let html = try await officer.get(Self.page).body.string
            #expect(html.contains("Wijziging 1: onderaannemer Nieuw Zorg (KvK 55556666) toegevoegd op verzoek 1"))
            let actions = try await AuditEntryRecord.query(on: app.db).filter(\.$action ~~ ["contract.subcontractor.requested", "contract.subcontractor.decided", "contract.amended"]).count()
            #expect(actions == 4)
            // Another provider's organisation may not ask for changes of this contract.
            let other = Browser(app)
            try await Accounts.create(NewAccount(email: "oost@test.nl", name: "Oost", role: .provider, organisation: "Jeugdzorg Oost", password: testPassword),
                                      actor: "test", clock: app.clock, cost: app.zorginkoop.bcryptCost, on: app.db)
            #expect(try await other.login("oost@test.nl").status == .seeOther)
            _ = try await other.get("/contracten/SDA-2026-002")
            #expect(try await other.post(Self.page + "/onderaannemers", form: ["kind": "add", "name": "X", "kvkNumber": "77778888", "reason": "r"]).status == .notFound)
        }
    }
}
