import Foundation

/// The notice period before a term ends: a municipality decides on an extension, and the parties
/// are told, no later than this many months before the end (default six).
public struct NoticePolicy: Hashable, Codable, Sendable {
    public var monthsBeforeEnd: Int

    public init(monthsBeforeEnd: Int = 6) { self.monthsBeforeEnd = monthsBeforeEnd }

    /// The last day for the decision and its notice: the same day `monthsBeforeEnd` months earlier,
    /// and a term that ends on the last day of a month has its notice date on the last day of that
    /// earlier month (31-12-2027 → 30-06-2027; 29-02-2028 → 31-08-2027).
    public func noticeDate(forEnd end: CalendarDate) -> CalendarDate {
        let earlier = end.adding(months: -monthsBeforeEnd)
        guard end.day == CalendarDate.daysIn(month: end.month, year: end.year) else { return earlier }
        return CalendarDate(year: earlier.year, month: earlier.month, day: CalendarDate.daysIn(month: earlier.month, year: earlier.year))!
    }
}

/// One municipality's term of a contract: extensions are decided per municipality, so one
/// contract can run on for some and end for others.
public struct MunicipalTerm: Hashable, Codable, Sendable {
    public var municipality: String
    public var end: CalendarDate
    public var extensionsUsed: Int

    public init(municipality: String, end: CalendarDate, extensionsUsed: Int) {
        self.municipality = municipality
        self.end = end
        self.extensionsUsed = extensionsUsed
    }
}

public enum ExtensionError: Error, Equatable, Sendable, CustomStringConvertible {
    case noExtensionsLeft(maximum: Int)
    case beyondMaximumEnd(wouldEnd: CalendarDate, maximumEnd: CalendarDate)
    case afterTermEnd(end: CalendarDate)
    case lateWithoutReason(noticeDate: CalendarDate)

    public var description: String {
        switch self {
        case let .noExtensionsLeft(maximum):
            "Deze overeenkomst is al \(maximum) keer verlengd, het maximum van de aanbesteding."
        case let .beyondMaximumEnd(wouldEnd, maximumEnd):
            "Verlengen zou de overeenkomst laten lopen tot \(wouldEnd.dutch), na de maximale einddatum \(maximumEnd.dutch)."
        case let .afterTermEnd(end):
            "De looptijd is op \(end.dutch) geëindigd; een beëindigde overeenkomst kan niet meer worden verlengd."
        case let .lateWithoutReason(noticeDate):
            "Het besluit valt na de opzegdatum \(noticeDate.dutch); geef de reden waarom zo laat wordt besloten."
        }
    }
}

extension ContractTerm {
    /// The municipality's term after one more extension, decided on `decidedOn`: the extension's
    /// length from the tender's term table, within its number of extensions and its maximum end,
    /// to the day; a decision after the notice date needs an explicit reason.
    public func extend(_ term: MunicipalTerm, decidedOn: CalendarDate, reason: String?, notice: NoticePolicy = NoticePolicy()) throws -> MunicipalTerm {
        guard decidedOn <= term.end else { throw ExtensionError.afterTermEnd(end: term.end) }
        guard term.extensionsUsed < maxExtensions else { throw ExtensionError.noExtensionsLeft(maximum: maxExtensions) }
        let newEnd = end(afterExtensions: term.extensionsUsed + 1)
        guard newEnd <= maxEnd, initialTermMonths + extensionMonths * (term.extensionsUsed + 1) <= maxTotalMonths else {
            throw ExtensionError.beyondMaximumEnd(wouldEnd: newEnd, maximumEnd: maxEnd)
        }
        let noticeDate = notice.noticeDate(forEnd: term.end)
        if decidedOn > noticeDate, (reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ExtensionError.lateWithoutReason(noticeDate: noticeDate)
        }
        return MunicipalTerm(municipality: term.municipality, end: newEnd, extensionsUsed: term.extensionsUsed + 1)
    }
}
