import ArgumentParser
import Foundation
import ZorginkoopCatalog
import ZorginkoopCore

struct SelectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "select",
        abstract: "Rangschik en selecteer per sub-segment volgens de wachtkamerregel, met toelichting.")

    @Argument(help: "Bestand met beoordeelde inschrijvingen (formaat: docs/selection.md).")
    var file: String

    @Option(help: "table of json.")
    var format: OutputFormat = .table

    func run() async throws {
        let selection = try SelectionReport.select(file: file)
        print(format == .json ? jsonString(selection) : SelectionReport.table(selection))
    }
}

public enum SelectionReport {
    /// Reads the assessed bids and their design, and runs the selection.
    public static func select(file: String) throws -> TenderSelection {
        let input: AssessedBids = try Catalog.decodeFile(at: file)
        let base = URL(fileURLWithPath: file).deletingLastPathComponent()
        let design: Design
        do {
            design = try Catalog.design(named: input.design, relativeTo: base)
        } catch let error as FileProblems {
            throw FileProblems(file: file, problems: [Problem("design", "ontwerp '\(input.design)' is niet bruikbaar")]
                               + error.problems.map { Problem("design → \(error.file)\($0.path.isEmpty ? "" : ": " + $0.path)", $0.message) })
        }
        do {
            return try SelectionEngine.select(input, design: design)
        } catch let error as InvalidInput {
            throw FileProblems(file: file, problems: error.problems)
        }
    }

    public static func table(_ selection: TenderSelection) -> String {
        var out: [String] = ["Selectie voor aanbesteding \(selection.tender) (ontwerp \(selection.design))", ""]
        for result in selection.subSegments {
            out.append(section(result))
            out.append("")
        }
        return out.joined(separator: "\n")
    }

    static func section(_ r: SubSegmentSelection) -> String {
        var out: [String] = []
        out.append("== \(r.code) \(r.name) (segment \(r.segment)) — minimum \(r.min), maximum \(r.max)")
        let selected = Set(r.selected)
        let invited = Set(r.explanation.filter { $0.kind == .invitedForCoverage }.flatMap(\.bids))
        let tied = Set(r.ties.flatMap(\.bids))
        if r.ranking.isEmpty {
            out.append("Rangorde: geen geschikte inschrijvingen")
        } else {
            out.append(TextTable(["Pos", "Rang", "Inschrijving", "Inschrijver", "Score", "Uitkomst"], alignRight: [0, 1, 4]).rendering(
                r.ranking.map { b in
                    let status = invited.contains(b.bid) ? "uitgenodigd voor dekking"
                        : selected.contains(b.bid) ? "geselecteerd"
                        : tied.contains(b.bid) ? "wachtkamer (gelijke score, loting nodig)" : "wachtkamer"
                    let tieMark = b.tied ? (b.orderedByDraw ? " (loting)" : " =") : ""
                    return ["\(b.position)", "\(b.rank)", b.bid, b.bidder, b.score.plain.replacingOccurrences(of: ".", with: ",") + tieMark, status]
                }))
        }
        out.append("Geselecteerd (\(r.selected.count)): \(r.selected.isEmpty ? "geen" : r.selected.joined(separator: ", "))")
        out.append("Wachtkamer (\(r.waitingRoom.count)): \(r.waitingRoom.isEmpty ? "leeg" : r.waitingRoom.joined(separator: ", "))")
        if r.excluded.isEmpty {
            out.append("Uitgesloten: geen")
        } else {
            out.append("Uitgesloten (\(r.excluded.count)):")
            out += r.excluded.map { "  \($0.bid) \($0.bidder): \($0.reasons.joined(separator: "; "))" }
        }
        out.append("Gaten in de dekking: \(r.gaps.isEmpty ? "geen" : r.gaps.map(\.description).joined(separator: "; "))")
        if let shortfall = r.shortfall {
            out.append("Tekort: \(shortfall.eligible) geschikte inschrijving(en) bij een minimum van \(shortfall.min)")
        }
        if r.maximumReachedWithGaps { out.append("Maximum bereikt terwijl er nog gaten zijn.") }
        for tie in r.ties {
            out.append("Onopgeloste gelijke score (\(tie.stage == .minimum ? "bij het minimum" : "bij de dekking")): \(tie.bids.joined(separator: ", ")) voor \(tie.places) plaats(en); leg een loting vast.")
        }
        for condition in r.conditions {
            out.append("Voorwaarde: \(condition.bid) toont minimumeis \(condition.requirement) uiterlijk \(condition.expected.dutch) aan.")
        }
        out.append("Toelichting:")
        out += r.explanation.map { "  \($0.number). \($0.text)" }
        return out.joined(separator: "\n")
    }
}
