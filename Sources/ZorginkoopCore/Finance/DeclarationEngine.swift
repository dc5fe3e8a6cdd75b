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

        func tariff(year: Int) -> Int64 {
            let i = year - firstTariffYear
            return i >= 0 && i < tariffs.count ? tariffs[i] : -1
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
        /// -1 when the line gives no tariff.
        public var tariff: Int64
        public var amount: Int64
        public var credit: Bool

        public init(reference: Int32, previousReference: Int32, allocation: Int32, client: Int32, provider: Int32, municipality: Int32,
                    product: Int32, category: Int32, unit: ProductUnit, month: Int32, begin: Int32, end: Int32, volume: Int32,
                    tariff: Int64, amount: Int64, credit: Bool) {
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
    /// Indexed by allocation id; nil where the number is not among the known allocations.
    public let allocations: [AllocationRow?]
    /// Per municipality id: whether its allocations were loaded. Without them the allocation rules are skipped.
    public let allocationsKnown: [Bool]
    private let contractsByKey: [Int64: [Int32]]

    // The ledger: what was approved before, which the next line is checked against.
    private var references: [ReferenceState]
    private var debitMonth: [Int32]
    private var debitVolume: [Int32]
    private var volumeUsed: [Int64]
    private var monthBase: [Int32]
    private var monthMask: [UInt64]
    private var monthOverflow: Set<Int64> = []
    private var cachedContracts: [Int32]

    public init(contracts: [ContractRow], allocations: [AllocationRow?], allocationsKnown: [Bool], referenceCount: Int, allocationCount: Int) {
        self.contracts = contracts
        self.allocations = allocations
        self.allocationsKnown = allocationsKnown
        var byKey: [Int64: [Int32]] = [:]
        for (i, c) in contracts.enumerated() {
            byKey[Self.key(c.provider, c.municipality, c.product), default: []].append(Int32(i))
        }
        contractsByKey = byKey
        references = Array(repeating: .unseen, count: referenceCount)
        debitMonth = Array(repeating: -1, count: referenceCount)
        debitVolume = Array(repeating: 0, count: referenceCount)
        let allocationSlots = max(allocationCount, allocations.count)
        volumeUsed = Array(repeating: 0, count: allocationSlots)
        monthBase = Array(repeating: Int32.min, count: allocationSlots)
        monthMask = Array(repeating: 0, count: allocationSlots)
        cachedContracts = Array(repeating: -1, count: allocationSlots)
    }

    private static func key(_ provider: Int32, _ municipality: Int32, _ product: Int32) -> Int64 {
        Int64(provider) << 42 | Int64(municipality) << 21 | Int64(product)
    }

    /// Makes room for ids interned after the engine was made (a later file in the same run).
    public mutating func grow(referenceCount: Int, allocationCount: Int) {
        if referenceCount > references.count {
            let extra = referenceCount - references.count
            references += Array(repeating: .unseen, count: extra)
            debitMonth += Array(repeating: -1, count: extra)
            debitVolume += Array(repeating: 0, count: extra)
        }
        if allocationCount > volumeUsed.count {
            let extra = allocationCount - volumeUsed.count
            volumeUsed += Array(repeating: 0, count: extra)
            monthBase += Array(repeating: Int32.min, count: extra)
            monthMask += Array(repeating: 0, count: extra)
            cachedContracts += Array(repeating: -1, count: extra)
        }
    }

    /// Checks the lines in order; each approved line counts for the lines after it.
    public mutating func check(_ lines: [Line]) -> [Verdict] {
        var verdicts: [Verdict] = []
        verdicts.reserveCapacity(lines.count)
        for line in lines { verdicts.append(check(line)) }
        return verdicts
    }

    public mutating func check(_ line: Line) -> Verdict {
        var broken: UInt32 = 0
        func breaks(_ rule: DeclarationRule) { broken |= 1 << UInt32(rule.rawValue) }

        if references[Int(line.reference)] != .unseen { breaks(.duplicateReference) }
        let monthFirst = Self.firstDay(ofMonth: line.month)
        let monthLast = Self.firstDay(ofMonth: line.month + 1) - 1
        let oneMonth = line.begin >= monthFirst && line.end <= monthLast && line.end >= line.begin
        if !oneMonth { breaks(.periodNotOneMonth) }
        if line.unit != .euros, line.tariff >= 0, line.amount != Int64(line.volume) * line.tariff { breaks(.amountNotVolumeTimesTariff) }

        let contract = contract(for: line)
        if contract < 0 {
            breaks(.notContracted)
        } else {
            let c = contracts[Int(contract)]
            if c.deliveryFrom > line.begin { breaks(.qualityMarkGate) }
            let agreed = c.tariff(year: Int(line.month) / 12)
            let declared = line.tariff >= 0 ? line.tariff : (line.volume > 0 ? line.amount / Int64(line.volume) : -1)
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
                    if let total = Self.totalMaximum(frequency, volume: a.volume, start: a.start, end: a.end),
                       volumeUsed[allocation] + Int64(line.volume) > total {
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
            setDebit(allocation: allocation, month: debitMonth[previous], on: false)
            volumeUsed[allocation] -= Int64(debitVolume[previous])
        } else {
            references[reference] = .approvedDebit
            debitMonth[reference] = line.month
            debitVolume[reference] = line.volume
            setDebit(allocation: allocation, month: line.month, on: true)
            volumeUsed[allocation] += Int64(line.volume)
        }
    }

    private mutating func contract(for line: Line) -> Int32 {
        let allocation = Int(line.allocation)
        let cached = cachedContracts[allocation]
        if cached >= 0 {
            let c = contracts[Int(cached)]
            if c.provider == line.provider, c.municipality == line.municipality, c.product == line.product,
               c.from <= line.begin, line.end <= c.to { return cached }
        }
        guard let candidates = contractsByKey[Self.key(line.provider, line.municipality, line.product)] else { return -1 }
        for i in candidates {
            let c = contracts[Int(i)]
            if c.from <= line.begin, line.end <= c.to {
                cachedContracts[allocation] = i
                return i
            }
        }
        return -1
    }

    // A bit per month per allocation for the months that have an approved debit, relative to a
    // base month; months outside the 64 of the mask go to a set.
    private mutating func setDebit(allocation: Int, month: Int32, on: Bool) {
        if monthBase[allocation] == Int32.min { monthBase[allocation] = month - 32 }
        let offset = month - monthBase[allocation]
        if offset >= 0 && offset < 64 {
            if on { monthMask[allocation] |= 1 << UInt64(offset) } else { monthMask[allocation] &= ~(1 << UInt64(offset)) }
        } else if on {
            monthOverflow.insert(Int64(allocation) << 32 | Int64(month))
        } else {
            monthOverflow.remove(Int64(allocation) << 32 | Int64(month))
        }
    }

    private func hasDebit(allocation: Int, month: Int32) -> Bool {
        let base = monthBase[allocation]
        if base == Int32.min { return false }
        let offset = month - base
        if offset >= 0 && offset < 64 { return monthMask[allocation] & (1 << UInt64(offset)) != 0 }
        return monthOverflow.contains(Int64(allocation) << 32 | Int64(month))
    }

    // MARK: - The arithmetic of dates and volumes

    /// The day number of the first day of a `YearMonth.index`.
    public static func firstDay(ofMonth index: Int32) -> Int32 {
        let year = Int(index) / 12
        let month = Int(index) % 12 + 1
        return Int32(CalendarDate(year: year, month: month, day: 1)!.dayNumber)
    }

    static func isoWeeks(_ begin: Int32, _ end: Int32) -> Int {
        // Day 0 (1 January 1970) was a Thursday: shifting by 3 makes Monday the start of a week.
        func week(_ day: Int32) -> Int { Int((day + 3) >= 0 ? (day + 3) / 7 : (day + 3 - 6) / 7) }
        return end < begin ? 0 : week(end) - week(begin) + 1
    }

    static func months(_ begin: Int32, _ end: Int32) -> Int {
        let b = CalendarDate(dayNumber: Int(begin)), e = CalendarDate(dayNumber: Int(end))
        return (e.year * 12 + e.month) - (b.year * 12 + b.month) + 1
    }

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
