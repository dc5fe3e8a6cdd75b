import Foundation
import Testing
import ZorginkoopCore

@Suite("An extension round: advice, intentions and decisions per municipality")
struct ExtensionRoundTests {
    static func date(_ y: Int, _ m: Int, _ d: Int) -> CalendarDate { CalendarDate(year: y, month: m, day: d)! }
    static let at = Date(timeIntervalSince1970: 1_800_000_000)

    static func contract(_ number: String, municipalities: [String], term: ContractTerm = MunicipalExtensionTests.crisis,
                         extensionsUsed: Int = 0) -> RegisteredContract {
        RegisteredContract(number: number, source: .award, tender: "CRISIS-2026", bid: nil, segment: "crisis", title: "Crisis Jeugdhulp",
                           parties: [ContractParty(role: .lead, organisation: "org-\(number)", name: "Aanbieder \(number)", kvkNumber: nil)],
                           subSegments: ["crisis-24uurs"], term: term, start: term.start,
                           terms: municipalities.map { MunicipalTerm(municipality: $0, end: term.end(afterExtensions: extensionsUsed), extensionsUsed: extensionsUsed) },
                           capacity: ["crisis-24uurs": Dictionary(uniqueKeysWithValues: municipalities.map { ($0, 3) })])
    }

    static func round(_ contracts: [RegisteredContract], advices: [ExtensionAdvice] = [], intentions: [ExtensionIntention] = [],
                      decisions: [ExtensionDecision] = []) -> ExtensionRound {
        ExtensionRound(tender: "CRISIS-2026", segment: "crisis", end: date(2027, 12, 31), contracts: contracts, advices: advices,
                       intentions: intentions, decisions: decisions)
    }

    @Test("The timeline of 31-12-2027, counted back from the notice date 30-06-2027 at month ends: advice 31-03, intentions 30-04, decision 31-05; shown from 28-02")
    func timelineAtMonthEnds() {
        let t = ExtensionTimeline(end: Self.date(2027, 12, 31))
        #expect(t.noticeDate == Self.date(2027, 6, 30))
        #expect(t.decisionDue == Self.date(2027, 5, 31))
        #expect(t.intentionsDue == Self.date(2027, 4, 30))
        #expect(t.adviceDue == Self.date(2027, 3, 31))
        #expect(t.showsFrom == Self.date(2027, 2, 28))
        // A leap year: the end 31-08-2028 gives notice on 29-02-2028 and a decision due on 31-01-2028.
        let leap = ExtensionTimeline(end: Self.date(2028, 8, 31))
        #expect(leap.noticeDate == Self.date(2028, 2, 29))
        #expect(leap.decisionDue == Self.date(2028, 1, 31))
        // Not a month end: the same day of the month, three months' notice configured.
        let mid = ExtensionTimeline(end: Self.date(2027, 8, 15), notice: NoticePolicy(monthsBeforeEnd: 3))
        #expect(mid.noticeDate == Self.date(2027, 5, 15))
        #expect(mid.adviceDue == Self.date(2027, 2, 15))
    }

    @Test("The rounds due are the term ends with extensions left, once per tender, segment and end")
    func dueRounds() {
        let a = Self.contract("CRISIS-2026-001", municipalities: ["aalten", "doetinchem"])
        let b = Self.contract("CRISIS-2026-002", municipalities: ["winterswijk"])
        let last = Self.contract("CRISIS-2026-003", municipalities: ["oost-gelre"], extensionsUsed: 3)
        let due = ExtensionRound.due([a, b, last], from: Self.date(2027, 1, 1))
        #expect(due.count == 1)
        #expect(due.first?.end == Self.date(2027, 12, 31))
        #expect(ExtensionRound.due([a, b], from: Self.date(2028, 1, 1)).isEmpty)
    }

