import Foundation
import ZorginkoopCore

// The national declarations benchmark (issue 13, docs/performance.md):
//   swift run -c release zorginkoop-bench declarations [--clients 1700000] [--regions 42] [--iterations 3] [--data DIR] [--pandas]
// Generates 24 months of declaration lines for the clients of 42 regions (seeded, the same every
// run), checks every line with the product's DeclarationEngine and sums approved and rejected
// spend per municipality × segment × provider × month. With --pandas it writes the same data as
// raw columns and runs scripts/bench-declarations.py on it in the same run, and compares results.

struct DeclarationsBenchmark {
    static let months = 24
    static let firstMonth = YearMonth(year: 2025, month: 1)
    static let municipalityCount = 342
    static let segmentsPerRegion = 6
    static let productsPerSegment = 5
    static let providersPerRegion = 150

    var contracts: [DeclarationEngine.ContractRow] = []
    var allocations: [DeclarationEngine.AllocationRow?] = []
    var lines: [DeclarationEngine.Line] = []
    var cellCount = 0
    var referenceCount = 0
    var allocationCount = 0
    var municipalityOfRegion: [[Int32]] = []

    /// The product of segment `s`, number `k`: category 40 + s, one id per (segment, product).
    static func product(_ segment: Int, _ k: Int) -> Int32 { Int32(segment * productsPerSegment + k) }

