import Foundation

/// Checks declaration lines against the contracts and allocations, every rule of
/// `DeclarationRule` once. It works on interned ids and day numbers, so that a national year of
/// lines is checked in seconds (`docs/performance.md`); `DeclarationCheck` is the front that
/// turns messages into these rows and the verdicts back into words.
public struct DeclarationEngine: Sendable {
    /// A contracted product: who may declare what, where, when, at which tariff.
    public struct ContractRow: Sendable {
        public var provider: Int32
        public var municipality: Int32
        public var product: Int32
        public var from: Int32
        public var to: Int32
        /// The first day delivery is allowed; `Int32.max` while the quality-mark proof is open.
        public var deliveryFrom: Int32
        public var firstTariffYear: Int
        /// Cents per unit for `firstTariffYear`, the year after, …; -1 where no tariff is agreed.
        public var tariffs: [Int64]
        /// The monitoring cell (municipality × segment × provider) the product's spend counts in.
        public var cell: Int32
        /// Crisis care: always paid, also above a ceiling.
        public var crisis: Bool

        public init(provider: Int32, municipality: Int32, product: Int32, from: Int32, to: Int32, deliveryFrom: Int32,
                    firstTariffYear: Int, tariffs: [Int64], cell: Int32, crisis: Bool = false) {
            self.provider = provider
            self.municipality = municipality
            self.product = product
            self.from = from
            self.to = to
            self.deliveryFrom = deliveryFrom
            self.firstTariffYear = firstTariffYear
            self.tariffs = tariffs
            self.cell = cell
            self.crisis = crisis
        }

    }

    public struct AllocationRow: Sendable {
        public var client: Int32
        public var municipality: Int32
        public var provider: Int32
        public var category: Int32
        /// -1 for an aspecific allocation.
        public var product: Int32
        public var unit: ProductUnit?
        public var volume: Int32
        public var frequency: VolumeFrequency?
        public var start: Int32
        /// `Int32.max` without an end date.
        public var end: Int32

        public init(client: Int32, municipality: Int32, provider: Int32, category: Int32, product: Int32, unit: ProductUnit?,
                    volume: Int32, frequency: VolumeFrequency?, start: Int32, end: Int32) {
            self.client = client
            self.municipality = municipality
            self.provider = provider
            self.category = category
            self.product = product
            self.unit = unit
            self.volume = volume
            self.frequency = frequency
            self.start = start
            self.end = end
        }
    }

    public struct Line: Sendable {
        public var reference: Int32
        /// -1 when absent.
        public var previousReference: Int32
        public var allocation: Int32
        public var client: Int32
        public var provider: Int32
        public var municipality: Int32
        public var product: Int32
        public var category: Int32
        public var unit: ProductUnit
        /// `YearMonth.index` of the product period's begin.
        public var month: Int32
        public var begin: Int32
        public var end: Int32
        public var volume: Int32
        /// -1 when the line gives no tariff. Cents in 32 bits: the schema's amounts end at 99,999,999,
        /// and a smaller line is a faster check (the lines are the biggest stream).
        public var tariff: Int32
        public var amount: Int32
        public var credit: Bool

        public init(reference: Int32, previousReference: Int32, allocation: Int32, client: Int32, provider: Int32, municipality: Int32,
                    product: Int32, category: Int32, unit: ProductUnit, month: Int32, begin: Int32, end: Int32, volume: Int32,
                    tariff: Int32, amount: Int32, credit: Bool) {
            self.reference = reference
            self.previousReference = previousReference
            self.allocation = allocation
            self.client = client
            self.provider = provider
            self.municipality = municipality
            self.product = product
            self.category = category
            self.unit = unit
            self.month = month
            self.begin = begin
            self.end = end
            self.volume = volume
            self.tariff = tariff
            self.amount = amount
            self.credit = credit
        }
    }