    @Test("No decision before the advice; then one municipality extends and another does not, each once; the contract runs on for one only")
    func extendForSomeEndForOthers() throws {
        let c = Self.contract("CRISIS-2026-001", municipalities: ["aalten", "doetinchem"])
        var round = Self.round([c])
        #expect(round.stage == .awaitingAdvice)
        #expect(throws: ExtensionRoundError.noAdviceYet) {
            try round.decide(.extend, contract: c.number, municipality: "aalten", on: Self.date(2027, 5, 1), reason: "", by: "a@aalten.nl", at: Self.at)
        }
        #expect(throws: ExtensionRoundError.adviceWithoutText) { try round.advise(.extend, text: "  ", by: "o@doetinchem.nl", at: Self.at) }
        #expect(throws: ExtensionRoundError.text("de tekst telt 12001 tekens; het maximum is 12000")) {
            try round.advise(.extend, text: String(repeating: "a", count: 12_001), by: "o@doetinchem.nl", at: Self.at)
        }
        #expect(throws: (any Error).self) { try round.advise(.extend, text: "met een stuurteken \u{07}", by: "o@doetinchem.nl", at: Self.at) }
        #expect(throws: ExtensionRoundError.text("de tekst telt 2001 tekens; het maximum is 2000")) {
            try round.intend(.extend, contract: c.number, municipality: "aalten", note: String(repeating: "n", count: 2_001), by: "a", at: Self.at)
        }
        round.advices.append(try round.advise(.extend, text: "KPI's op koers, capaciteit gedekt.", by: "o@doetinchem.nl", at: Self.at))
        #expect(round.advice?.version == 1)
        #expect(round.stage == .awaitingIntentions)
        round.intentions.append(try round.intend(.extend, contract: c.number, municipality: "aalten", note: "", by: "a@aalten.nl", at: Self.at))
        round.intentions.append(try round.intend(.doNotExtend, contract: c.number, municipality: "doetinchem", note: "eigen inkoop", by: "d@doetinchem.nl", at: Self.at))
        #expect(round.stage == .awaitingDecisions)
        #expect(round.toDoForLead(on: Self.date(2027, 4, 1)) == ["advies bijstellen na de voornemens, vóór 31-5-2027"])
        round.advices.append(try round.advise(.extend, text: "Bijgesteld: Doetinchem verlengt niet.", by: "o@doetinchem.nl", at: Self.at))
        #expect(round.advice?.version == 2)

        let (yes, newTerm) = try round.decide(.extend, contract: c.number, municipality: "aalten", on: Self.date(2027, 5, 20), reason: "",
                                              by: "a@aalten.nl", at: Self.at)
        #expect(newTerm == MunicipalTerm(municipality: "aalten", end: Self.date(2029, 12, 31), extensionsUsed: 1))
        let (no, none) = try round.decide(.doNotExtend, contract: c.number, municipality: "doetinchem", on: Self.date(2027, 5, 20), reason: "",
                                          by: "d@doetinchem.nl", at: Self.at)
        #expect(none == nil)
        round.decisions += [yes, no]
        round.contracts[0].terms[0] = newTerm!
        #expect(round.items.count == 2)
        #expect(round.stage == .decided)
        #expect(throws: ExtensionRoundError.alreadyDecided(contract: c.number, municipality: "aalten", on: Self.date(2027, 5, 20))) {
            try round.decide(.doNotExtend, contract: c.number, municipality: "aalten", on: Self.date(2027, 5, 21), reason: "toch niet", by: "a@aalten.nl", at: Self.at)
        }
        #expect(throws: ExtensionRoundError.roundClosed) { try round.advise(.extend, text: "nog een", by: "o@doetinchem.nl", at: Self.at) }
        #expect(round.contracts[0].isActive(in: "aalten", on: Self.date(2029, 6, 1)))
        #expect(!round.contracts[0].isActive(in: "doetinchem", on: Self.date(2028, 1, 1)))
    }

    @Test("After the notice date, to extend or not needs a reason; after the end nothing is decided; a municipality outside the round is refused")
    func lateDecisionsNeedAReason() throws {
        let c = Self.contract("CRISIS-2026-001", municipalities: ["aalten"])
        var round = Self.round([c])
        round.advices.append(try round.advise(.doNotExtend, text: "Onvoldoende resultaat.", by: "o@doetinchem.nl", at: Self.at))
        #expect(throws: ExtensionRoundError.term(.lateWithoutReason(noticeDate: Self.date(2027, 6, 30)))) {
            try round.decide(.doNotExtend, contract: c.number, municipality: "aalten", on: Self.date(2027, 7, 1), reason: " ", by: "a", at: Self.at)
        }
        #expect(throws: ExtensionRoundError.term(.lateWithoutReason(noticeDate: Self.date(2027, 6, 30)))) {
            try round.decide(.extend, contract: c.number, municipality: "aalten", on: Self.date(2027, 7, 1), reason: "", by: "a", at: Self.at)
        }
        // On the notice date itself no reason is needed.
        _ = try round.decide(.doNotExtend, contract: c.number, municipality: "aalten", on: Self.date(2027, 6, 30), reason: "", by: "a", at: Self.at)
        let (late, _) = try round.decide(.extend, contract: c.number, municipality: "aalten", on: Self.date(2027, 9, 1), reason: "raadsbesluit liep uit",
                                         by: "a", at: Self.at)
        #expect(late.reason == "raadsbesluit liep uit")
        #expect(throws: ExtensionRoundError.term(.afterTermEnd(end: Self.date(2027, 12, 31)))) {
            try round.decide(.doNotExtend, contract: c.number, municipality: "aalten", on: Self.date(2028, 1, 1), reason: "te laat", by: "a", at: Self.at)
        }
        #expect(throws: ExtensionRoundError.notInRound(contract: c.number, municipality: "winterswijk")) {
            try round.intend(.extend, contract: c.number, municipality: "winterswijk", note: "", by: "w", at: Self.at)
        }
    }

    @Test("The start page shows a municipality its intentions and decisions from four months before the notice date, and nothing before")
    func toDoOnTheStartPage() throws {
        let c = Self.contract("CRISIS-2026-001", municipalities: ["aalten", "doetinchem"])
        var round = Self.round([c])
        #expect(round.toDoForLead(on: Self.date(2027, 2, 27)).isEmpty)
        #expect(round.toDoForLead(on: Self.date(2027, 2, 28)) == ["verlengingsadvies schrijven, uiterlijk 31-3-2027"])
        #expect(round.toDo(for: "aalten", on: Self.date(2027, 3, 1)).isEmpty, "nothing for a municipality before the advice")
        round.advices.append(try round.advise(.extend, text: "Verlengen.", by: "o", at: Self.at))
        #expect(round.toDo(for: "aalten", on: Self.date(2027, 3, 1)) == [
            "voornemen voor 1 overeenkomst(en), uiterlijk 30-4-2027",
            "besluit over 1 overeenkomst(en), uiterlijk 31-5-2027 (opzegdatum 30-6-2027)",
        ])
        #expect(round.toDo(for: "winterswijk", on: Self.date(2027, 3, 1)).isEmpty)
    }
}