    static func generate(clients: Int, regions: Int, seed: UInt64 = 13) -> DeclarationsBenchmark {
        var b = DeclarationsBenchmark()
        var random = SeededRandom(seed: seed)
        func uniform(_ n: Int) -> Int { Int(random.next() % UInt64(n)) }
        let windowStart = Int32(firstMonth.first.dayNumber)
        let windowEndMonth = Int32(firstMonth.index + months)

        // Municipalities to regions, round robin; each region contracts its providers for one or two segments.
        b.municipalityOfRegion = (0..<regions).map { r in (0..<municipalityCount).filter { $0 % regions == r }.map(Int32.init) }
        var contractsOf: [[Int32]] = Array(repeating: [], count: municipalityCount)
        var cells: [Int64: Int32] = [:]
        for r in 0..<regions {
            for k in 0..<providersPerRegion {
                let provider = Int32(r * (providersPerRegion - 20) + k)  // neighbouring regions share 20 providers
                let segments = uniform(3) == 0 ? [uniform(segmentsPerRegion), uniform(segmentsPerRegion)] : [uniform(segmentsPerRegion)]
                for segment in Array(Set(segments)).sorted() {  // sorted: a Set's order differs per process
                    let tariffs = (0..<productsPerSegment).map { _ in Int64(4000 + uniform(12_000)) }
                    let gated = random.chance(0.005)
                    for m in b.municipalityOfRegion[r] {
                        let cellKey = Int64(m) << 40 | Int64(segment) << 32 | Int64(provider)
                        let cell = cells[cellKey] ?? { let c = Int32(cells.count); cells[cellKey] = c; return c }()
                        for p in 0..<productsPerSegment {
                            contractsOf[Int(m)].append(Int32(b.contracts.count))
                            let t = tariffs[p]
                            b.contracts.append(.init(provider: provider, municipality: m, product: product(segment, p), from: windowStart,
                                                     to: Int32(YearMonth(year: 2028, month: 12).first.dayNumber) + 30,
                                                     deliveryFrom: gated ? Int32.max : windowStart, firstTariffYear: 2025,
                                                     tariffs: [t, t + t * 3 / 100, t + t * 6 / 100], cell: cell, crisis: segment == 5))
                        }
                    }
                }
            }
        }
        b.cellCount = cells.count

        var reference: Int32 = 0
        func line(_ allocation: Int32, _ a: DeclarationEngine.AllocationRow, contract c: DeclarationEngine.ContractRow,
                  month: Int32, begin: Int32, end: Int32, volume: Int32) -> DeclarationEngine.Line {
            let tariff = Int32(c.tariffs[Int(month) / 12 - 2025])
            defer { reference += 1 }
            return .init(reference: reference, previousReference: -1, allocation: allocation, client: a.client, provider: a.provider,
                         municipality: a.municipality, product: c.product, category: c.product / Int32(productsPerSegment), unit: .hour,
                         month: month, begin: begin, end: end, volume: volume, tariff: tariff, amount: volume * tariff, credit: false)
        }

        for client in 0..<clients {
            let municipality = uniform(municipalityCount)
            for _ in 0..<(random.chance(0.15) ? 2 : 1) {
                let c = b.contracts[Int(contractsOf[municipality][uniform(contractsOf[municipality].count)])]
                let startMonth = Int32(firstMonth.index + uniform(months))
                let startDay = DeclarationEngine.firstDay(ofMonth: startMonth) + Int32(uniform(3) == 0 ? uniform(28) : 0)
                let lastMonth = startMonth + Int32(1 + uniform(months))
                let endDay = DeclarationEngine.firstDay(ofMonth: lastMonth) - 1 - Int32(uniform(2) == 0 ? uniform(20) : 0)
                let frequency: VolumeFrequency = random.chance(0.7) ? .perWeek : (random.chance(0.9) ? .perMonth : .total)
                let allocationId = Int32(b.allocations.count)
                var a = DeclarationEngine.AllocationRow(client: Int32(client), municipality: Int32(municipality), provider: c.provider,
                                                        category: c.product / Int32(productsPerSegment), product: c.product, unit: .hour,
                                                        volume: Int32(frequency == .perMonth ? 4 + uniform(20) : 1 + uniform(6)),
                                                        frequency: frequency, start: startDay, end: endDay)
                var mine: [DeclarationEngine.Line] = []
                var month = startMonth
                while month < min(lastMonth, windowEndMonth) {
                    let begin = max(DeclarationEngine.firstDay(ofMonth: month), startDay)
                    let end = min(DeclarationEngine.firstDay(ofMonth: month + 1) - 1, endDay)
                    if begin <= end {
                        // Declared volumes stay at 80 % of the month's maximum, so that only an injected fault breaks the total.
                        let maximum: Int32 = switch frequency {
                        case .perWeek: Int32(DeclarationEngine.isoWeeks(begin, end)) * a.volume * 4 / 5
                        case .perMonth: a.volume * 4 / 5
                        default: 10
                        }
                        mine.append(line(allocationId, a, contract: c, month: month, begin: begin, end: end, volume: max(1, Int32(uniform(Int(maximum) + 1)))))
                    }
                    month += 1
                }
                if frequency == .total, !mine.isEmpty {
                    let sum = mine.reduce(0) { $0 + $1.volume }
                    a.volume = random.chance(0.05) ? sum - 1 : sum  // a fault: the last line breaks the total
                }
                b.allocations.append(a)
                b.lines += mine
            }
        }
        // Faults, each in a small share of the lines, independent of each other.
        let original = b.lines.count
        for i in 0..<original {
            // A fault that raises the volume, or a copy, stays off allocations with a total: there the pandas
            // version's running sum would count a rejected line for the lines after it.
            let total = b.allocations.indices.contains(Int(b.lines[i].allocation)) && b.allocations[Int(b.lines[i].allocation)]?.frequency == .total
            if random.chance(0.004) { b.lines[i].tariff += 1; b.lines[i].amount = b.lines[i].volume * b.lines[i].tariff }
            if random.chance(0.002), !total { b.lines[i].volume += 1000; b.lines[i].amount = b.lines[i].volume * b.lines[i].tariff }
            if random.chance(0.002) { b.lines[i].provider = (b.lines[i].provider + 7) % Int32(regions * (providersPerRegion - 20) + 20) }
            if random.chance(0.001) { b.lines[i].allocation = Int32(b.allocations.count) }  // a number no allocation has
            if random.chance(0.001) { b.lines[i].client += 1 }
            if random.chance(0.001), i > 0 { b.lines[i].reference = b.lines[i - 1].reference }
            if random.chance(0.002), !total { var copy = b.lines[i]; copy.reference = reference; reference += 1; b.lines.append(copy) }
        }
        b.referenceCount = Int(reference)
        b.allocationCount = b.allocations.count + 1
        return b
    }

    func engine() -> DeclarationEngine {
        DeclarationEngine(contracts: contracts, allocations: allocations, allocationsKnown: Array(repeating: true, count: Self.municipalityCount),
                          referenceCount: referenceCount, allocationCount: allocationCount)
    }

