import Foundation

/// Use and cost of one cell (municipality × segment × provider) in one month.
public struct CellSpend: Codable, Hashable, Sendable {
    public var approved: Money = .zero
    /// The part of `approved` that is always paid, also above a ceiling: care under a specific
    /// allocation and crisis care (CS Wmo art. 1.5).
    public var alwaysPaid: Money = .zero
    public var volume: Int = 0
    public var lines: Int = 0
    public var rejected: Money = .zero
    public var rejectedLines: Int = 0

    public init() {}
}

/// Approved and rejected spend per cell and month, in one flat array indexed by
/// `cell * monthCount + month offset`: the form in which a national year is summed in one pass,
/// each line touching one slot (one cache line).
public struct SpendGrid: Sendable {
    /// 32 bytes: two slots to a cache line. Rejected amounts, rare, live in `rejectedCents`.
    public struct Slot: Sendable, Hashable {
        public var approvedCents: Int64 = 0
        public var alwaysPaidCents: Int64 = 0
        public var volume: Int64 = 0
        public var lines: Int32 = 0
        public var rejectedLines: Int32 = 0
    }

    public let cellCount: Int
    public let firstMonth: Int32
    public let monthCount: Int
    public var slots: [Slot]
    public var rejectedCents: [Int64]
    /// Rejected lines no contract applies to (so no cell): their count and amount.
    public var unattributedRejectedLines = 0
    public var unattributedRejectedCents: Int64 = 0

    init(cellCount: Int, firstMonth: Int32, monthCount: Int) {
        self.cellCount = cellCount
        self.firstMonth = firstMonth
        self.monthCount = monthCount
        slots = Array(repeating: Slot(), count: cellCount * monthCount)
        rejectedCents = Array(repeating: 0, count: cellCount * monthCount)
    }

    public func slot(cell: Int, month: Int32) -> Int { cell * monthCount + Int(month - firstMonth) }
}

public enum Monitoring {
    /// Sums the checked lines per cell and month. A credit counts negative; a rejected line counts
    /// in its contract's cell when one applies.
    public static func aggregate(lines: [DeclarationEngine.Line], verdicts: [DeclarationEngine.Verdict], engine: DeclarationEngine,
                                 cellCount: Int) -> SpendGrid {
        // The engine saw every line: its month range saves a pass over them.
        guard let first = engine.months?.lowerBound, let last = engine.months?.upperBound, !lines.isEmpty else {
            return SpendGrid(cellCount: cellCount, firstMonth: 0, monthCount: 0)
        }
        let monthCount = Int(last - first) + 1
        var grid = SpendGrid(cellCount: cellCount, firstMonth: first, monthCount: monthCount)
        let cells = engine.contractCells, crisis = engine.contractCrisis
        let allocations = engine.allocations
        for i in lines.indices {
            let line = lines[i], verdict = verdicts[i]
            let signed = Int64(line.credit ? -line.amount : line.amount)
            guard verdict.contract >= 0 else {
                grid.unattributedRejectedLines += 1
                grid.unattributedRejectedCents += signed
                continue
            }
            // Not `grid.slot(…)`: a method call on the grid here would copy it per line.
            let slot = Int(cells[Int(verdict.contract)]) * monthCount + Int(line.month - first)
            if verdict.broken.isApproved {
                let a = Int(line.allocation)
                let specific = a < allocations.count && (allocations[a]?.product ?? -1) >= 0
                let always = crisis[Int(verdict.contract)] || specific
                grid.slots[slot].approvedCents += signed
                grid.slots[slot].volume += Int64(line.credit ? -line.volume : line.volume)
                grid.slots[slot].lines += 1
                if always { grid.slots[slot].alwaysPaidCents += signed }
            } else {
                grid.rejectedCents[slot] += signed
                grid.slots[slot].rejectedLines += 1
            }
        }
        return grid
    }

