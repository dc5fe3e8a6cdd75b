import Foundation
import ZorginkoopCore
import ZorginkoopInterop

/// A bar chart of the approved spend per month of a year, drawn on the server as SVG, with the
/// budget per month as a dashed line. The table beside it is the text alternative.
enum SpendChart {
    static func svg(byMonth: [Int: Money], monthlyBudget: Money?, year: Int, id: String) -> String {
        let width = 640.0, height = 240.0, left = 84.0, right = 16.0, top = 16.0, bottom = 32.0
        let maxCents = Double(max((byMonth.values.map(\.cents) + [monthlyBudget?.cents ?? 0, 1]).max()!, 1)) * 1.15
        let slot = (width - left - right) / 12
        func y(_ cents: Int) -> Double { top + (height - top - bottom) * (1 - Double(max(cents, 0)) / maxCents) }
        func f(_ d: Double) -> String { String(format: "%.1f", d) }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-labelledby=\"\(id)-title \(id)-desc\" class=\"chart\">"
        out += "<title id=\"\(id)-title\">Toegekende declaraties per maand in \(year)</title>"
        let summary = (1...12).compactMap { m in byMonth[m].map { "\(DutchMonth.name(m)) \($0.dutch)" } }.joined(separator: ", ")
        out += "<desc id=\"\(id)-desc\">" + KPIChart.escape(summary.isEmpty ? "Nog geen declaraties." : summary)
            + (monthlyBudget.map { ". Budget per maand \($0.dutch)" } ?? "") + "</desc>"
        out += "<line x1=\"\(f(left))\" y1=\"\(f(height - bottom))\" x2=\"\(f(width - right))\" y2=\"\(f(height - bottom))\" class=\"axis\"/>"
        out += "<text x=\"\(f(left - 6))\" y=\"\(f(y(0)))\" text-anchor=\"end\" class=\"tick\">€ 0</text>"
        out += "<text x=\"\(f(left - 6))\" y=\"\(f(top + 8))\" text-anchor=\"end\" class=\"tick\">\(KPIChart.escape(Money(cents: Int(maxCents / 1.15)).dutchWhole))</text>"
        for m in 1...12 {
            let x = left + Double(m - 1) * slot
            if let spent = byMonth[m], spent.cents > 0 {
                out += "<rect x=\"\(f(x + slot * 0.15))\" y=\"\(f(y(spent.cents)))\" width=\"\(f(slot * 0.7))\" height=\"\(f(height - bottom - y(spent.cents)))\" class=\"bar\"/>"
            }
            out += "<text x=\"\(f(x + slot / 2))\" y=\"\(f(height - bottom + 16))\" text-anchor=\"middle\" class=\"tick\">\(DutchMonth.short(m))</text>"
        }
        if let monthlyBudget {
            out += "<line x1=\"\(f(left))\" y1=\"\(f(y(monthlyBudget.cents)))\" x2=\"\(f(width - right))\" y2=\"\(f(y(monthlyBudget.cents)))\" class=\"target\" stroke-dasharray=\"6 4\"/>"
            out += "<text x=\"\(f(width - right - 4))\" y=\"\(f(y(monthlyBudget.cents) - 4))\" text-anchor=\"end\" class=\"label\">budget per maand</text>"
        }
        return out + "</svg>"
    }
}

enum DutchMonth {
    static let names = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"]
    static func name(_ month: Int) -> String { names[month - 1] }
    static func short(_ month: Int) -> String { String(names[month - 1].prefix(3)) }
}

extension Money {
    /// "€ 1.200.000": whole euros, for chart axes.
    var dutchWhole: String { String(dutch.dropLast(3)) }
}

/// The finance page: the year's spend per month as a chart and table, per municipality × segment
/// against its budget with the forecast, per provider against its ceiling with the 70 % alert,
/// and the declarations received with their verdicts.
struct FinancePage: Encodable, Sendable {
    struct Option: Encodable, Sendable { var value: String, label: String, selected: Bool }
    struct MonthRow: Encodable, Sendable { var month: String, spent: String, cumulative: String, budget: String }
    struct BudgetRow: Encodable, Sendable {
        var municipality: String, segment: String, budget: String, spent: String, forecast: String, percent: String
        var over: Bool
    }
    struct CeilingRow: Encodable, Sendable {
        var provider: String, municipality: String, ceiling: String, spent: String, alwaysPaid: String, forecast: String, percent: String
        var alert: String?
        var clientStop: String?
    }
    struct MessageRow: Encodable, Sendable {
        var href: String, number: String, provider: String, municipality: String, period: String, received: String
        var lines: Int, rejected: Int, declared: String, approved: String
    }

