import Foundation
import Testing
@testable import ZorginkoopCore

@Suite("Standstill period, objections and signing")
struct StandstillTests {
    @Test("20 calendar days from the day after sending, ending 23:59:59 Amsterdam time, across the spring DST change")
    func acrossSpringDST() {
        // Sent on Friday 20 March 2026 in winter time; clocks go forward on 29 March.
        let s = Standstill(sentAt: instant("2026-03-20T10:00:00+01:00"))
        #expect(s.firstDay == day("2026-03-21"))
        #expect(s.lastDay == day("2026-04-09"))
        #expect(s.endsAt == instant("2026-04-09T23:59:59+02:00"))
        #expect(s.endedAt == instant("2026-04-10T00:00:00+02:00"))
        #expect(s.dutchEnd == "tot en met 9-4-2026 23:59:59")
    }

    @Test("Across the autumn DST change the end is 23:59:59 winter time")
    func acrossAutumnDST() {
        // Clocks go back on 25 October 2026.
        let s = Standstill(sentAt: instant("2026-10-10T16:00:00+02:00"))
        #expect(s.lastDay == day("2026-10-30"))
        #expect(s.endsAt == instant("2026-10-30T23:59:59+01:00"))
    }

    @Test("The sending day is the Amsterdam day, not the UTC day; the period crosses a year end")
    func amsterdamDay() {
        // 00:30 on 1 July in Amsterdam is still 30 June in UTC.
        let s = Standstill(sentAt: instant("2026-06-30T22:30:00Z"))
        #expect(s.lastDay == day("2026-07-21"))
        #expect(s.endsAt == instant("2026-07-21T23:59:59+02:00"))
        #expect(Standstill(sentAt: instant("2026-12-20T12:00:00+01:00")).lastDay == day("2027-01-09"))
    }

    let standstill = Standstill(sentAt: instant("2026-03-20T10:00:00+01:00"))

    func lodge(_ id: String = "K1", segment: String = "S", at: Date, kind: ObjectionKind = .complaint) throws -> Objection {
        try Objection(id: id, bidder: "Aanbieder B", segment: segment, kind: kind, summary: "Score Q1 onjuist",
                      lodgedAt: at, standstill: standstill)
    }

    @Test("An objection is accepted up to 23:59:59 of day 20 and refused from midnight, to the second")
    func lodgingDeadline() throws {
        let end = standstill.endsAt
        #expect(try lodge(at: end).state == .lodged)
        #expect(try lodge(at: end.addingTimeInterval(0.5)).state == .lodged)
        #expect(throws: AwardError.lodgedOutsideStandstill(lodgedAt: end.addingTimeInterval(1), standstillEnd: end)) {
            try lodge(at: end.addingTimeInterval(1))
        }
        #expect(throws: AwardError.self) { try lodge(at: standstill.sentAt.addingTimeInterval(-60)) }
        #expect(throws: AwardError.missingText(field: "omschrijving van het bezwaar")) {
            try Objection(id: "K2", bidder: "B", segment: "S", kind: .complaint, summary: "", lodgedAt: end, standstill: standstill)
        }
        let summons = try lodge(at: end, kind: .summaryProceedings)
        #expect(summons.kind.dutch == "kort geding")
    }

    @Test("Objection states: lodged, in handling, then upheld, rejected or withdrawn; closed stays closed")
    func transitions() throws {
        var k = try lodge(at: instant("2026-03-25T12:00:00+01:00"))
        #expect(throws: AwardError.missingText(field: "motivering van de afhandeling")) {
            try k.move(to: .rejected, by: "officer", at: t0, note: "")
        }
        try k.move(to: .inHandling, by: "officer", at: t0, note: "")
        #expect(throws: AwardError.invalidTransition(from: .inHandling, to: .lodged)) {
            try k.move(to: .lodged, by: "officer", at: t0, note: "")
        }
        #expect(throws: AwardError.invalidTransition(from: .inHandling, to: .inHandling)) {
            try k.move(to: .inHandling, by: "officer", at: t0, note: "")
        }
        try k.move(to: .rejected, by: "officer", at: t0, note: "De score is juist gemotiveerd")
        #expect(k.state == .rejected && !k.state.isOpen)
        #expect(k.history.map(\.state) == [.lodged, .inHandling, .rejected])
        #expect(throws: AwardError.objectionClosed(objection: "K1", state: .rejected)) {
            try k.move(to: .upheld, by: "officer", at: t0, note: "x")
        }
    }

    @Test("Contracts of a segment are signed only after the standstill and with no open objection on it")
    func signing() throws {
        var k = try lodge(at: instant("2026-04-01T12:00:00+02:00"))
        let other = try lodge("K9", segment: "OTHER", at: instant("2026-04-01T12:00:00+02:00"))
        let during = standstill.endsAt
        let after = standstill.endedAt
        #expect(standstill.signing(segment: "S", objections: [], at: during)
            == .blocked(reasons: ["de opschortende termijn loopt nog tot en met 9-4-2026 23:59:59"]))
        #expect(standstill.signing(segment: "S", objections: [k, other], at: after)
            == .blocked(reasons: ["klacht K1 van Aanbieder B is nog open (ingediend)"]))
        #expect(standstill.signing(segment: "T", objections: [k], at: after) == .allowed)
        try k.move(to: .withdrawn, by: "Aanbieder B", at: after, note: "Ingetrokken na toelichting")
        #expect(standstill.signing(segment: "S", objections: [k], at: after) == .allowed)
    }
}
