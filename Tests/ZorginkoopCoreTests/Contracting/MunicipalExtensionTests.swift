import Testing
import ZorginkoopCore

@Suite("Extensions per municipality: the term table to the day")
struct MunicipalExtensionTests {
    static func date(_ y: Int, _ m: Int, _ d: Int) -> CalendarDate { CalendarDate(year: y, month: m, day: d)! }

    /// Crisis Jeugdhulp (DOMAIN.md): 1-1-2026 to 31-12-2027, three extensions of 24 months, at most 8 years.
    static let crisis = ContractTerm(start: date(2026, 1, 1), initialEnd: date(2027, 12, 31), initialTermMonths: 24, extensionMonths: 24,
                                     maxExtensions: 3, maxTotalMonths: 96, maxEnd: date(2033, 12, 31))

    @Test("The notice date is six months before the end by default; a month-end term has a month-end notice date, leap days included")
    func noticeDates() {
        let policy = NoticePolicy()
        #expect(policy.noticeDate(forEnd: Self.date(2027, 12, 31)) == Self.date(2027, 6, 30))
        #expect(policy.noticeDate(forEnd: Self.date(2028, 2, 29)) == Self.date(2027, 8, 31))
        #expect(policy.noticeDate(forEnd: Self.date(2028, 8, 31)) == Self.date(2028, 2, 29))
        #expect(policy.noticeDate(forEnd: Self.date(2027, 8, 15)) == Self.date(2027, 2, 15))
        #expect(NoticePolicy(monthsBeforeEnd: 3).noticeDate(forEnd: Self.date(2029, 12, 31)) == Self.date(2029, 9, 30))
    }

    @Test("Crisis Jeugdhulp extends three times, to 31-12-2029, 31-12-2031 and 31-12-2033, and not a fourth time")
    func threeExtensionsThenNone() throws {
        var term = MunicipalTerm(municipality: "winterswijk", end: Self.date(2027, 12, 31), extensionsUsed: 0)
        for (expected, decided) in [(Self.date(2029, 12, 31), Self.date(2027, 5, 1)), (Self.date(2031, 12, 31), Self.date(2029, 6, 30)),
                                    (Self.date(2033, 12, 31), Self.date(2031, 1, 15))] {
            term = try Self.crisis.extend(term, decidedOn: decided, reason: nil)
            #expect(term.end == expected)
        }
        #expect(term.extensionsUsed == 3)
        #expect(throws: ExtensionError.noExtensionsLeft(maximum: 3)) {
            try Self.crisis.extend(term, decidedOn: Self.date(2033, 1, 1), reason: "nog langer")
        }
    }

    @Test("An extension past the maximum end is refused, even with extensions left")
    func maximumEnd() {
        var short = Self.crisis
        short.maxEnd = Self.date(2031, 12, 31)
        short.maxTotalMonths = 72
        let term = MunicipalTerm(municipality: "aalten", end: Self.date(2031, 12, 31), extensionsUsed: 2)
        #expect(throws: ExtensionError.beyondMaximumEnd(wouldEnd: Self.date(2033, 12, 31), maximumEnd: Self.date(2031, 12, 31))) {
            try short.extend(term, decidedOn: Self.date(2031, 3, 1), reason: nil)
        }
    }

    @Test("A decision after the notice date needs a reason, to the day; after the end nothing can be extended")
    func lateDecisions() throws {
        let term = MunicipalTerm(municipality: "doetinchem", end: Self.date(2027, 12, 31), extensionsUsed: 0)
        #expect(try Self.crisis.extend(term, decidedOn: Self.date(2027, 6, 30), reason: nil).end == Self.date(2029, 12, 31))
        #expect(throws: ExtensionError.lateWithoutReason(noticeDate: Self.date(2027, 6, 30))) {
            try Self.crisis.extend(term, decidedOn: Self.date(2027, 7, 1), reason: "  ")
        }
        #expect(try Self.crisis.extend(term, decidedOn: Self.date(2027, 7, 1), reason: "Raadsbesluit kwam later").extensionsUsed == 1)
        #expect(throws: ExtensionError.afterTermEnd(end: Self.date(2027, 12, 31))) {
            try Self.crisis.extend(term, decidedOn: Self.date(2028, 1, 1), reason: "te laat")
        }
    }

    @Test("A term that starts on 1 March ends on a leap day when its period ends in a leap February")
    func leapYearEnd() throws {
        let march = ContractTerm(start: Self.date(2026, 3, 1), initialEnd: Self.date(2028, 2, 29), initialTermMonths: 24, extensionMonths: 24,
                                 maxExtensions: 1, maxTotalMonths: 48, maxEnd: Self.date(2030, 2, 28))
        #expect(march.end(afterExtensions: 0) == Self.date(2028, 2, 29))
        let term = MunicipalTerm(municipality: "berkelland", end: Self.date(2028, 2, 29), extensionsUsed: 0)
        #expect(NoticePolicy().noticeDate(forEnd: term.end) == Self.date(2027, 8, 31))
        #expect(try march.extend(term, decidedOn: Self.date(2027, 8, 31), reason: nil).end == Self.date(2030, 2, 28))
    }
}