    /// The verdict on one line: the rules it breaks and the contracted product it was paid under (-1: none).
    public struct Verdict: Sendable, Hashable {
        public var broken: BrokenRules
        public var contract: Int32
    }

    private enum ReferenceState: UInt8 { case unseen, seen, approvedDebit, approvedCredit, credited }

    public let contracts: [ContractRow]
    /// Per contract: its monitoring cell and whether it is crisis care, for the aggregation.
    public let contractCells: [Int32]
    public let contractCrisis: [Bool]
    /// A contract as the check reads it, stored in an open-addressing table keyed by provider,
    /// municipality and product: one lookup is one cache line, with the first three years'
    /// tariffs inline and the rest in `tariffTable`. (A line's time goes to memory: each
    /// allocation's first line touches a contract at random, so every extra read is a miss.)
    private struct Row {
        /// -1: an empty slot.
        var key: Int64
        var from, to, deliveryFrom: Int32
        /// The index in `contracts`.
        var contract: Int32
        var firstTariffYear: Int16
        var tariffCount: Int16
        var tariffStart: Int32
        var t0, t1, t2: Int64

        static let empty = Row(key: -1, from: 0, to: 0, deliveryFrom: 0, contract: -1, firstTariffYear: 0, tariffCount: 0, tariffStart: 0, t0: 0, t1: 0, t2: 0)

        func tariff(year: Int, table: UnsafeBufferPointer<Int64>) -> Int64 {
            let i = year - Int(firstTariffYear)
            guard i >= 0 && i < Int(tariffCount) else { return -1 }
            switch i {
            case 0: return t0
            case 1: return t1
            case 2: return t2
            default: return table[Int(tariffStart) + i - 3]
            }
        }
    }
    /// Rows with the same key follow each other along the probe sequence, in the order of `contracts`.
    private let table: [Row]
    private let tableMask: Int
    private let tariffTable: [Int64]
    /// Indexed by allocation id; nil where the number is not among the known allocations.
    public let allocations: [AllocationRow?]
    /// Per municipality id: whether its allocations were loaded. Without them the allocation rules are skipped.
    public let allocationsKnown: [Bool]
    /// The day number of the first of each month from January 1900 on, looked up per line.
    private let monthStarts: [Int32]
    private static let monthTableStart = Int32(1900 * 12)

    // The ledger: what was approved before, which the next line is checked against.
    private var references: [ReferenceState]
    /// Per allocation id, in one array so that an allocation's lines read one stream, not five.
    private struct AllocationState {
        /// The most its lines may add up to (IV077), -1 for no limit.
        var total: Int64 = -1
        var used: Int64 = 0
        /// A bit per month with an approved debit, from `monthBase`; months outside the 64 go to `monthOverflow`.
        var monthMask: UInt64 = 0
        var monthBase: Int32 = Int32.min
        /// The table slot of the contract its last line was paid under.
        var cachedContract: Int32 = -1
    }
    private var states: [AllocationState]
    private var monthOverflow: Set<Int64> = []

