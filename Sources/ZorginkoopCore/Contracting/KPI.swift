import Foundation

/// A key performance indicator of the contract period (FINANCE.md, "Outcome KPIs"): what is
/// measured, in which unit, the target and whether higher or lower is better, how often it is
/// reported and by whom. Values are fixed point, in thousandths (87,5 % is 87500).
public struct KPI: Codable, Hashable, Sendable {
    public enum Unit: String, Codable, Hashable, Sendable, CaseIterable {
        case percent, days, score

        public var dutch: String {
            switch self {
            case .percent: "%"
            case .days: "dagen"
            case .score: "cijfer"
            }
        }
    }

    public enum Direction: String, Codable, Hashable, Sendable, CaseIterable {
        /// The value must reach the target or more.
        case atLeast
        /// The value must stay at the target or below.
        case atMost

        public var dutch: String {
            switch self {
            case .atLeast: "minimaal"
            case .atMost: "maximaal"
            }
        }
    }

    public enum Period: String, Codable, Hashable, Sendable, CaseIterable {
        case quarter, halfYear, year

        public var months: Int {
            switch self {
            case .quarter: 3
            case .halfYear: 6
            case .year: 12
            }
        }

        public var dutch: String {
            switch self {
            case .quarter: "per kwartaal"
            case .halfYear: "per half jaar"
            case .year: "per jaar"
            }
        }
    }

    public enum Reporter: String, Codable, Hashable, Sendable, CaseIterable {
        case provider, municipality

        public var dutch: String {
            switch self {
            case .provider: "de aanbieder"
            case .municipality: "de gemeente"
            }
        }
    }

    public var code: String
    public var name: String
    public var definition: String
    public var unit: Unit
    /// In thousandths of the unit.
    public var target: Int
    public var direction: Direction
    public var period: Period
    public var reporter: Reporter
    /// The segments it applies to; empty means every segment.
    public var segments: [String]

    public init(code: String, name: String, definition: String, unit: Unit, target: Int, direction: Direction, period: Period,
                reporter: Reporter = .provider, segments: [String] = []) {
        self.code = code
        self.name = name
        self.definition = definition
        self.unit = unit
        self.target = target
        self.direction = direction
        self.period = period
        self.reporter = reporter
        self.segments = segments
    }

    public func applies(to segment: String) -> Bool { segments.isEmpty || segments.contains(segment) }

    public func meets(_ value: Int) -> Bool {
        switch direction {
        case .atLeast: value >= target
        case .atMost: value <= target
        }
    }
}

extension Design {
    public func kpis(for segment: String) -> [KPI] { kpis.filter { $0.applies(to: segment) } }
}

/// One reporting period of a KPI: a quarter (`2027-K1`), a half year (`2027-H1`) or a year
/// (`2027`). A report is due at the end of the month after the period.
public struct KPIPeriod: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var kind: KPI.Period
    public var year: Int
    /// 1-4 for quarters, 1-2 for halves, 1 for a year.
    public var index: Int

    public init?(kind: KPI.Period, year: Int, index: Int) {
        guard (2000...2100).contains(year), (1...(12 / kind.months)).contains(index) else { return nil }
        self.kind = kind
        self.year = year
        self.index = index
    }

    /// `2027-K1`, `2027-H2` or `2027`, as the KPI's period asks; nil for anything else.
    public init?(_ text: String, kind: KPI.Period) {
        let t = text.trimmingCharacters(in: .whitespaces).uppercased()
        let parts = t.split(separator: "-")
        switch kind {
        case .year:
            guard parts.count == 1, let y = Int(parts[0]) else { return nil }
            self.init(kind: kind, year: y, index: 1)
        case .quarter, .halfYear:
            let letter: Character = kind == .quarter ? "K" : "H"
            guard parts.count == 2, let y = Int(parts[0]), parts[1].first == letter, let i = Int(parts[1].dropFirst()) else { return nil }
            self.init(kind: kind, year: y, index: i)
        }
    }

    public var description: String {
        switch kind {
        case .quarter: "\(year)-K\(index)"
        case .halfYear: "\(year)-H\(index)"
        case .year: "\(year)"
        }
    }

    public var first: CalendarDate { CalendarDate(year: year, month: (index - 1) * kind.months + 1, day: 1)! }
    public var last: CalendarDate { first.lastDayOfPeriod(months: kind.months) }
    /// The last day of the month after the period.
    public var due: CalendarDate { last.dayAfter().lastDayOfPeriod(months: 1) }

    public var next: KPIPeriod {
        index < 12 / kind.months ? KPIPeriod(kind: kind, year: year, index: index + 1)! : KPIPeriod(kind: kind, year: year + 1, index: 1)!
    }

    /// The periods that ended between a contract's start and `day`, oldest first.
    public static func ended(kind: KPI.Period, from start: CalendarDate, through day: CalendarDate) -> [KPIPeriod] {
        var p = KPIPeriod(kind: kind, year: start.year, index: (start.month - 1) / kind.months + 1)!
        var out: [KPIPeriod] = []
        while p.last < day {
            out.append(p)
            p = p.next
        }
        return out
    }

    public static func < (a: KPIPeriod, b: KPIPeriod) -> Bool { (a.year, a.index) < (b.year, b.index) }
}

