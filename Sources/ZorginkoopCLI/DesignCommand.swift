import ArgumentParser
import Foundation
import ZorginkoopCatalog
import ZorginkoopCore

struct DesignCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "design",
        abstract: "Inkoopontwerpen controleren en tonen.",
        subcommands: [Validate.self, Show.self, List.self])

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Controleer een ontwerpbestand; elke fout met de plaats van het veld, exit-status 2.")

        @Argument(help: "Het ontwerpbestand (JSON).")
        var file: String

        func run() async throws {
            print(try DesignReport.validate(file: file))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Toon een meegeleverd ontwerp of een ontwerpbestand.")

        @Argument(help: "Code van een meegeleverd ontwerp (bijvoorbeeld achterhoek-2022) of pad naar een bestand.")
        var design: String

        @Option(help: "table of json.")
        var format: OutputFormat = .table

        func run() async throws {
            let design = try Catalog.design(named: design)
            print(format == .json ? jsonString(design) : DesignReport.table(design))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Toon de meegeleverde ontwerpen.")

        func run() async throws {
            for code in Catalog.bundledDesignCodes {
                let design = try Catalog.bundledDesign(code)
                print("\(code)\t\(design.name)")
            }
        }
    }
}

/// The human-readable forms of a design.
public enum DesignReport {
    /// Validates a design file; returns the confirmation or throws the problems.
    public static func validate(file: String) throws -> String {
        let design = try Catalog.loadDesign(at: file)
        return "\(file): geldig ontwerp '\(design.code)' met \(design.lots.count) percelen, \(design.segments.count) segmenten, \(design.subSegments.count) sub-segmenten en \(design.tenders.count) aanbesteding(en)."
    }

    public static func table(_ design: Design) -> String {
        var out: [String] = []
        out.append("\(design.name) (\(design.code))")
        out.append(design.description)
        out.append("")
        let lead = design.municipality(design.region.leadMunicipality)?.name ?? design.region.leadMunicipality
        out.append("Regio: \(design.region.name); penvoerder: \(lead)")
        out.append(TextTable(["Gemeente", "CBS-code", "Cliënten", "Vervoer"], alignRight: [2]).rendering(
            design.region.municipalities.map { [$0.name, $0.cbsCode, "\($0.clients) (\($0.clientsYear))", $0.transportArrangement] }
            + [["Totaal", "", "\(design.region.totalClients)", ""]]))
        out.append("Beoordelingsschaal: \(design.scoreScale.dutchDescription)")
        out.append("")
        for lot in design.lots {
            out.append("Perceel \(lot.code): \(lot.name)")
            for segment in lot.segments {
                out.append("  Segment \(segment.code): \(segment.name) — bekostiging: \(segment.fundingModel.dutchName)")
                let weights = lot.criteria.map { "\($0.name) \(segment.weights[$0.code] ?? 0)%" }.joined(separator: ", ")
                out.append("    Weging: \(weights)")
                let participants = design.participants(ofSegment: segment).map(\.name)
                out.append("    Deelnemende gemeenten (\(participants.count)): \(participants.joined(separator: ", "))")
                for np in segment.nonParticipation {
                    out.append("    Neemt niet deel: \(design.municipality(np.municipality)?.name ?? np.municipality) — \(np.reason)")
                }
                out.append(TextTable(["Sub-segment", "Naam", "Min", "Max", "Dekkingseisen"], alignRight: [2, 3], indent: 4).rendering(
                    segment.subSegments.map { sub in
                        var coverage: [String] = []
                        if !sub.requiredSpecialisms.isEmpty { coverage.append("specialismen: \(sub.requiredSpecialisms.joined(separator: ", "))") }
                        if !sub.requiredCapacity.isEmpty { coverage.append("capaciteit: \(sub.requiredCapacity.values.reduce(0, +)) plaatsen") }
                        return [sub.code, sub.name, "\(sub.minProviders)", "\(sub.maxProviders)", coverage.joined(separator: "; ")]
                    }))
            }
            out.append("")
        }
        out.append("Minimumeisen")
        out.append(TextTable(["Code", "Eis", "Geldt voor", "Bewijs mag later"], indent: 2).rendering(
            design.requirements.map { [$0.code, $0.name, $0.lots.isEmpty ? "alle percelen" : $0.lots.joined(separator: ", "), $0.proofMayFollow ? "ja, uiterlijk bij start" : "nee"] }))
        out.append("")
        out.append("Aanbestedingen en looptijden")
        out.append(TextTable(["Code", "Aanbesteding", "Start", "Einde initieel", "Initieel", "Verlenging", "Max. verl.", "Max. totaal", "Uiterlijk einde"],
                             alignRight: [4, 5, 6, 7], indent: 2).rendering(
            design.tenders.map { t in
                let term = t.contractTerm
                return [t.code, t.name, term.start.dutch, term.initialEnd.dutch, "\(term.initialTermMonths) mnd",
                        "\(term.extensionMonths) mnd", "\(term.maxExtensions)×", "\(term.maxTotalMonths) mnd", term.maxEnd.dutch]
            }))
        if !design.notes.isEmpty {
            out.append("")
            out.append("Bronnen en aannames")
            out += design.notes.map { "  - \($0)" }
        }
        return out.joined(separator: "\n")
    }
}
