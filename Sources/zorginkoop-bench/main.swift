import Foundation
import ZorginkoopCatalog
import ZorginkoopCore

// Benchmarks of the domain core. Run in release mode:
//   swift run -c release zorginkoop-bench [selection] [--regions 42] [--bids 200] [--iterations 30]
//   swift run -c release zorginkoop-bench declarations [--pandas]   (DeclarationsBenchmark.swift)
// Prints the figures; it asserts nothing, so a slow machine gives a slow figure, not a red build.

func option(_ name: String, default value: Int) -> Int {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: "--\(name)"), i + 1 < args.count, let n = Int(args[i + 1]), n > 0 else { return value }
    return n
}

func milliseconds(_ d: Duration) -> Double {
    Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

if CommandLine.arguments.dropFirst().first == "declarations" {
    do { try runDeclarationsBenchmark() } catch { exit(1) }
    exit(0)
}

let regions = option("regions", default: 42)
let bidsPerRegion = option("bids", default: 200)
let iterations = option("iterations", default: 30)

let design = try Catalog.bundledDesign("achterhoek-2022")
// Each region gets its own bids (its own seed), spread over the design's sub-segments.
let inputs = (1...regions).map { ExampleBids.generate(design: design, seed: UInt64($0), totalBids: bidsPerRegion) }
let bidCount = inputs.reduce(0) { $0 + $1.bids.count }
let entries = inputs.reduce(0) { $0 + $1.bids.reduce(0) { $0 + $1.subSegments.count } }

var timings: [Double] = []
var selected = 0
let clock = ContinuousClock()
_ = try inputs.map { try SelectionEngine.select($0, design: design) }  // warm-up
for _ in 0..<iterations {
    var count = 0
    let elapsed = try clock.measure {
        for input in inputs {
            count += try SelectionEngine.select(input, design: design).subSegments.reduce(0) { $0 + $1.selected.count }
        }
    }
    selected = count
    timings.append(milliseconds(elapsed))
}
timings.sort()
var validationTimings: [Double] = []
for _ in 0..<iterations {
    var problems = 0
    validationTimings.append(milliseconds(clock.measure {
        for input in inputs { problems += input.validate(against: design).count }
    }))
    precondition(problems == 0)
}
validationTimings.sort()
print("selection benchmark: \(regions) regions × design \(design.code) (\(design.subSegments.count) sub-segments), \(bidCount) bids, \(entries) bid × sub-segment entries, \(selected) selected")
print("validate + rank + select + explain, all regions, one core, \(iterations) runs:")
print(String(format: "  min %.1f ms   median %.1f ms   p95 %.1f ms   max %.1f ms", timings[0], percentile(timings, 0.5), percentile(timings, 0.95), timings.last!))
print(String(format: "  of which validating the input: median %.1f ms", percentile(validationTimings, 0.5)))
print(String(format: "  target < 100 ms: %@", percentile(timings, 0.5) < 100 ? "met" : "NOT met"))