/// A value reported for one contract, KPI and period.
public struct KPIReport: Codable, Hashable, Sendable {
    public var contract: String
    public var kpi: String
    public var period: String
    public var value: Int
    public var reportedOn: CalendarDate
    public var by: String

    public init(contract: String, kpi: String, period: String, value: Int, reportedOn: CalendarDate, by: String) {
        self.contract = contract
        self.kpi = kpi
        self.period = period
        self.value = value
        self.reportedOn = reportedOn
        self.by = by
    }
}

public enum KPIReportError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownKPI(String, segment: String)
    case badPeriod(String, expected: KPI.Period)
    case periodNotEnded(String, last: CalendarDate)
    case beforeContract(String)
    case outOfRange(value: Int, unit: KPI.Unit)

    public var description: String {
        switch self {
        case let .unknownKPI(code, segment): "KPI '\(code)' hoort niet bij segment \(segment)."
        case let .badPeriod(text, kind):
            "'\(text)' is geen periode; verwacht " + (kind == .quarter ? "jjjj-K1 tot en met jjjj-K4" : kind == .halfYear ? "jjjj-H1 of jjjj-H2" : "een jaartal")
        case let .periodNotEnded(period, last): "Periode \(period) loopt nog tot en met \(last.dutch); rapporteer daarna."
        case let .beforeContract(period): "Periode \(period) ligt vóór de ingang van de overeenkomst."
        case let .outOfRange(_, unit): unit == .percent ? "Een percentage ligt tussen 0 en 100." : "De waarde kan niet negatief zijn."
        }
    }
}

extension RegisteredContract {
    /// A provider's report for this contract, checked against the design's KPIs for its segment.
    public func report(_ kpiCode: String, period text: String, value: Int, design: Design, on day: CalendarDate,
                       by: String) throws(KPIReportError) -> KPIReport {
        guard let kpi = design.kpis(for: segment).first(where: { $0.code == kpiCode }) else { throw .unknownKPI(kpiCode, segment: segment) }
        guard let period = KPIPeriod(text, kind: kpi.period) else { throw .badPeriod(text, expected: kpi.period) }
        guard period.last < day else { throw .periodNotEnded(period.description, last: period.last) }
        guard period.last >= start else { throw .beforeContract(period.description) }
        guard value >= 0, kpi.unit != .percent || value <= 100_000 else { throw .outOfRange(value: value, unit: kpi.unit) }
        return KPIReport(contract: number, kpi: kpi.code, period: period.description, value: value, reportedOn: day, by: by)
    }
}

/// One KPI of one contract over its periods so far: the values against the target, late and
/// missing reports flagged.
public struct KPISeries: Hashable, Sendable {
    public struct Point: Hashable, Sendable {
        public var period: KPIPeriod
        public var value: Int?
        public var met: Bool?
        /// Reported after the due date, or not reported and the due date has passed.
        public var late: Bool
    }

    public var contract: String
    public var kpi: KPI
    public var points: [Point]

    public init(contract: RegisteredContract, kpi: KPI, reports: [KPIReport], on day: CalendarDate) {
        self.contract = contract.number
        self.kpi = kpi
        let mine = reports.filter { $0.contract == contract.number && $0.kpi == kpi.code }
        points = KPIPeriod.ended(kind: kpi.period, from: contract.start, through: day).map { p in
            let r = mine.first { $0.period == p.description }
            return Point(period: p, value: r?.value, met: r.map { kpi.meets($0.value) },
                         late: r.map { $0.reportedOn > p.due } ?? (day > p.due))
        }
    }

    public var lateCount: Int { points.filter(\.late).count }
}
