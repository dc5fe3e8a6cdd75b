import Foundation
import Vapor

/// The server's clock, injected so tests can stand a millisecond either side of a deadline.
public struct AppClock: Sendable {
    public var now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date) { self.now = now }

    public static let system = AppClock { Date() }
}

extension Application {
    private struct ClockKey: StorageKey {
        typealias Value = AppClock
    }

    public var clock: AppClock {
        get { storage[ClockKey.self] ?? .system }
        set { storage[ClockKey.self] = newValue }
    }
}

extension Request {
    private struct NowKey: StorageKey {
        typealias Value = Date
    }

    /// The request's instant: read from the clock once, so that every check before a decision sees
    /// the same moment. A decision reads the clock again inside its transaction.
    var now: Date {
        if let known = storage[NowKey.self] { return known }
        let now = application.clock.now()
        storage[NowKey.self] = now
        return now
    }
}
