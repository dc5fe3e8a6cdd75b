import Foundation

/// The standstill period (Alcatel-termijn, opschortende termijn) of a provisional award decision.
///
/// Rule, after the Dutch Aanbestedingswet 2012, art. 2.127: the contract may not be signed until
/// at least 20 calendar days have passed after the decision was sent; the period starts on the
/// day after the day of sending. Days are Amsterdam calendar days: the sending day is the day in
/// Europe/Amsterdam of the instant the decision was sent, day 1 is the day after, and the period
/// ends at the end of day 20, 23:59:59 Amsterdam time (the last second before the next midnight),
/// whatever the daylight-saving changes in between.
///
/// Assumption, to be confirmed by the region's lawyer: the end is not moved when day 20 is a
/// Saturday, Sunday or public holiday (the Algemene termijnenwet is not applied); a region that
/// wants it longer sends the decision earlier or publishes a later end in the letter itself.
public struct Standstill: Codable, Hashable, Sendable {
    public static let calendarDays = 20

    /// The instant the provisional award decision was sent.
    public var sentAt: Date
    /// Day 1 of the period: the day after sending.
    public var firstDay: CalendarDate
    /// Day 20: the last day of the period.
    public var lastDay: CalendarDate
    /// 23:59:59 Amsterdam time on the last day.
    public var endsAt: Date

    public init(sentAt: Date) {
        self.sentAt = sentAt
        let sendingDay = Amsterdam.day(of: sentAt)
        firstDay = sendingDay.dayAfter()
        lastDay = sendingDay.adding(days: Standstill.calendarDays)
        endsAt = Amsterdam.startOfDay(lastDay.dayAfter()).addingTimeInterval(-1)
    }

    /// The first instant after the period: midnight at the start of the day after the last day.
    public var endedAt: Date { endsAt.addingTimeInterval(1) }

    /// Whether the period is running at `instant`: from sending up to and including 23:59:59 of day 20.
    public func isRunning(at instant: Date) -> Bool { instant >= sentAt && instant < endedAt }

    /// Whether the period is over at `instant`: from midnight after day 20 on.
    public func hasEnded(at instant: Date) -> Bool { instant >= endedAt }

    /// "t/m 9-4-2026 23:59:59": the end as shown to bidders.
    public var dutchEnd: String { "tot en met \(Amsterdam.dutchDateTime(endsAt))" }

    /// Whether a segment's contracts may be signed at `instant`: only after the standstill has
    /// ended and while no objection on the segment is open. The reasons say what blocks it.
    public func signing(segment: String, objections: [Objection], at instant: Date) -> SigningDecision {
        var reasons: [String] = []
        if !hasEnded(at: instant) {
            reasons.append("de opschortende termijn loopt nog \(dutchEnd)")
        }
        for objection in objections where objection.segment == segment && objection.state.isOpen {
            reasons.append("\(objection.kind.dutch) \(objection.id) van \(objection.bidder) is nog open (\(objection.state.dutch))")
        }
        return reasons.isEmpty ? .allowed : .blocked(reasons: reasons)
    }
}

public enum SigningDecision: Codable, Hashable, Sendable {
    case allowed
    case blocked(reasons: [String])
}
