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