    /// The figures both implementations must agree on.
    struct Digest: Codable, Equatable {
        var lines: Int
        var approvedLines: Int
        var approvedCents: Int64
        var rejectedCents: Int64
        var nonEmptySlots: Int
        var rules: [String: Int]
        /// Σ approved cents × (slot + 1), modulo 2^61 − 1: catches cents in the wrong cell or month.
        var slotChecksum: Int64
    }

    static func digest(_ verdicts: [DeclarationEngine.Verdict], _ grid: SpendGrid) -> Digest {
        var rules: [String: Int] = [:]
        for v in verdicts where !v.broken.isApproved {
            for r in v.broken.rules { rules["\(r)", default: 0] += 1 }
        }
        var checksum: Int64 = 0
        let modulus: Int64 = (1 << 61) - 1
        for (s, slot) in grid.slots.enumerated() where slot.approvedCents != 0 {
            checksum = Int64((Int128(checksum) + Int128(slot.approvedCents) * Int128(s + 1)) % Int128(modulus))
        }
        return Digest(lines: verdicts.count, approvedLines: verdicts.filter(\.broken.isApproved).count,
                      approvedCents: grid.slots.reduce(0) { $0 + $1.approvedCents },
                      rejectedCents: grid.rejectedCents.reduce(0, +) + grid.unattributedRejectedCents,
                      nonEmptySlots: grid.slots.filter { $0.lines > 0 }.count, rules: rules, slotChecksum: checksum)
    }

    // MARK: - Raw columns for the pandas script

    func write(to dir: URL, monthBase: Int32, monthCount: Int) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        func column<T>(_ name: String, _ values: [T]) throws {
            try values.withUnsafeBytes { try Data($0).write(to: dir.appendingPathComponent(name + ".bin")) }
        }
        try column("lines.reference", lines.map(\.reference))
        try column("lines.allocation", lines.map(\.allocation))
        try column("lines.client", lines.map(\.client))
        try column("lines.provider", lines.map(\.provider))
        try column("lines.municipality", lines.map(\.municipality))
        try column("lines.product", lines.map(\.product))
        try column("lines.category", lines.map(\.category))
        try column("lines.month", lines.map(\.month))
        try column("lines.begin", lines.map(\.begin))
        try column("lines.end", lines.map(\.end))
        try column("lines.volume", lines.map(\.volume))
        try column("lines.tariff", lines.map(\.tariff))
        try column("lines.amount", lines.map(\.amount))
        try column("contracts.provider", contracts.map(\.provider))
        try column("contracts.municipality", contracts.map(\.municipality))
        try column("contracts.product", contracts.map(\.product))
        try column("contracts.from", contracts.map(\.from))
        try column("contracts.to", contracts.map(\.to))
        try column("contracts.deliveryFrom", contracts.map(\.deliveryFrom))
        try column("contracts.cell", contracts.map(\.cell))
        for y in 0..<3 { try column("contracts.tariff\(2025 + y)", contracts.map { $0.tariffs[y] }) }
        let rows = allocations.map { $0! }
        try column("allocations.client", rows.map(\.client))
        try column("allocations.municipality", rows.map(\.municipality))
        try column("allocations.provider", rows.map(\.provider))
        try column("allocations.category", rows.map(\.category))
        try column("allocations.product", rows.map(\.product))
        try column("allocations.volume", rows.map(\.volume))
        try column("allocations.frequency", rows.map { Int32($0.frequency.map { Int($0.rawValue)! } ?? 0) })
        try column("allocations.start", rows.map(\.start))
        try column("allocations.end", rows.map(\.end))
        let meta: [String: Int] = ["cells": cellCount, "monthBase": Int(monthBase), "monthCount": monthCount]
        try JSONEncoder().encode(meta).write(to: dir.appendingPathComponent("meta.json"))
    }
}

