import Fluent
import Foundation
import Vapor
import ZorginkoopCore
import ZorginkoopInterop

/// KPI reports in the database.
enum KPIStore {
    static func all(on db: Database, contracts: [StoredContract]) async throws -> [KPIReport] {
        let numbers = Dictionary(uniqueKeysWithValues: contracts.map { ($0.id, $0.contract.number) })
        guard !numbers.isEmpty else { return [] }
        return try await KPIReportRecord.query(on: db).filter(\.$contract.$id ~~ Array(numbers.keys)).all().compactMap { r in
            guard let number = numbers[r.$contract.id], let day = CalendarDate(iso: r.reportedOn) else { return nil }
            return KPIReport(contract: number, kpi: r.kpi, period: r.period, value: r.value, reportedOn: day, by: r.by)
        }
    }

    /// Writes the reports; one for a period already reported replaces it. Returns the corrected
    /// ones with their earlier value, for the audit entry.
    @discardableResult
    static func save(_ reports: [KPIReport], contracts: [String: UUID], at: Date, on db: Database) async throws -> [(KPIReport, Int)] {
        var corrected: [(KPIReport, Int)] = []
        for report in reports {
            guard let contract = contracts[report.contract] else { throw Abort(.notFound) }
            let existing = try await KPIReportRecord.query(on: db).filter(\.$contract.$id == contract).filter(\.$kpi == report.kpi)
                .filter(\.$period == report.period).first()
            if let existing { corrected.append((report, existing.value)) }
            let row = existing ?? KPIReportRecord()
            row.$contract.id = contract
            row.kpi = report.kpi
            row.period = report.period
            row.value = report.value
            row.reportedOn = report.reportedOn.description
            row.by = report.by
            row.at = at
            try await row.save(on: db)
        }
        return corrected
    }
}

/// Reports as a provider sends them (a form, a CSV line or a JSON item), checked one by one
/// against its own contracts and the design's KPIs: every fault names its line or item.
struct KPIIntake: Sendable {
    struct Line: Sendable {
        /// The CSV line, the JSON item's index, or the form field's KPI.
        var place: String
        var contract: String
        var kpi: String
        var period: String
        var value: String
    }

    var contracts: [RegisteredContract]
    var design: Design
    var day: CalendarDate
    var by: String

    func check(_ lines: [Line]) -> (reports: [KPIReport], problems: [Problem]) {
        var reports: [KPIReport] = []
        var problems: [Problem] = []
        var seen = Set<String>()
        for line in lines {
            guard let contract = contracts.first(where: { $0.number == line.contract }) else {
                problems.append(Problem(line.place, "overeenkomst '\(line.contract)' is niet van uw organisatie of bestaat niet"))
                continue
            }
            guard let value = DutchFormat.parseThousandths(line.value) else {
                problems.append(Problem(line.place, "'\(line.value)' is geen getal (gebruik een komma voor decimalen, zoals 87,5)"))
                continue
            }
            do {
                let report = try contract.report(line.kpi, period: line.period, value: value, design: design, on: day, by: by)
                guard seen.insert("\(report.contract)|\(report.kpi)|\(report.period)").inserted else {
                    problems.append(Problem(line.place, "\(report.kpi) voor \(report.period) staat twee keer in de aanlevering"))
                    continue
                }
                reports.append(report)
            } catch {
                problems.append(Problem(line.place, error.description))
            }
        }
        return (reports, problems)
    }

    static let columns = ["overeenkomst", "kpi", "periode", "waarde"]

    /// The lines of an uploaded CSV (`overeenkomst;kpi;periode;waarde`), each named by its line.
    static func lines(csv data: Data) throws(DutchCSV.ReadError) -> [Line] {
        try DutchCSV.read(data, requiring: columns).map {
            Line(place: "regel \($0.line)", contract: $0["overeenkomst"], kpi: $0["kpi"].uppercased(), period: $0["periode"], value: $0["waarde"])
        }
    }
}