    var year: Int
    var years: [Option]
    var municipalities: [Option]
    var segments: [Option]
    var chart: String
    var months: [MonthRow]
    var budgets: [BudgetRow]
    var ceilings: [CeilingRow]
    var alerts: [String]
    var messages: [MessageRow]
    var unpayable: [String]
    var through: String
    var canManage: Bool
    var canReceive: Bool
    var scope: String
    var csvHref: String
    var xlsxHref: String
    var notice: String?
    var uploadProblems: [String]
    /// A field's error by its name, shown next to it.
    var errors: [String: String]
    var form: [String: String]
    var providers: [Option]

    struct Input: Sendable {
        var design: Design
        var year: Int
        var spend: YearSpend
        var messages: [DeclarationMessageRecord]
        var providerNames: [String: String]
        var clientStops: [Ceiling: (from: CalendarDate, note: String)]
        var unpayable: [(contract: String, reason: String)]
        var municipality: String?
        var segment: String?
        var scope: String
        var canManage: Bool
        var canReceive: Bool
    }

    init(_ input: Input, notice: String? = nil, uploadProblems: [String] = [], errors: FieldErrors = FieldErrors(), form: [String: String] = [:]) {
        let design = input.design, spend = input.spend
        year = input.year
        let thisYear = input.year
        years = ((thisYear - 2)...(thisYear + 1)).map { Option(value: String($0), label: String($0), selected: $0 == thisYear) }
        municipalities = [Option(value: "", label: "Alle gemeenten", selected: input.municipality == nil)]
            + design.region.municipalities.map { Option(value: $0.code, label: $0.name, selected: $0.code == input.municipality) }
        segments = [Option(value: "", label: "Alle segmenten", selected: input.segment == nil)]
            + design.segments.map { Option(value: $0.code, label: "\($0.code) – \($0.name)", selected: $0.code == input.segment) }
        func municipalityName(_ code: String) -> String { design.municipality(code)?.name ?? code }
        let shown = spend.budgets.filter { (input.municipality == nil || $0.municipality == input.municipality) && (input.segment == nil || $0.segment == input.segment) }
        var byMonth: [Int: Money] = [:]
        for row in shown { for (m, v) in row.byMonth { byMonth[m, default: .zero] += v } }
        let budgetTotal = shown.compactMap(\.budget).reduce(Money.zero, +)
        let monthly = budgetTotal.cents > 0 ? budgetTotal.parts(12) : nil
        chart = SpendChart.svg(byMonth: byMonth, monthlyBudget: monthly?.first, year: thisYear, id: "uitgaven")
        var cumulative = Money.zero, cumulativeBudget = Money.zero
        months = (1...12).map { m in
            cumulative += byMonth[m] ?? .zero
            if let monthly { cumulativeBudget += monthly[m - 1] }
            return MonthRow(month: DutchMonth.name(m), spent: (byMonth[m] ?? .zero).dutch, cumulative: cumulative.dutch,
                            budget: monthly == nil ? "–" : cumulativeBudget.dutch)
        }
        budgets = shown.map { r in
            BudgetRow(municipality: municipalityName(r.municipality), segment: r.segment, budget: r.budget?.dutch ?? "geen budget",
                      spent: r.spent.dutch, forecast: r.forecast.dutch, percent: r.status.map { "\($0.percentSpent) %" } ?? "–",
                      over: r.status?.forecastOver ?? false)
        }
        ceilings = spend.ceilings.map { c in
            let name = input.providerNames[c.ceiling.provider] ?? "AGB \(c.ceiling.provider)"
            let alert = c.alert.map { a in
                "\(a.percentSpent) % van het plafond bereikt of overschrijding verwacht: schriftelijke melding \(a.noticeOn.dutch), overleg uiterlijk \(a.consultationBy.dutch), besluit uiterlijk \(a.decisionBy.dutch)"
            }
            let stop = input.clientStops[c.ceiling].map { "cliëntenstop vanaf \($0.from.dutch): \($0.note)" }
            return CeilingRow(provider: name, municipality: c.ceiling.municipality.map(municipalityName) ?? "alle gemeenten van het contract",
                              ceiling: c.ceiling.amount.dutch, spent: c.status.spent.dutch, alwaysPaid: c.alwaysPaid.dutch,
                              forecast: c.status.forecast.dutch, percent: "\(c.status.percentSpent) %", alert: alert, clientStop: stop)
        }
        alerts = spend.ceilings.compactMap { c in
            c.alert.map { "\(input.providerNames[c.ceiling.provider] ?? c.ceiling.provider): \($0.percentSpent) % van het plafond \(thisYear); overleg uiterlijk \($0.consultationBy.dutch)" }
        }
        messages = input.messages.map { m in
            MessageRow(href: AppURL.declarationMessage(m.id!).path, number: m.number, provider: input.providerNames[m.provider] ?? "AGB \(m.provider)",
                       municipality: design.municipality(messageCode: m.municipality)?.name ?? m.municipality,
                       period: "\(CalendarDate(iso: m.periodBegin)?.dutch ?? m.periodBegin) – \(CalendarDate(iso: m.periodEnd)?.dutch ?? m.periodEnd)",
                       received: Amsterdam.day(of: m.receivedAt).dutch, lines: m.lineCount, rejected: m.rejectedCount,
                       declared: Money(cents: m.declaredCents).dutch, approved: Money(cents: m.approvedCents).dutch)
        }
        unpayable = input.unpayable.map { "\($0.contract): \($0.reason)" }
        through = spend.through.map { "t/m \(DutchMonth.name($0.month)) \($0.year)" } ?? "nog geen declaraties"
        canManage = input.canManage
        canReceive = input.canReceive
        scope = input.scope
        var query = "?jaar=\(thisYear)"
        if let m = input.municipality { query += "&gemeente=\(m)" }
        if let s = input.segment { query += "&segment=\(s)" }
        csvHref = AppURL.financeCSV.path + query
        xlsxHref = AppURL.financeXLSX.path + query
        self.notice = notice
        self.uploadProblems = uploadProblems
        self.errors = Dictionary(errors.items.map { ($0.key, $0.message) }, uniquingKeysWith: { a, _ in a })
        self.form = form
        providers = input.providerNames.sorted { $0.value < $1.value }.map { Option(value: $0.key, label: "\($0.value) (AGB \($0.key))", selected: form["provider"] == $0.key) }
    }
}

