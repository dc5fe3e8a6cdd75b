import Foundation
import Testing
@testable import ZorginkoopCore

@Suite("The published times are the ones that count")
struct PublishedTimesTests {
    let deadline = Date(timeIntervalSince1970: 1_800_000_000)
    var opening: Date { deadline.addingTimeInterval(3600) }

    @Test("The vault refuses a confirmation a millisecond before the published opening, and takes one at it")
    func vaultOpensAtTheOpeningTime() {
        let before = VaultOpening.confirm(by: "a@x.nl", at: opening.addingTimeInterval(-0.001), deadline: deadline, opening: opening, earlier: [])
        guard case let .refused(reason) = before else { Issue.record("expected a refusal, got \(before)"); return }
        #expect(reason.contains("openingstijdstip"))
        let at = VaultOpening.confirm(by: "a@x.nl", at: opening, deadline: deadline, opening: opening, earlier: [])
        guard case .awaitingSecond = at else { Issue.record("expected a first confirmation, got \(at)"); return }
    }

    @Test("A tender published ahead of its time is scheduled until that instant, then open")
    func publicationTakesEffectAtItsTime() {
        let publication = deadline.addingTimeInterval(-86_400 * 30)
        #expect(TenderPhase.of(publishedAt: publication, openedAt: nil, deadline: deadline, now: publication.addingTimeInterval(-0.001)) == .scheduled)
        #expect(TenderPhase.of(publishedAt: publication, openedAt: nil, deadline: deadline, now: publication) == .open)
        #expect(TenderPhase.of(publishedAt: nil, openedAt: nil, deadline: deadline, now: publication) == .draft)
    }

    @Test("The proposed term keeps the design's months and starts on a first of the month after the earliest award")
    func proposedTermStartsAfterTheAward() {
        let design = ContractTerm(start: CalendarDate(year: 2026, month: 1, day: 1)!, initialTermMonths: 48, extensionMonths: 24, maxExtensions: 2)
        // Opening 15 January 2027 (Amsterdam): earliest start 14 February, so the first of March.
        let opening = Amsterdam.startOfDay(CalendarDate(year: 2027, month: 1, day: 15)!).addingTimeInterval(10 * 3600)
        let term = TenderContractTerm.proposed(from: design, opening: opening)
        #expect(term.start == CalendarDate(year: 2027, month: 3, day: 1)!)
        #expect(term.initialEnd == CalendarDate(year: 2031, month: 2, day: 28)!)
        #expect(term.maxEnd == CalendarDate(year: 2035, month: 2, day: 28)!)
        #expect(term.maxTotalMonths == 96)
        let timeline = TenderTimeline(publication: opening.addingTimeInterval(-86_400 * 40), questionDeadlines: [opening.addingTimeInterval(-86_400 * 20)],
                                      submissionDeadline: opening.addingTimeInterval(-3600), opening: opening)
        #expect(TenderContractTerm.validate(term, timeline: timeline).isEmpty)
        #expect(TenderContractTerm.validate(design, timeline: timeline).map(\.path) == ["contractTerm.start"])
    }

    @Test("Contracts may not start before the day of the final award")
    func startBeforeAwardIsRefused() throws {
        let design = smallDesign()
        let start = design.tenders[0].contractTerm.start
        #expect(throws: AwardError.startBeforeAward(start: start, award: start.dayAfter())) {
            try Contract.requireStart(of: design, tender: "T", notBefore: start.dayAfter())
        }
        try Contract.requireStart(of: design, tender: "T", notBefore: start)
    }
}