@Suite("Coverage: contracted places against the required minimum per municipality")
struct CoverageTests {
    @Test("A cell counts the places of contracts running for the municipality that may deliver; a gap is the shortfall, named in words")
    func cellsAndGaps() throws {
        // Aa needs 4 places, Bee 2, Cee none; Bee said no-go, so the segment covers Aa and Cee.
        let design = smallDesign(capacity: ["a": 4, "b": 2])
        let scope = TenderScope(design: design, tender: "T", subSegments: ["SS"], noGo: [NoGo(segment: "S", municipality: "b")])
        let term = design.tenders[0].contractTerm
        func contract(_ n: String, _ places: [String: Int], proofs: [StartProof] = []) -> RegisteredContract {
            RegisteredContract(number: n, source: .award, tender: "T", bid: nil, segment: "S", title: "",
                               parties: [ContractParty(role: .lead, organisation: n, name: "Aanbieder \(n)", kvkNumber: nil)],
                               subSegments: ["SS"], term: term, start: term.start,
                               terms: places.keys.sorted().map { MunicipalTerm(municipality: $0, end: term.initialEnd, extensionsUsed: 0) },
                               capacity: ["SS": places], proofs: proofs)
        }
        let open = StartProof(requirement: "KEURMERK", name: "Keurmerk", due: MunicipalExtensionTests.date(2026, 9, 1))
        let contracts = [contract("T-001", ["a": 3]), contract("T-002", ["a": 5], proofs: [open])]
        let coverage = Coverage(scope: scope, tender: "T", contracts: contracts, on: MunicipalExtensionTests.date(2026, 6, 1))
        #expect(coverage.municipalities.map(\.code) == ["a", "c"])
        let aa = try #require(coverage.cell("a", "SS"))
        #expect(aa.supply.map(\.contract) == ["T-001", "T-002"])
        #expect(aa.contracted == 3, "the 5 places of a contract whose gate is closed do not count")
        #expect(aa.gap == 1)
        #expect(aa.dutch == "tekort 1")
        #expect(coverage.cell("c", "SS")?.dutch == "geen aanbieder")
        #expect(coverage.cell("b", "SS") == nil)
        #expect(coverage.gaps.map(\.municipality) == ["a", "c"])
        // Once the keurmerk is accepted Aa is covered (3 + 5 = 8 of 4).
        var accepted = contracts
        accepted[1].proofs[0].acceptedOn = MunicipalExtensionTests.date(2026, 5, 1)
        #expect(Coverage(scope: scope, tender: "T", contracts: accepted, on: MunicipalExtensionTests.date(2026, 6, 1)).cell("a", "SS")?.dutch == "gedekt")
        // After the initial end without extension Aa has no provider left.
        let later = Coverage(scope: scope, tender: "T", contracts: accepted, on: MunicipalExtensionTests.date(2028, 1, 1))
        #expect(later.cell("a", "SS")?.dutch == "geen aanbieder")
        #expect(later.cell("a", "SS")?.gap == 4)
    }
}