    public init(contracts: [ContractRow], allocations: [AllocationRow?], allocationsKnown: [Bool], referenceCount: Int, allocationCount: Int) {
        self.contracts = contracts
        contractCells = contracts.map(\.cell)
        contractCrisis = contracts.map(\.crisis)
        var extraTariffs: [Int64] = []
        var capacity = 16
        while capacity < contracts.count * 2 { capacity *= 2 }
        var rows = Array(repeating: Row.empty, count: capacity)
        for (i, c) in contracts.enumerated() {
            let key = Self.key(c.provider, c.municipality, c.product)
            var slot = Self.hash(key) & (capacity - 1)
            while rows[slot].key != -1 { slot = (slot + 1) & (capacity - 1) }
            let t = c.tariffs + [-1, -1, -1]
            rows[slot] = Row(key: key, from: c.from, to: c.to, deliveryFrom: c.deliveryFrom, contract: Int32(i),
                             firstTariffYear: Int16(clamping: c.firstTariffYear), tariffCount: Int16(clamping: c.tariffs.count),
                             tariffStart: Int32(extraTariffs.count), t0: t[0], t1: t[1], t2: t[2])
            if c.tariffs.count > 3 { extraTariffs += c.tariffs[3...] }
        }
        table = rows
        tableMask = capacity - 1
        tariffTable = extraTariffs
        self.allocations = allocations
        self.allocationsKnown = allocationsKnown
        monthStarts = (Self.monthTableStart...Self.monthTableStart + 300 * 12).map(Self.firstDay(ofMonth:))
        references = Array(repeating: .unseen, count: referenceCount)
        let allocationSlots = max(allocationCount, allocations.count)
        states = Array(repeating: AllocationState(), count: allocationSlots)
        for (i, a) in allocations.enumerated() {
            guard let a, let frequency = a.frequency, a.volume >= 0 else { continue }
            states[i].total = Self.totalMaximum(frequency, volume: a.volume, start: a.start, end: a.end) ?? -1
        }
    }

    private static func key(_ provider: Int32, _ municipality: Int32, _ product: Int32) -> Int64 {
        Int64(provider) << 42 | Int64(municipality) << 21 | Int64(product)
    }

    private static func hash(_ key: Int64) -> Int {
        Int(truncatingIfNeeded: (UInt64(bitPattern: key) &* 0x9E37_79B9_7F4A_7C15) >> 20)
    }

    /// Makes room for ids interned after the engine was made (a later file in the same run).
    public mutating func grow(referenceCount: Int, allocationCount: Int) {
        if referenceCount > references.count {
            let extra = referenceCount - references.count
            references += Array(repeating: .unseen, count: extra)
        }
        if allocationCount > states.count { states += Array(repeating: AllocationState(), count: allocationCount - states.count) }
    }

    /// Checks the lines in order; each approved line counts for the lines after it.
    public mutating func check(_ lines: [Line]) -> [Verdict] {
        var verdicts: [Verdict] = []
        verdicts.reserveCapacity(lines.count)
        for line in lines { verdicts.append(check(line)) }
        return verdicts
    }

    private var firstMonthSeen = Int32.max, lastMonthSeen = Int32.min
    /// The first and last `YearMonth.index` of the lines checked so far.
    public var months: ClosedRange<Int32>? { firstMonthSeen <= lastMonthSeen ? firstMonthSeen...lastMonthSeen : nil }

