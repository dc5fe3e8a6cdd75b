import Foundation
import ZorginkoopCore
import ZorginkoopInterop

/// A line chart of one KPI over its periods, drawn on the server as SVG: one line per contract,
/// the target as a dashed line. Lines differ by marker shape and carry their name at the end, so
/// the chart reads without colour; the table under it is the text alternative.
enum KPIChart {
    static func svg(_ series: [KPISeries], names: [String: String], id: String) -> String {
        let periods = Array(Set(series.flatMap { $0.points.map(\.period) })).sorted()
        guard let kpi = series.first?.kpi, !periods.isEmpty else { return "" }
        let width = 640.0, height = 240.0, left = 56.0, right = 150.0, top = 16.0, bottom = 36.0
        let values = series.flatMap { $0.points.compactMap(\.value) } + [kpi.target]
        let maxValue = Double(max(values.max() ?? 1, 1)) * 1.15
        func x(_ p: KPIPeriod) -> Double {
            let i = Double(periods.firstIndex(of: p) ?? 0)
            return left + (periods.count == 1 ? (width - left - right) / 2 : i * (width - left - right) / Double(periods.count - 1))
        }
        func y(_ v: Int) -> Double { top + (height - top - bottom) * (1 - Double(v) / maxValue) }
        func f(_ d: Double) -> String { String(format: "%.1f", d) }
        let unit = kpi.unit.dutch
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-labelledby=\"\(id)-title \(id)-desc\" class=\"chart\">"
        out += "<title id=\"\(id)-title\">\(escape(kpi.name)) per periode</title>"
        let summary = series.map { s in
            "\(names[s.contract] ?? s.contract): " + s.points.map { p in "\(p.period) " + (p.value.map { DutchFormat.thousandths($0) + " " + unit } ?? "niet gerapporteerd") }
                .joined(separator: ", ")
        }.joined(separator: "; ")
        out += "<desc id=\"\(id)-desc\">Norm \(kpi.direction.dutch) \(DutchFormat.thousandths(kpi.target)) \(unit). \(escape(summary))</desc>"
        out += "<line x1=\"\(f(left))\" y1=\"\(f(height - bottom))\" x2=\"\(f(width - right))\" y2=\"\(f(height - bottom))\" class=\"axis\"/>"
        out += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(height - bottom))\" class=\"axis\"/>"
        for p in periods {
            out += "<text x=\"\(f(x(p)))\" y=\"\(f(height - bottom + 18))\" text-anchor=\"middle\" class=\"tick\">\(p)</text>"
        }
        out += "<text x=\"\(f(left - 6))\" y=\"\(f(y(0)))\" text-anchor=\"end\" class=\"tick\">0</text>"
        out += "<line x1=\"\(f(left))\" y1=\"\(f(y(kpi.target)))\" x2=\"\(f(width - right))\" y2=\"\(f(y(kpi.target)))\" class=\"target\" stroke-dasharray=\"6 4\"/>"
        out += "<text x=\"\(f(width - right + 6))\" y=\"\(f(y(kpi.target) + 4))\" class=\"label\">norm \(DutchFormat.thousandths(kpi.target)) \(unit)</text>"
        let markers = ["circle", "square", "triangle", "diamond"]
        for (i, s) in series.enumerated() {
            let points = s.points.compactMap { p in p.value.map { (x(p.period), y($0)) } }
            guard !points.isEmpty else { continue }
            out += "<polyline fill=\"none\" class=\"series\" points=\"" + points.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ") + "\"/>"
            for (px, py) in points { out += marker(markers[i % markers.count], px, py) }
            if let last = points.last {
                out += "<text x=\"\(f(width - right + 6))\" y=\"\(f(last.1 + 4 + Double(i) * 2))\" class=\"label\">\(escape(names[s.contract] ?? s.contract))</text>"
            }
        }
        return out + "</svg>"
    }

    private static func marker(_ shape: String, _ x: Double, _ y: Double) -> String {
        func f(_ d: Double) -> String { String(format: "%.1f", d) }
        switch shape {
        case "square": return "<rect x=\"\(f(x - 4))\" y=\"\(f(y - 4))\" width=\"8\" height=\"8\" class=\"marker\"/>"
        case "triangle": return "<polygon points=\"\(f(x)),\(f(y - 5)) \(f(x + 5)),\(f(y + 4)) \(f(x - 5)),\(f(y + 4))\" class=\"marker\"/>"
        case "diamond": return "<polygon points=\"\(f(x)),\(f(y - 5)) \(f(x + 5)),\(f(y)) \(f(x)),\(f(y + 5)) \(f(x - 5)),\(f(y))\" class=\"marker\"/>"
        default: return "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"4\" class=\"marker\"/>"
        }
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

extension KPISeries {
    /// In a few words, for the extension advice: "2 van 3 perioden norm gehaald, 1 te laat".
    var summary: String {
        let reported = points.filter { $0.value != nil }
        let met = reported.filter { $0.met == true }.count
        var text = "\(kpi.name): \(met) van \(points.count) periode(n) norm gehaald"
        if lateCount > 0 { text += ", \(lateCount) te laat of ontbrekend" }
        return text
    }
}

/// The KPI page: per segment and KPI, a chart and a table of values against the target per
/// contract and period, late reports flagged; for a provider the forms to report.
struct KPIPage: Encodable, Sendable {
    struct Cell: Encodable, Sendable {
        var text: String
        var late: Bool
    }

    struct Row: Encodable, Sendable {
        var contract: String
        var href: String
        var provider: String
        var cells: [Cell]
    }

    struct Section: Encodable, Sendable {
        var id: String
        var segment: String
        var name: String
        var definition: String
        var norm: String
        var chart: String
        var periods: [String]
        var rows: [Row]
        var late: Int
    }

    typealias Choice = ContractRegisterPage.Choice

    var sections: [Section]
    var segments: [Choice]
    var canReport: Bool
    var contracts: [Choice]
    var kpis: [Choice]
    var form: [String: String]
    var errors: FieldErrors
    var uploadProblems: [String]
    var reportAction: String
    var uploadAction: String
    var csvHref: String
    var xlsxHref: String
    var notice: String?
    var lateTotal: Int

    init(contracts visible: [RegisteredContract], reports: [KPIReport], design: Design, segment: String?, on day: CalendarDate, canReport: Bool,
         form: PostedForm = PostedForm(values: [:]), errors: FieldErrors = FieldErrors(), uploadProblems: [String] = [], notice: String? = nil) {
        let names = ContractNames(design)
        let segmentCodes = Array(Set(visible.map(\.segment))).sorted()
        segments = [Choice(value: "", label: "Alle segmenten", selected: segment == nil)]
            + segmentCodes.map { Choice(value: $0, label: names.segment($0), selected: segment == $0) }
        let shown = visible.filter { segment == nil || $0.segment == segment }
        let providers = Dictionary(uniqueKeysWithValues: shown.map { ($0.number, $0.lead?.name ?? $0.number) })
        var sections: [Section] = []
        for seg in segmentCodes where segment == nil || seg == segment {
            let contracts = shown.filter { $0.segment == seg }
            for kpi in design.kpis(for: seg) {
                let series = contracts.map { KPISeries(contract: $0, kpi: kpi, reports: reports, on: day) }
                let periods = Array(Set(series.flatMap { $0.points.map(\.period) })).sorted()
                let id = "kpi-\(seg)-\(kpi.code)".lowercased()
                sections.append(Section(
                    id: id, segment: names.segment(seg), name: kpi.name, definition: kpi.definition,
                    norm: "\(kpi.direction.dutch) \(DutchFormat.thousandths(kpi.target)) \(kpi.unit.dutch), \(kpi.period.dutch), door \(kpi.reporter.dutch)",
                    chart: KPIChart.svg(series, names: providers, id: id),
                    periods: periods.map(\.description),
                    rows: series.map { s in
                        Row(contract: s.contract, href: AppURL.contract(s.contract).path, provider: providers[s.contract] ?? s.contract,
                            cells: periods.map { p in
                                guard let point = s.points.first(where: { $0.period == p }) else { return Cell(text: "–", late: false) }
                                guard let v = point.value else { return Cell(text: point.late ? "ontbreekt (uiterlijk \(p.due.dutch))" : "nog niet", late: point.late) }
                                return Cell(text: "\(DutchFormat.thousandths(v)) \(kpi.unit.dutch), " + (point.met == true ? "norm gehaald" : "norm niet gehaald")
                                                + (point.late ? ", te laat" : ""), late: point.late)
                            })
                    },
                    late: series.reduce(0) { $0 + $1.lateCount }))
            }
        }
        self.sections = sections
        lateTotal = sections.reduce(0) { $0 + $1.late }
        self.canReport = canReport
        contracts = visible.map { Choice(value: $0.number, label: "\($0.number) · \(names.segment($0.segment))", selected: form["contract"] == $0.number) }
        let codes = Set(visible.flatMap { design.kpis(for: $0.segment).map(\.code) })
        kpis = design.kpis.filter { codes.contains($0.code) }.map { Choice(value: $0.code, label: "\($0.name) (\($0.code), \($0.period.dutch))", selected: form["kpi"] == $0.code) }
        self.form = form.values
        self.errors = errors
        self.uploadProblems = uploadProblems
        reportAction = AppURL.kpiReport.path
        uploadAction = AppURL.kpiUpload.path
        let query = segment.map { "?segment=\($0)" } ?? ""
        csvHref = AppURL.kpiCSV.path + query
        xlsxHref = AppURL.kpiXLSX.path + query
        self.notice = notice
    }
}

/// A KPI report in the API.
struct KPIReportJSON: Codable, Sendable {
    var contract: String
    var kpi: String
    var period: String
    /// In the KPI's unit, with up to three decimals.
    var value: Decimal
    var reportedOn: String
    var late: Bool

    init(_ r: KPIReport, due: CalendarDate?) {
        contract = r.contract
        kpi = r.kpi
        period = r.period
        value = Decimal(r.value) / 1000
        reportedOn = r.reportedOn.description
        late = due.map { r.reportedOn > $0 } ?? false
    }
}

/// The KPI values as a sheet, one row per contract, KPI and ended period, reported or not: what
/// the page shows, for Excel.
enum KPISheet {
    static func sheet(_ contracts: [RegisteredContract], reports: [KPIReport], design: Design, on day: CalendarDate) -> Sheet {
        let names = ContractNames(design)
        var sheet = Sheet(name: "KPI's", columns: ["overeenkomst", "aanbieder", "segment", "kpi", "periode", "waarde", "eenheid", "norm",
                                                   "richting", "norm_gehaald", "uiterlijk", "te_laat"])
        for c in contracts {
            for kpi in design.kpis(for: c.segment) {
                for point in KPISeries(contract: c, kpi: kpi, reports: reports, on: day).points {
                    sheet.rows.append([.text(c.number), .text(c.lead?.name ?? ""), .text(names.segment(c.segment)), .text(kpi.code),
                                       .text(point.period.description), point.value.map(Sheet.Cell.thousandths) ?? .empty, .text(kpi.unit.dutch),
                                       .thousandths(kpi.target), .text(kpi.direction.dutch),
                                       .text(point.met.map { $0 ? "ja" : "nee" } ?? ""), .date(point.period.due), .text(point.late ? "ja" : "nee")])
                }
            }
        }
        return sheet
    }
}