@Suite("Coverage after an extension round, as intended")
struct CoverageAfterRoundTests {
    @Test("Intentions to extend count as made, decisions as decided: a municipality whose only provider is not extended is left without supply")
    func coverageAsIntended() throws {
        let design = smallDesign(capacity: ["a": 2, "b": 2])
        let scope = TenderScope(design: design, tender: "T", subSegments: ["SS"], noGo: [])
        let term = design.tenders[0].contractTerm
        let c = RegisteredContract(number: "T-001", source: .award, tender: "T", bid: nil, segment: "S", title: "",
                                   parties: [ContractParty(role: .lead, organisation: "o", name: "Aanbieder", kvkNumber: nil)],
                                   subSegments: ["SS"], term: term, start: term.start,
                                   terms: ["a", "b"].map { MunicipalTerm(municipality: $0, end: term.initialEnd, extensionsUsed: 0) },
                                   capacity: ["SS": ["a": 2, "b": 3]])
        let at = Date(timeIntervalSince1970: 0)
        var round = ExtensionRound(tender: "T", segment: "S", end: term.initialEnd, contracts: [c])
        round.intentions = [ExtensionIntention(contract: "T-001", municipality: "a", choice: .extend, note: "", by: "a", at: at),
                            ExtensionIntention(contract: "T-001", municipality: "b", choice: .doNotExtend, note: "", by: "b", at: at)]
        let after = round.coverageAfter(scope: scope)
        #expect(after.day == CalendarDate(iso: "2028-01-01"))
        #expect(after.cell("a", "SS")?.dutch == "gedekt")
        #expect(after.cell("b", "SS")?.dutch == "geen aanbieder")
        #expect(after.cell("c", "SS")?.dutch == "geen aanbieder")
        // The extension runs to 31-12-2028, the one extension of 12 months the small design allows.
        #expect(round.contractsAsIntended[0].term(of: "a")?.end == CalendarDate(iso: "2028-12-31"))
        #expect(round.contractsAsIntended[0].term(of: "b")?.end == CalendarDate(iso: "2027-12-31"))
    }
}
