import Foundation
import Testing
@testable import ZorginkoopServer

@Suite("Time-ordered ids")
struct TimeOrderedIDTests {
    @Test("A time-ordered id is a version 7 UUID whose first 48 bits are its milliseconds since 1970")
    func layout() {
        let at = Date(timeIntervalSince1970: 1_796_115_600.123)
        let id = UUID.timeOrdered(at: at)
        let bytes = withUnsafeBytes(of: id.uuid) { Array($0) }
        let milliseconds = bytes[0..<6].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        #expect(milliseconds == 1_796_115_600_123)
        #expect(bytes[6] >> 4 == 7)
        #expect(bytes[8] >> 6 == 0b10)
        #expect(Array(id.uuidString)[14] == "7")
    }

    @Test("Ids of later milliseconds sort after earlier ones, as bytes and as the upper-case text SQLite stores; ids are unique")
    func orderAndUniqueness() {
        let start = Date(timeIntervalSince1970: 1_796_115_600)
        let ids = (0..<2000).map { UUID.timeOrdered(at: start.addingTimeInterval(Double($0) / 1000)) }
        #expect(ids.map(\.uuidString) == ids.map(\.uuidString).sorted())
        let sameMillisecond = (0..<10_000).map { _ in UUID.timeOrdered(at: start) }
        #expect(Set(sameMillisecond).count == sameMillisecond.count)
    }
}