    public mutating func check(_ line: Line) -> Verdict {
        firstMonthSeen = min(firstMonthSeen, line.month)
        lastMonthSeen = max(lastMonthSeen, line.month)
        var broken: UInt32 = 0
        func breaks(_ rule: DeclarationRule) { broken |= 1 << UInt32(rule.rawValue) }

        if references[Int(line.reference)] != .unseen { breaks(.duplicateReference) }
        let (monthFirst, monthLast) = monthBounds(line.month)
        let oneMonth = line.begin >= monthFirst && line.end <= monthLast && line.end >= line.begin
        if !oneMonth { breaks(.periodNotOneMonth) }
        if line.unit != .euros, line.tariff >= 0, Int64(line.amount) != Int64(line.volume) * Int64(line.tariff) { breaks(.amountNotVolumeTimesTariff) }

        let slot = contractSlot(for: line)
        let contract = slot >= 0 ? table[Int(slot)].contract : -1
        if slot < 0 {
            breaks(.notContracted)
        } else {
            let c = table[Int(slot)]
            if c.deliveryFrom > line.begin { breaks(.qualityMarkGate) }
            let agreed = tariffTable.withUnsafeBufferPointer { c.tariff(year: Int(line.month) / 12, table: $0) }
            let declared = line.tariff >= 0 ? Int64(line.tariff) : (line.volume > 0 ? Int64(line.amount / line.volume) : -1)
            if agreed < 0 || (line.unit != .euros && declared != agreed) { breaks(.tariffDiffers) }
        }

        let allocation = Int(line.allocation)
        if Int(line.municipality) < allocationsKnown.count, allocationsKnown[Int(line.municipality)] {
            if allocation < allocations.count, let a = allocations[allocation], a.provider == line.provider, a.municipality == line.municipality {
                if a.client != line.client { breaks(.otherClient) }
                if a.category != line.category { breaks(.categoryDiffers) }
                if a.product >= 0, a.product != line.product { breaks(.codeDiffers) }
                if let unit = a.unit, unit != line.unit { breaks(.unitDiffers) }
                if line.begin < a.start || line.begin > a.end { breaks(.beginOutsideAllocation) }
                if line.end < a.start || line.end > a.end { breaks(.endOutsideAllocation) }
                if oneMonth, line.begin != monthFirst, !(a.start > monthFirst && a.start <= monthLast) { breaks(.periodStartsTooLate) }
                if oneMonth, line.end != monthLast, !(a.end < monthLast && a.end >= monthFirst) { breaks(.periodEndsTooEarly) }
                if !line.credit, let frequency = a.frequency, a.volume >= 0 {
                    if let maximum = Self.maximum(frequency, volume: a.volume, begin: line.begin, end: line.end), line.volume > maximum {
                        breaks(.volumeAbovePeriodMaximum)
                    }
                    let total = states[allocation].total
                    if total >= 0, states[allocation].used + Int64(line.volume) > total {
                        breaks(.volumeAboveAllocationTotal)
                    }
                }
            } else {
                breaks(.unknownAllocation)
            }
        }

        if line.credit {
            if line.previousReference < 0 {
                breaks(.creditWithoutDebit)
            } else {
                switch references[Int(line.previousReference)] {
                case .approvedDebit: break
                case .credited: breaks(.alreadyCredited)
                default: breaks(.creditWithoutDebit)
                }
            }
        } else if hasDebit(allocation: allocation, month: line.month) {
            breaks(.secondDebit)
        }

        let verdict = Verdict(broken: BrokenRules(rawValue: broken), contract: contract)
        record(line, approved: broken == 0)
        return verdict
    }

    /// Records a line approved earlier (loaded from the database) without checking it again.
    public mutating func recordApproved(_ line: Line) { record(line, approved: true) }

    private mutating func record(_ line: Line, approved: Bool) {
        let reference = Int(line.reference)
        guard approved else {
            if references[reference] == .unseen { references[reference] = .seen }
            return
        }
        let allocation = Int(line.allocation)
        if line.credit {
            references[reference] = .approvedCredit
            let previous = Int(line.previousReference)
            references[previous] = .credited
            // A credit repeats the debit it cancels (allocation, period, volume): its own month and volume undo it.
            setDebit(allocation: allocation, month: line.month, on: false)
            states[allocation].used -= Int64(line.volume)
        } else {
            references[reference] = .approvedDebit
            setDebit(allocation: allocation, month: line.month, on: true)
            states[allocation].used += Int64(line.volume)
        }
    }

    /// The table slot of the contract that covers the line, -1 for none. The allocation's last
    /// contract is tried first: an allocation's lines share one.
    private mutating func contractSlot(for line: Line) -> Int32 {
        let allocation = Int(line.allocation)
        let key = Self.key(line.provider, line.municipality, line.product)
        let cached = states[allocation].cachedContract
        if cached >= 0 {
            let c = table[Int(cached)]
            if c.key == key, c.from <= line.begin, line.end <= c.to { return cached }
        }
        var slot = Self.hash(key) & tableMask
        while table[slot].key != -1 {
            let c = table[slot]
            if c.key == key, c.from <= line.begin, line.end <= c.to {
                states[allocation].cachedContract = Int32(slot)
                return Int32(slot)
            }
            slot = (slot + 1) & tableMask
        }
        return -1
    }

