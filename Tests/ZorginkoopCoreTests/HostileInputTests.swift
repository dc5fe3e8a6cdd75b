import Foundation
import Testing
@testable import ZorginkoopCatalog
@testable import ZorginkoopCore

@Suite("Hostile input is refused with a message, never a crash")
struct HostileInputTests {
    @Test("A design nested 10,000 deep is refused at its place, not decoded")
    func deepNestingIsRefused() throws {
        let data = Data((String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)).utf8)
        #expect(throws: FileProblems.self) { let _: Design = try Catalog.decode(data, file: "diep.json") }
        let problem = try #require(JSONLimits.problem(in: data))
        #expect(problem.message.contains("te diep genest"))
        #expect(problem.path == "regel 1, kolom 65")
    }

    @Test("Nesting up to the limit passes the limits")
    func nestingAtTheLimitPasses() {
        let data = Data((String(repeating: "[", count: JSONLimits.maxDepth) + String(repeating: "]", count: JSONLimits.maxDepth)).utf8)
        #expect(JSONLimits.problem(in: data) == nil)
    }

    @Test("A number of 10^15 or more is refused; one just under passes")
    func hugeNumbersAreRefused() throws {
        #expect(JSONLimits.problem(in: Data(#"{"weights": {"Q1": 4611686018427387904}}"#.utf8))?.message.contains("te groot") == true)
        #expect(JSONLimits.problem(in: Data(#"[1e300]"#.utf8))?.message.contains("te groot") == true)
        #expect(JSONLimits.problem(in: Data(#"[-1000000000000000]"#.utf8)) != nil)
        #expect(JSONLimits.problem(in: Data(#"[999999999999999, 7.5, -3]"#.utf8)) == nil)
    }

    @Test("A NUL or other control character escaped in a JSON text is refused; tab and newline are text")
    func controlCharactersInJSONTexts() {
        #expect(JSONLimits.problem(in: Data(#"{"name": "Zorg\u0000A"}"#.utf8))?.message.contains("U+0000") == true)
        #expect(JSONLimits.problem(in: Data(#"{"name": "a\bb"}"#.utf8)) != nil)
        #expect(JSONLimits.problem(in: Data("{\"name\": \"a\u{85}b\"}".utf8)) != nil)
        #expect(JSONLimits.problem(in: Data(#"{"name": "regel 1\nregel 2\tkolom \"citaat\" \\ \u00e9"}"#.utf8)) == nil)
    }

    @Test("A design with weights near 2^62 is reported, not trapped on overflow")
    func overflowingWeightsAreReported() {
        var design = smallDesign()
        design.lots[0].segments[0].weights = ["Q1": 1 << 62, "Q2": 1 << 62]
        let problems = design.validate()
        #expect(problems.contains { $0.message.contains("ligt niet tussen 0 en 100") })
    }

    @Test("A contract term with extension counts near 2^62 is reported, not trapped on overflow")
    func overflowingTermIsReported() {
        var design = smallDesign()
        design.tenders[0].contractTerm.extensionMonths = 1 << 62
        design.tenders[0].contractTerm.maxExtensions = 1 << 62
        let problems = design.validate()
        #expect(problems.contains { $0.path.hasSuffix("contractTerm.extensionMonths") })
        let term = ContractTerm(start: CalendarDate(year: 2027, month: 1, day: 1)!, initialTermMonths: 24, extensionMonths: 1 << 62, maxExtensions: 1 << 62)
        #expect(term.maxTotalMonths == Int.max)
    }

    @Test("Names refuse NUL, other control characters, line breaks and bidirectional overrides; ordinary names pass")
    func namesRefuseHidingCharacters() {
        #expect(TextRules.problem(inName: "Zorg\u{0}A") != nil)
        #expect(TextRules.problem(inName: "Zorg\u{202E}A") != nil)
        #expect(TextRules.problem(inName: "Zorg\u{2066}A") != nil)
        #expect(TextRules.problem(inName: "Zorg\nA") != nil)
        #expect(TextRules.problem(inName: "Zorg\u{7}A") != nil)
        #expect(TextRules.problem(inName: "Stichting Jeugd & Gezin 's-Heerenberg (Zoë)") == nil)
        #expect(TextRules.problem(inText: "Alinea één.\n\tAlinea twee.") == nil)
        #expect(TextRules.problem(inText: "a\u{0}b") != nil)
    }
}