    /// The grid as cells and months, leaving out what is empty.
    public static func spend(lines: [DeclarationEngine.Line], verdicts: [DeclarationEngine.Verdict], engine: DeclarationEngine,
                             cells: [SpendCellKey]) -> [SpendCellKey: [YearMonth: CellSpend]] {
        let grid = aggregate(lines: lines, verdicts: verdicts, engine: engine, cellCount: cells.count)
        var out: [SpendCellKey: [YearMonth: CellSpend]] = [:]
        for (c, key) in cells.enumerated() {
            for m in 0..<grid.monthCount {
                let index = c * grid.monthCount + m
                let slot = grid.slots[index]
                guard slot.lines > 0 || slot.rejectedLines > 0 else { continue }
                var spend = CellSpend()
                spend.approved = Money(cents: Int(slot.approvedCents))
                spend.alwaysPaid = Money(cents: Int(slot.alwaysPaidCents))
                spend.volume = Int(slot.volume)
                spend.lines = Int(slot.lines)
                spend.rejected = Money(cents: Int(grid.rejectedCents[index]))
                spend.rejectedLines = Int(slot.rejectedLines)
                let monthIndex = Int(grid.firstMonth) + m
                out[key, default: [:]][YearMonth(year: monthIndex / 12, month: monthIndex % 12 + 1)] = spend
            }
        }
        return out
    }

    /// The year's spend forecast to 31 December: what was spent through `through`, plus the
    /// average of those months for each month left (`docs/finance.md`).
    public static func forecast(_ spentByMonth: [YearMonth: Money], year: Int, through: YearMonth) -> Money {
        guard through.year == year else { return spentByMonth.filter { $0.key.year == year }.values.reduce(.zero, +) }
        let spent = spentByMonth.filter { $0.key.year == year && $0.key <= through }.values.reduce(Money.zero, +)
        let months = through.month
        let rest = 12 - months
        // Half up on the average, to the cent.
        let perMonth = (2 * spent.cents + months) / (2 * months)
        return Money(cents: spent.cents + perMonth * rest)
    }
}

/// A provider's budget ceiling for a calendar year (CS Wmo art. 1.5), pro rata when its contract
/// starts during the year.
public struct Ceiling: Codable, Hashable, Sendable {
    public var provider: String
    /// nil: one ceiling over all municipalities of the contract.
    public var municipality: String?
    public var year: Int
    /// The ceiling for a whole year.
    public var annual: Money
    /// The contract's first day, when it falls in `year`.
    public var contractStart: CalendarDate?

    public init(provider: String, municipality: String? = nil, year: Int, annual: Money, contractStart: CalendarDate? = nil) {
        self.provider = provider
        self.municipality = municipality
        self.year = year
        self.annual = annual
        self.contractStart = contractStart
    }

    /// The ceiling for the days of the year the contract runs: annual × days / days in the year,
    /// half up to the cent.
    public var amount: Money {
        guard let start = contractStart, start.year == year else { return annual }
        let daysInYear = CalendarDate.isLeap(year) ? 366 : 365
        let days = CalendarDate(year: year, month: 12, day: 31)!.dayNumber - start.dayNumber + 1
        return Money(cents: (2 * annual.cents * days + daysInYear) / (2 * daysInYear))
    }

    /// The spend at which the alert goes: 70 % of the ceiling.
    public var alertThreshold: Money { Money(cents: (amount.cents * 7 + 5) / 10) }
}

/// The 70 % alert of CS Wmo art. 1.5: written notice on the day it is seen, consultation within
/// two weeks of it, a decision within two weeks after that.
public struct CeilingAlert: Codable, Hashable, Sendable {
    public var ceiling: Ceiling
    public var spent: Money
    public var forecast: Money
    public var noticeOn: CalendarDate
    public var consultationBy: CalendarDate
    public var decisionBy: CalendarDate
    /// Spend above the ceiling that is paid anyway (specific allocations, crisis care).
    public var alwaysPaid: Money

    /// nil while the spend is below 70 % of the ceiling and the forecast stays within it.
    public init?(ceiling: Ceiling, spent: Money, forecast: Money, alwaysPaid: Money = .zero, seenOn day: CalendarDate) {
        guard spent >= ceiling.alertThreshold || forecast > ceiling.amount else { return nil }
        self.ceiling = ceiling
        self.spent = spent
        self.forecast = forecast
        self.alwaysPaid = alwaysPaid
        noticeOn = day
        consultationBy = day.adding(days: 14)
        decisionBy = day.adding(days: 28)
    }

    /// The share of the ceiling spent, in whole percents (rounded down, so 69.99 % is not 70 %).
    public var percentSpent: Int { ceiling.amount.cents > 0 ? spent.cents * 100 / ceiling.amount.cents : 0 }
}