    // A bit per month per allocation for the months that have an approved debit, relative to a
    // base month; months outside the 64 of the mask go to a set.
    private mutating func setDebit(allocation: Int, month: Int32, on: Bool) {
        if states[allocation].monthBase == Int32.min { states[allocation].monthBase = month - 32 }
        let offset = month - states[allocation].monthBase
        if offset >= 0 && offset < 64 {
            if on { states[allocation].monthMask |= 1 << UInt64(offset) } else { states[allocation].monthMask &= ~(1 << UInt64(offset)) }
        } else if on {
            monthOverflow.insert(Int64(allocation) << 32 | Int64(month))
        } else {
            monthOverflow.remove(Int64(allocation) << 32 | Int64(month))
        }
    }

    private mutating func hasDebit(allocation: Int, month: Int32) -> Bool {
        let base = states[allocation].monthBase
        if base == Int32.min { return false }
        let offset = month - base
        if offset >= 0 && offset < 64 { return states[allocation].monthMask & (1 << UInt64(offset)) != 0 }
        return monthOverflow.contains(Int64(allocation) << 32 | Int64(month))
    }

    // MARK: - The arithmetic of dates and volumes

    // `mutating` though they only read: a non-mutating call from `check` would copy the whole
    // engine (and retain each of its arrays) once per line.
    private mutating func monthBounds(_ month: Int32) -> (Int32, Int32) {
        let i = Int(month - Self.monthTableStart)
        if i >= 0 && i + 1 < monthStarts.count { return (monthStarts[i], monthStarts[i + 1] - 1) }
        return (Self.firstDay(ofMonth: month), Self.firstDay(ofMonth: month + 1) - 1)
    }

    /// The day number of the first day of a `YearMonth.index`.
    public static func firstDay(ofMonth index: Int32) -> Int32 {
        // days_from_civil for day 1 of the month, without building a CalendarDate (this runs per line).
        let month = Int(index) % 12 + 1
        let y = Int(index) / 12 - (month <= 2 ? 1 : 0)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * ((month + 9) % 12) + 2) / 5
        return Int32(era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468)
    }

    /// The `YearMonth.index` of a day number.
    static func monthIndex(ofDay day: Int32) -> Int {
        let z = Int(day) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let mp = (5 * (doe - (365 * yoe + yoe / 4 - yoe / 100)) + 2) / 153
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0)) * 12 + m - 1
    }

    public static func isoWeeks(_ begin: Int32, _ end: Int32) -> Int {
        // Day 0 (1 January 1970) was a Thursday: shifting by 3 makes Monday the start of a week.
        func week(_ day: Int32) -> Int { Int((day + 3) >= 0 ? (day + 3) / 7 : (day + 3 - 6) / 7) }
        return end < begin ? 0 : week(end) - week(begin) + 1
    }

    static func months(_ begin: Int32, _ end: Int32) -> Int { monthIndex(ofDay: end) - monthIndex(ofDay: begin) + 1 }

    /// The most that may be declared over `begin...end` under an allocation of `volume` per `frequency` (IV077).
    static func maximum(_ frequency: VolumeFrequency, volume: Int32, begin: Int32, end: Int32) -> Int32? {
        switch frequency {
        case .perDay: Int32(Int(end - begin + 1) * Int(volume))
        case .perWeek: Int32(isoWeeks(begin, end) * Int(volume))
        case .perMonth: Int32(months(begin, end) * Int(volume))
        case .total: nil
        }
    }

    static func totalMaximum(_ frequency: VolumeFrequency, volume: Int32, start: Int32, end: Int32) -> Int64? {
        if frequency == .total { return Int64(volume) }
        guard end != Int32.max else { return nil }
        return maximum(frequency, volume: volume, begin: start, end: end).map(Int64.init)
    }
}

extension CalendarDate {
    /// The date of a day number (days since 1 January 1970).
    public init(dayNumber: Int) {
        // Howard Hinnant's civil_from_days.
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d)!
    }
}
