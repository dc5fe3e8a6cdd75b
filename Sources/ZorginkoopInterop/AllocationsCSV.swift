import Foundation
import ZorginkoopCore

/// Allocations as a municipality's system exports them, one per line (`docs/finance.md`):
/// `toewijzingnummer;bsn;gemeente;aanbieder;productcategorie;productcode;eenheid;volume;frequentie;ingangsdatum;einddatum`.
/// Product code, unit, volume, frequency and end date may be empty (an aspecific or open allocation).
public enum AllocationsCSV {
    public static let columns = ["toewijzingnummer", "bsn", "gemeente", "aanbieder", "productcategorie", "productcode", "eenheid", "volume",
                                 "frequentie", "ingangsdatum", "einddatum"]

    /// Every problem names its line and column; nothing is returned unless every line is right.
    public static func read(_ data: Data) throws(MessageProblems) -> [Allocation] {
        let rows: [DutchCSV.Row]
        do { rows = try DutchCSV.read(data, requiring: columns) } catch { throw MessageProblems(problems: [Problem("", error.dutch)]) }
        var problems: [Problem] = []
        var out: [Allocation] = []
        var seen: Set<String> = []
        for row in rows {
            func bad(_ column: String, _ message: String) { problems.append(Problem("regel \(row.line), kolom \(column)", message)) }
            let number = row["toewijzingnummer"], bsn = row["bsn"], municipality = row["gemeente"], provider = row["aanbieder"]
            if number.isEmpty || number.count > 9 || !number.allSatisfy(\.isASCIIDigit) { bad("toewijzingnummer", "een toewijzingnummer is een getal van hoogstens negen cijfers") }
            if !BSN.isValid(bsn) { bad("bsn", "geen geldig BSN (negen cijfers die de elfproef doorstaan)") }
            if municipality.count != 4 || !municipality.allSatisfy(\.isASCIIDigit) { bad("gemeente", "een gemeentecode bestaat uit vier cijfers, zoals 0222") }
            if provider.count != 8 || !provider.allSatisfy(\.isASCIIDigit) { bad("aanbieder", "een AGB-code bestaat uit acht cijfers") }
            let category = row["productcategorie"]
            if category.count != 2 || !category.allSatisfy(\.isASCIIDigit) { bad("productcategorie", "een productcategorie bestaat uit twee cijfers") }
            let code = row["productcode"]
            if code.count > 5 { bad("productcode", "een productcode heeft hoogstens vijf tekens") }
            let unit = row["eenheid"].isEmpty ? nil : ProductUnit(rawValue: row["eenheid"])
            if !row["eenheid"].isEmpty && unit == nil { bad("eenheid", "'\(row["eenheid"])' is geen eenheid (01, 04, 14, 16, 82, 83 of 84)") }
            let volume = row["volume"].isEmpty ? nil : Int(row["volume"])
            if !row["volume"].isEmpty && (volume == nil || volume! < 0) { bad("volume", "'\(row["volume"])' is geen geheel getal van 0 of meer") }
            let frequency = row["frequentie"].isEmpty ? nil : VolumeFrequency(rawValue: row["frequentie"])
            if !row["frequentie"].isEmpty && frequency == nil { bad("frequentie", "'\(row["frequentie"])' is geen frequentie (1 per dag, 2 per week, 4 per maand, 6 totaal)") }
            if (volume == nil) != (frequency == nil) { bad(volume == nil ? "volume" : "frequentie", "volume en frequentie horen bij elkaar: geef beide of geen van beide") }
            let start = CalendarDate(entered: row["ingangsdatum"])
            if start == nil { bad("ingangsdatum", "'\(row["ingangsdatum"])' is geen datum (zoals 1-4-2026 of 2026-04-01)") }
            let end = row["einddatum"].isEmpty ? nil : CalendarDate(entered: row["einddatum"])
            if !row["einddatum"].isEmpty && end == nil { bad("einddatum", "'\(row["einddatum"])' is geen datum") }
            if let start, let end, end < start { bad("einddatum", "de einddatum ligt voor de ingangsdatum") }
            if !seen.insert(municipality + "/" + number).inserted { bad("toewijzingnummer", "toewijzing \(number) van gemeente \(municipality) staat er meer dan eens in") }
            guard let start else { continue }
            out.append(Allocation(number: number, client: bsn, municipality: municipality, provider: provider, category: category,
                                  code: code.isEmpty ? nil : code, unit: unit, volume: volume, frequency: frequency, start: start, end: end))
        }
        guard problems.isEmpty else { throw MessageProblems(problems: problems) }
        return out
    }
}
