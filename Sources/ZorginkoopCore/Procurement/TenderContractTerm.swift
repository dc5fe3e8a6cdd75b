import Foundation

extension ContractTerm {
    /// A term from its start and its months; the end dates and the maximum follow from them, so
    /// they cannot disagree.
    /// Counts out of range are kept as given, for validation to report; the end dates are then
    /// computed from them clamped, so that no count, however large, overflows the arithmetic.
    public init(start: CalendarDate, initialTermMonths: Int, extensionMonths: Int, maxExtensions: Int) {
        let (product, overflowed) = extensionMonths.multipliedReportingOverflow(by: maxExtensions)
        let (sum, overflowedAgain) = initialTermMonths.addingReportingOverflow(product)
        let total = overflowed || overflowedAgain ? Int.max : sum
        let clamp = { (months: Int) in Swift.min(Swift.max(months, 0), Design.maxTermMonths * 2) }
        self.init(start: start, initialEnd: start.lastDayOfPeriod(months: clamp(initialTermMonths)), initialTermMonths: initialTermMonths,
                  extensionMonths: extensionMonths, maxExtensions: maxExtensions, maxTotalMonths: total,
                  maxEnd: start.lastDayOfPeriod(months: clamp(total)))
    }
}

/// The contract term belongs to the tender: the design's term table gives the months, the officer
/// sets the start for this procedure (a design written in 2025 starting 1-1-2026 would otherwise
/// start contracts before their award). Requirement proofs are judged against this start, and the
/// contracts of the final award run from it.
public enum TenderContractTerm {
    /// The days between the opening and the earliest award: assessment plus the 20-day standstill.
    public static let minimumDaysAfterOpening = 30

    /// The months of the design's term, from its own start when that is far enough after the
    /// opening, otherwise from the first of the first month that is.
    public static func proposed(from design: ContractTerm, opening: Date) -> ContractTerm {
        let earliest = earliestStart(opening: opening)
        var start = design.start
        if start < earliest {
            start = CalendarDate(year: earliest.year, month: earliest.month, day: 1)!
            if start < earliest { start = start.adding(months: 1) }
        }
        return ContractTerm(start: start, initialTermMonths: design.initialTermMonths, extensionMonths: design.extensionMonths,
                            maxExtensions: design.maxExtensions)
    }

    /// The term in one line, as corrections and the tender page show it.
    public static func dutch(_ term: ContractTerm) -> String {
        "start \(term.start.dutch), \(term.initialTermMonths) maanden tot en met \(term.initialEnd.dutch), "
            + "\(term.maxExtensions) × \(term.extensionMonths) maanden verlenging, uiterlijk tot en met \(term.maxEnd.dutch)"
    }

    public static func earliestStart(opening: Date) -> CalendarDate {
        var day = Amsterdam.day(of: opening)
        for _ in 0..<minimumDaysAfterOpening { day = day.dayAfter() }
        return day
    }

    /// What is wrong with a tender's term, by field (`contractTerm.start`, …).
    public static func validate(_ term: ContractTerm, timeline: TenderTimeline) -> [Problem] {
        var v = ProblemCollector()
        let bounds = [("initialTermMonths", term.initialTermMonths, 1, Design.maxTermMonths),
                      ("extensionMonths", term.extensionMonths, 0, Design.maxTermMonths),
                      ("maxExtensions", term.maxExtensions, 0, Design.maxExtensions)]
        for (field, value, low, high) in bounds where !(low...high).contains(value) {
            v.add("contractTerm.\(field)", "kies een aantal van \(low) tot en met \(high)")
        }
        guard v.problems.isEmpty else { return v.problems }
        if term.maxExtensions > 0 && term.extensionMonths == 0 {
            v.add("contractTerm.extensionMonths", "er zijn verlengingen mogelijk maar een verlenging duurt 0 maanden")
        }
        if term.maxTotalMonths > Design.maxTermMonths {
            v.add("contractTerm.maxExtensions", "de looptijd met alle verlengingen is langer dan \(Design.maxTermMonths) maanden")
        }
        let earliest = earliestStart(opening: timeline.opening)
        if term.start < earliest {
            v.add("contractTerm.start", "de overeenkomst kan niet starten voor de gunning: kies \(earliest.dutch) of later (de opening plus \(minimumDaysAfterOpening) dagen voor beoordeling en opschortende termijn)")
        }
        return v.problems
    }
}

extension TenderScope {
    /// The term of the tender's contracts, as set for this tender.
    public var contractTerm: ContractTerm? { designTender?.contractTerm }

    /// The scope with this tender's term in its frozen copy of the design, where the selection and
    /// the contracts read it.
    public func with(contractTerm term: ContractTerm) -> TenderScope {
        var scope = self
        if let index = scope.design.tenders.firstIndex(where: { $0.code == tender }) {
            scope.design.tenders[index].contractTerm = term
        }
        return scope
    }
}
