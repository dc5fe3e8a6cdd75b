import Foundation
import Testing
@testable import ZorginkoopCore

@Suite("Contract changes: subcontractor requests and numbered amendments")
struct ContractChangeTests {
    static let at = Date(timeIntervalSince1970: 1_800_000_000)

    static func contract() -> RegisteredContract {
        let term = smallDesign().tenders[0].contractTerm
        return RegisteredContract(number: "T-001", source: .award, tender: "T", bid: nil, segment: "S", title: "",
                                  parties: [ContractParty(role: .lead, organisation: "o", name: "Hoofd", kvkNumber: "11111111"),
                                            ContractParty(role: .subcontractor, organisation: nil, name: "Onder", kvkNumber: "22222222")],
                                  subSegments: ["SS"], term: term, start: term.start,
                                  terms: [MunicipalTerm(municipality: "a", end: term.initialEnd, extensionsUsed: 0)], capacity: ["SS": ["a": 4]])
    }

    @Test("A request needs a valid KvK number and a reason; an addition may not be a party already, a removal must be a subcontractor")
    func requestRules() throws {
        let c = Self.contract()
        #expect(throws: ContractChangeError.problems([Problem("kvkNumber", "een KvK-nummer bestaat uit precies 8 cijfers"), Problem("reason", "geef de reden van het verzoek")])) {
            try c.requestSubcontractor(.add, name: "Nieuw", kvkNumber: "1234", reason: " ", number: 1, by: "p", at: Self.at)
        }
        #expect(throws: ContractChangeError.problems([Problem("kvkNumber", "KvK-nummer 11111111 is al partij of onderaannemer bij deze overeenkomst")])) {
            try c.requestSubcontractor(.add, name: "Hoofd", kvkNumber: "11111111", reason: "extra", number: 1, by: "p", at: Self.at)
        }
        #expect(throws: ContractChangeError.problems([Problem("kvkNumber", "KvK-nummer 33333333 is geen onderaannemer bij deze overeenkomst")])) {
            try c.requestSubcontractor(.remove, name: "", kvkNumber: "33333333", reason: "weg", number: 1, by: "p", at: Self.at)
        }
        let removal = try c.requestSubcontractor(.remove, name: "", kvkNumber: " 22222222 ", reason: "stopt", number: 2, by: "p", at: Self.at)
        #expect(removal.name == "Onder" && removal.kvkNumber == "22222222" && removal.state == .pending)
    }

    @Test("Approval changes the parties as a numbered amendment; refusal needs a reason; a request is decided once")
    func decisions() throws {
        var c = Self.contract()
        let add = try c.requestSubcontractor(.add, name: "Nieuw BV", kvkNumber: "44444444", reason: "meer capaciteit", number: 1, by: "p", at: Self.at)
        #expect(throws: ContractChangeError.problems([Problem("decisionReason", "geef de reden van de afwijzing")])) {
            try c.decide(add, approve: false, reason: "", amendment: 1, by: "o", at: Self.at)
        }
        let (approved, amendment) = try c.decide(add, approve: true, reason: "", amendment: 3, by: "o", at: Self.at)
        #expect(approved.state == .approved && approved.decidedBy == "o")
        #expect(c.parties.map(\.kvkNumber) == ["11111111", "22222222", "44444444"])
        #expect(amendment?.event.amendment == 3)
        #expect(amendment?.event.summary == "Wijziging 3: onderaannemer Nieuw BV (KvK 44444444) toegevoegd op verzoek 1")
        #expect(throws: ContractChangeError.alreadyDecided(number: 1, state: .approved)) {
            try c.decide(approved, approve: false, reason: "toch niet", amendment: 4, by: "o", at: Self.at)
        }
        #expect(RegisteredContract.nextAmendment(after: [amendment!.event]) == 4)
        #expect(RegisteredContract.nextAmendment(after: []) == 1)
    }

    @Test("Capacity changes only by an amendment with a reason, for a sub-segment and municipality of the contract")
    func capacity() throws {
        var c = Self.contract()
        #expect(throws: ContractChangeError.problems([Problem("municipality", "gemeente 'b' hoort niet bij deze overeenkomst"),
                                                      Problem("places", "geef het aantal plaatsen als een heel getal van 0 of meer"),
                                                      Problem("reason", "geef de reden van de wijziging")])) {
            try c.changeCapacity(subSegment: "SS", municipality: "b", places: -1, reason: "", amendment: 1, by: "o", at: Self.at)
        }
        let amendment = try c.changeCapacity(subSegment: "SS", municipality: "a", places: 6, reason: "groei", amendment: 1, by: "o", at: Self.at)
        #expect(c.capacity["SS"]?["a"] == 6)
        #expect(amendment.summary == "capaciteit SS in a van 4 naar 6 plaatsen")
    }
}

@Suite("Contract changes: municipalities joining and leaving")
struct MunicipalityChangeTests {
    @Test("A municipality joins with the longest-running term; one leaves early on a day from today to before its end; each with a reason")
    func joinAndLeave() throws {
        var c = ContractChangeTests.contract()
        let day = CalendarDate(iso: "2026-06-01")!
        let joined = try c.changeMunicipality(join: true, municipality: "b", region: ["a", "b", "c"], endOn: nil, on: day, reason: "nieuw", amendment: 1, by: "o", at: ContractChangeTests.at)
        #expect(c.term(of: "b") == MunicipalTerm(municipality: "b", end: CalendarDate(iso: "2027-12-31")!, extensionsUsed: 0))
        #expect(joined.summary == "gemeente b toegevoegd, looptijd tot en met 31-12-2027")
        #expect(throws: ContractChangeError.problems([Problem("municipality", "gemeente 'b' hoort al bij deze overeenkomst")])) {
            try c.changeMunicipality(join: true, municipality: "b", region: ["a", "b"], endOn: nil, on: day, reason: "x", amendment: 2, by: "o", at: ContractChangeTests.at)
        }
        #expect(throws: ContractChangeError.problems([Problem("endOn", "kies een einddatum van 1-6-2026 tot vóór het huidige einde 31-12-2027")])) {
            try c.changeMunicipality(join: false, municipality: "a", region: [], endOn: CalendarDate(iso: "2027-12-31"), on: day, reason: "x", amendment: 2, by: "o", at: ContractChangeTests.at)
        }
        _ = try c.changeMunicipality(join: false, municipality: "a", region: [], endOn: CalendarDate(iso: "2026-12-31"), on: day, reason: "eigen inkoop", amendment: 2, by: "o", at: ContractChangeTests.at)
        #expect(c.term(of: "a")?.end == CalendarDate(iso: "2026-12-31"))
        #expect(!c.isActive(in: "a", on: CalendarDate(iso: "2027-01-01")!) && c.isActive(in: "b", on: CalendarDate(iso: "2027-01-01")!))
    }
}