func runDeclarationsBenchmark() throws {
    let clients = option("clients", default: 1_700_000)
    let regions = option("regions", default: 42)
    let iterations = option("iterations", default: 3)
    let args = CommandLine.arguments
    let withPandas = args.contains("--pandas")
    let dataDir = args.firstIndex(of: "--data").map { URL(fileURLWithPath: args[$0 + 1]) }
        ?? FileManager.default.temporaryDirectory.appendingPathComponent("zorginkoop-declarations-bench")

    let clock = ContinuousClock()
    var data = DeclarationsBenchmark()
    let generation = clock.measure { data = DeclarationsBenchmark.generate(clients: clients, regions: regions) }
    print("declarations benchmark: \(clients) clients in \(regions) regions (\(DeclarationsBenchmark.municipalityCount) municipalities), "
          + "\(DeclarationsBenchmark.months) months, \(data.allocations.count) allocations, \(data.contracts.count) contracted products, "
          + "\(data.cellCount) cells, \(data.lines.count) declaration lines")
    print(String(format: "  generated in %.1f s (not counted)", milliseconds(generation) / 1000))

    // The floor: one pass over the lines that reads what every check reads, and sums.
    var floor: Int64 = 0
    let pass = clock.measure {
        for line in data.lines { floor &+= Int64(line.amount) &+ Int64(line.month) &+ Int64(line.allocation) &+ Int64(line.begin) }
    }
    print(String(format: "  one plain pass over the lines (the floor): %.0f ms [%lld]", milliseconds(pass), floor % 10))

    var timings: [Double] = []
    var digest: DeclarationsBenchmark.Digest?
    var grid: SpendGrid?
    for _ in 0..<iterations {
        var verdicts: [DeclarationEngine.Verdict] = []
        var phases: [Duration] = []
        let elapsed = clock.measure {
            let t0 = clock.now
            var engine = data.engine()  // a fresh ledger each run; building it is counted
            let t1 = clock.now
            verdicts = engine.check(data.lines)
            let t2 = clock.now
            grid = Monitoring.aggregate(lines: data.lines, verdicts: verdicts, engine: engine, cellCount: data.cellCount)
            phases = [t1 - t0, t2 - t1, clock.now - t2]
        }
        print(String(format: "    run: ledger %.0f ms, check %.0f ms, aggregate %.0f ms", milliseconds(phases[0]), milliseconds(phases[1]), milliseconds(phases[2])))
        timings.append(milliseconds(elapsed))
        digest = DeclarationsBenchmark.digest(verdicts, grid!)
    }
    timings.sort()
    let median = percentile(timings, 0.5)
    print(String(format: "  check + aggregate, one core, %d runs: min %.0f ms, median %.0f ms (%.0f ns a line); target < 2000 ms: %@",
                 iterations, timings[0], median, median * 1e6 / Double(data.lines.count), median < 2000 ? "met" : "NOT met"))
    let d = digest!
    print("  \(d.approvedLines) approved, \(d.lines - d.approvedLines) rejected; approved € \(Money(cents: Int(d.approvedCents)).euros); "
          + "rules broken: " + d.rules.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))

    guard withPandas else { return }
    try data.write(to: dataDir, monthBase: grid!.firstMonth, monthCount: grid!.monthCount)
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/bench-declarations.py")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    // One core for pandas too: numpy's threads off.
    process.environment = ProcessInfo.processInfo.environment.merging(["OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"]) { $1 }
    process.arguments = ["taskset", "-c", "0", "python3", script.path, dataDir.path, "--iterations", String(iterations)]
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    let output = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0, let lastLine = String(decoding: output, as: UTF8.self).split(separator: "\n").last,
          let result = try? JSONDecoder().decode(PandasResult.self, from: Data(lastLine.utf8)) else {
        print("  pandas: the script failed (status \(process.terminationStatus)); is pandas installed? pip install pandas")
        throw ExitCodeError()
    }
    print(String(format: "  pandas %@ (same data, same rules), one core, %d runs: median %.0f ms", result.pandas, iterations, result.medianMs))
    print(String(format: "  Swift is %.1f× faster; target ≥ 5×: %@", result.medianMs / median, result.medianMs / median >= 5 ? "met" : "NOT met"))
    print(result.digest == d ? "  results agree: every count, amount and cell checksum is the same"
                             : "  RESULTS DIFFER:\n    swift  \(d)\n    pandas \(result.digest)")
    if result.digest != d { throw ExitCodeError() }
}

struct PandasResult: Decodable {
    var pandas: String
    var medianMs: Double
    var digest: DeclarationsBenchmark.Digest
}

struct ExitCodeError: Error {}
