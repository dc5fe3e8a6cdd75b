import Foundation
import Testing
import ZorginkoopCatalog
import ZorginkoopCLI
import ZorginkoopCore
import ZorginkoopFuzzing

/// Thousands of mutated designs and bid files through `design validate` and `select`: every one is
/// answered with a result or a refusal that names the file, never a crash.
@Suite("Fuzzing the command line's inputs")
struct FuzzTests {
    static let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zorginkoop-fuzz-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    static func seeds() throws -> (design: Data, bids: Data) {
        let design = try Catalog.bundledDesign("achterhoek-2022")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bids = ExampleBids.generate(design: design, seed: 7, totalBids: 40)
        return (try encoder.encode(design), try encoder.encode(bids))
    }

    /// What the CLI does with a file: a result, or FileProblems with at least one problem.
    static func outcome(validate path: String) -> String? {
        do {
            _ = try Catalog.loadDesign(at: path)
            return nil
        } catch let problems as FileProblems {
            return problems.problems.isEmpty ? "FileProblems without a problem" : nil
        } catch {
            return "unexpected error \(type(of: error)): \(error)"
        }
    }

    static func outcome(select path: String) -> String? {
        do {
            _ = try SelectionReport.select(file: path)
            return nil
        } catch let problems as FileProblems {
            return problems.problems.isEmpty ? "FileProblems without a problem" : nil
        } catch {
            return "unexpected error \(type(of: error)): \(error)"
        }
    }

    @Test("3,000 mutated designs and bid files: design validate and select refuse or answer each, in process")
    func inProcess() throws {
        let (design, bids) = try Self.seeds()
        var mutator = JSONMutator(seed: 2026)
        var refused = 0
        for i in 0..<3_000 {
            let isDesign = i % 2 == 0
            let data = mutator.mutate(isDesign ? design : bids)
            let path = Self.directory.appendingPathComponent("case-\(i).json").path
            try data.write(to: URL(fileURLWithPath: path))
            let problem = isDesign ? Self.outcome(validate: path) : Self.outcome(select: path)
            #expect(problem == nil, "case \(i): \(problem ?? "")")
            if isDesign, (try? Catalog.loadDesign(at: path)) == nil { refused += 1 }
            try? FileManager.default.removeItem(atPath: path)
        }
        // The mutations are hostile: most designs must have been refused, so the fuzzing reached the checks.
        #expect(refused > 1_000)
    }

    @Test("150 mutated files through the zorginkoop executable: exit 0 or 2 with the file named, never a signal")
    func throughTheExecutable() throws {
        let (design, bids) = try Self.seeds()
        var mutator = JSONMutator(seed: 62)
        for i in 0..<150 {
            let isDesign = i % 2 == 0
            let path = Self.directory.appendingPathComponent("exe-\(i).json").path
            try mutator.mutate(isDesign ? design : bids).write(to: URL(fileURLWithPath: path))
            let run = isDesign ? try CLI.run("design", "validate", path) : try CLI.run("select", path)
            #expect(run.status == 0 || run.status == 2, "case \(i): status \(run.status), \(run.stderr.prefix(300))")
            if run.status == 2 { #expect(run.stderr.contains(path), "case \(i): \(run.stderr.prefix(300))") }
            try? FileManager.default.removeItem(atPath: path)
        }
    }
}
