import Foundation

/// The rule of the sealed vault: bids are read only after the deadline, and only when two
/// different procurement officers have each confirmed the opening, the second within ten
/// minutes of the first (as TenderNed does). An older first confirmation lapses.
public enum VaultOpening {
    public static let confirmationWindow: TimeInterval = 10 * 60

    public struct Confirmation: Codable, Hashable, Sendable {
        public var officer: String
        public var at: Date

        public init(officer: String, at: Date) {
            self.officer = officer
            self.at = at
        }
    }

    public enum Decision: Hashable, Sendable {
        /// The confirmation is refused, with the reason.
        case refused(String)
        /// Recorded; a second officer must still confirm before `until`.
        case awaitingSecond(first: Confirmation, until: Date)
        /// Two officers confirmed: the vault opens now.
        case open(Confirmation, Confirmation)
    }

    /// Decides what an officer's confirmation at `now` does, given the confirmations so far.
    /// The opening time is the published one: not before it, even when the deadline has passed.
    public static func confirm(by officer: String, at now: Date, deadline: Date, opening: Date, earlier: [Confirmation]) -> Decision {
        if Deadline.isOnTime(now, deadline: deadline) {
            return .refused("De kluis kan pas open na het sluiten van de inschrijvingstermijn.")
        }
        if now < opening {
            return .refused("De kluis kan pas open op het gepubliceerde openingstijdstip.")
        }
        let mine = Confirmation(officer: officer, at: now)
        guard let pending = pendingFirst(earlier, now: now) else {
            return .awaitingSecond(first: mine, until: now.addingTimeInterval(confirmationWindow))
        }
        if pending.officer == officer {
            return .refused("U heeft de opening al bevestigd; een tweede, andere inkoper moet bevestigen.")
        }
        return .open(pending, mine)
    }

    /// The latest confirmation still within its window, if any.
    public static func pendingFirst(_ confirmations: [Confirmation], now: Date) -> Confirmation? {
        confirmations.filter { now.timeIntervalSince($0.at) <= confirmationWindow && $0.at <= now }.max { $0.at < $1.at }
    }
}
