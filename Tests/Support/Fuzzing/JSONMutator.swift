import Foundation
import ZorginkoopCore

/// Mutates valid JSON into hostile JSON, reproducibly from a seed: the fuzz tests feed the results to
/// `select`, `design validate` and the API, which must answer every one with a clear refusal (exit 2,
/// a 4xx) or a result, and never crash or answer 5xx.
public struct JSONMutator {
    var random: SeededRandom

    public init(seed: UInt64) { random = SeededRandom(seed: seed) }

    /// A mutation of `source`: structural (values replaced by extremes, keys dropped, lists
    /// emptied or repeated, deep nesting) or textual (bytes flipped, spans cut or repeated).
    public mutating func mutate(_ source: Data) -> Data {
        if random.chance(0.6), let value = try? JSONSerialization.jsonObject(with: source, options: [.fragmentsAllowed]) {
            var tree = value
            for _ in 0..<(1 + Int(random.next() % 3)) { tree = mutateValue(tree, depth: 0) }
            if let data = try? JSONSerialization.data(withJSONObject: tree, options: [.fragmentsAllowed]) { return data }
        }
        return mutateText(source)
    }

    mutating func pick(_ count: Int) -> Int { Int(random.next() % UInt64(max(count, 1))) }

    /// Walks to a random place in the tree and replaces what is there.
    mutating func mutateValue(_ value: Any, depth: Int) -> Any {
        if var object = value as? [String: Any], !object.isEmpty, random.chance(0.8) {
            let key = object.keys.sorted()[pick(object.count)]
            if random.chance(0.15) {
                object[key] = nil
            } else {
                object[key] = mutateValue(object[key]!, depth: depth + 1)
            }
            return object
        }
        if var array = value as? [Any], !array.isEmpty, random.chance(0.8) {
            let i = pick(array.count)
            switch pick(10) {
            case 0: array.remove(at: i)
            case 1: array.append(array[i])
            case 2: array = []
            default: array[i] = mutateValue(array[i], depth: depth + 1)
            }
            return array
        }
        return hostileValue()
    }

    mutating func hostileValue() -> Any {
        switch pick(16) {
        case 0: return 4_611_686_018_427_387_904
        case 1: return -4_611_686_018_427_387_904
        case 2: return Int.max
        case 3: return 1e300
        case 4: return -1
        case 5: return 0
        case 6: return 0.0001
        case 7: return "Zorg\u{0}A"
        case 8: return "Zorg\u{202E}A"
        case 9: return String(repeating: "x", count: 100_000)
        case 10: return ""
        case 11: return NSNull()
        case 12: return true
        case 13: return [Any]()
        case 14: return [String: Any]()
        default: return deepArray(Int(random.next() % 300) + 1)
        }
    }

    func deepArray(_ depth: Int) -> Any {
        var value: Any = [Any]()
        for _ in 0..<depth { value = [value] }
        return value
    }

    mutating func mutateText(_ source: Data) -> Data {
        var bytes = [UInt8](source)
        guard !bytes.isEmpty else { return Data("[".utf8) }
        let i = pick(bytes.count)
        switch pick(7) {
        case 0: bytes[i] = UInt8(truncatingIfNeeded: random.next())
        case 1: bytes.removeSubrange(i..<min(bytes.count, i + 1 + pick(64)))
        case 2: bytes.insert(contentsOf: bytes[i..<min(bytes.count, i + 1 + pick(256))], at: i)
        case 3: bytes = Array(bytes.prefix(i))
        case 4: bytes.insert(contentsOf: Array(String(repeating: "[", count: 10_000).utf8), at: i)
        case 5: bytes.insert(contentsOf: Array("99999999999999999999999".utf8), at: i)
        default: bytes.insert(contentsOf: Array(#"\u0000"#.utf8), at: i)
        }
        return Data(bytes)
    }
}