/// One received message: each line with its verdict, the rule it breaks, the return code and
/// where the rule comes from.
struct DeclarationMessagePage: Encodable, Sendable {
    struct Line: Encodable, Sendable {
        var position: Int, reference: String, allocation: String, product: String, period: String, volume: Int, amount: String
        var direction: String, verdict: String, approved: Bool, codes: String, contract: String
    }

    var number: String
    var messageId: String
    var provider: String
    var municipality: String
    var period: String
    var received: String
    var declared: String
    var approved: String
    var lines: [Line]
    var rejected: Int
    var answerHref: String?
    var answerId: String

    init(_ m: DeclarationMessageRecord, lines: [DeclarationLineRecord], design: Design, providerName: String?, mayReadAnswer: Bool) {
        number = m.number
        messageId = m.messageId
        provider = providerName.map { "\($0) (AGB \(m.provider))" } ?? "AGB \(m.provider)"
        municipality = design.municipality(messageCode: m.municipality)?.name ?? m.municipality
        period = "\(CalendarDate(iso: m.periodBegin)?.dutch ?? m.periodBegin) – \(CalendarDate(iso: m.periodEnd)?.dutch ?? m.periodEnd)"
        received = Amsterdam.day(of: m.receivedAt).dutch + " door " + m.receivedBy
        declared = Money(cents: m.declaredCents).dutch
        approved = Money(cents: m.approvedCents).dutch
        rejected = m.rejectedCount
        answerId = m.answerId
        answerHref = mayReadAnswer ? AppURL.declarationAnswer(m.id!).path : nil
        self.lines = lines.map { r in
            let rules = r.brokenRules
            return Line(position: r.position + 1, reference: r.reference, allocation: r.allocation, product: "\(r.category) \(r.code)",
                        period: "\(CalendarDate(iso: r.periodBegin)?.dutch ?? r.periodBegin) – \(CalendarDate(iso: r.periodEnd)?.dutch ?? r.periodEnd)",
                        volume: r.volume, amount: Money(cents: r.amountCents).dutch, direction: r.credit ? "credit" : "debet",
                        verdict: rules.isEmpty ? "toegekend" + (r.alwaysPaid ? " (altijd betaald)" : "")
                            : "afgewezen: " + rules.map { "\($0.dutch) (\($0.source))" }.joined(separator: "; "),
                        approved: rules.isEmpty, codes: Array(Set(rules.map(\.returnCode))).sorted().joined(separator: ", "),
                        contract: r.contract ?? "–")
        }
    }
}

/// The spend cells of a year as a sheet: a row per municipality, segment, provider and month.
enum SpendSheet {
    static func sheet(_ spend: [SpendCellKey: [YearMonth: CellSpend]], year: Int, design: Design, providerNames: [String: String]) -> Sheet {
        var sheet = Sheet(name: "Uitgaven \(year)", columns: ["gemeente", "segment", "aanbieder", "agb", "maand", "toegekend", "altijd_betaald",
                                                             "volume", "regels", "afgewezen", "afgewezen_regels"])
        for key in spend.keys.sorted() {
            for (month, s) in spend[key]!.sorted(by: { $0.key < $1.key }) where month.year == year {
                sheet.rows.append([.text(design.municipality(messageCode: key.municipality)?.name ?? key.municipality), .text(key.segment),
                                   .text(providerNames[key.provider] ?? ""), .text(key.provider), .text(month.description),
                                   .cents(s.approved.cents), .cents(s.alwaysPaid.cents), .integer(s.volume), .integer(s.lines),
                                   .cents(s.rejected.cents), .integer(s.rejectedLines)])
            }
        }
        return sheet
    }
}
