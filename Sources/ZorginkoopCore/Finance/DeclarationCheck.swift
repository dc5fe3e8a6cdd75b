import Foundation

/// Gives strings small dense ids, so the engine compares integers.
public struct Interner: Sendable {
    private var ids: [String: Int32] = [:]
    public private(set) var names: [String] = []

    public init() {}

    public mutating func id(_ name: String) -> Int32 {
        if let id = ids[name] { return id }
        let id = Int32(names.count)
        ids[name] = id
        names.append(name)
        return id
    }

    public func existing(_ name: String) -> Int32? { ids[name] }
    public var count: Int { names.count }
}

/// The verdict on one declaration line, in words: what the JW325 answer, the CLI and the pages show.
public struct LineVerdict: Codable, Hashable, Sendable {
    public var declaration: String
    public var reference: String
    public var allocation: String
    public var product: String
    public var period: DatePeriod
    public var volume: Int
    public var amount: Money
    public var direction: DebitCredit
    public var rules: [DeclarationRule]
    /// The contract the line is paid under, when one applies.
    public var contract: String?
    public var segment: String?
    /// Paid also above a ceiling: crisis care, or care under a specific allocation.
    public var alwaysPaid: Bool = false

    public var approved: Bool { rules.isEmpty }
    /// What the line adds to spend when approved: a credit counts negative.
    public var signedAmount: Money { direction == .credit ? -amount : amount }
    /// The return codes of a rejected line for the answer message; an approved line is not listed there.
    public var returnCodes: [String] { Array(Set(rules.map(\.returnCode))).sorted() }
}

/// Who is contracted for what, and which allocations are known: the input of a check. The key of
/// the monitoring cells is municipality × segment × provider.
public struct SpendCellKey: Hashable, Codable, Sendable, Comparable {
    public var municipality: String
    public var segment: String
    public var provider: String

    public init(municipality: String, segment: String, provider: String) {
        self.municipality = municipality
        self.segment = segment
        self.provider = provider
    }

    public static func < (a: Self, b: Self) -> Bool { (a.municipality, a.segment, a.provider) < (b.municipality, b.segment, b.provider) }
}

/// Checks declaration messages, one after another, against the contracts and allocations; each
/// approved line counts for the next (a second debit, the allocation's total).
public struct DeclarationCheck: Sendable {
    public private(set) var engine: DeclarationEngine
    public let contracts: [ContractedProduct]
    public private(set) var cells: [SpendCellKey] = []
    private var cellIds: [SpendCellKey: Int32] = [:]
    private var references = Interner()
    private var allocationNumbers = Interner()
    private var clients = Interner()
    private var parties = Interner()
    private var municipalities = Interner()
    private var products = Interner()
    private var categories = Interner()
    /// The engine's lines so far, with the verdict of each, for the monitoring figures.
    public private(set) var lines: [DeclarationEngine.Line] = []
    public private(set) var verdicts: [DeclarationEngine.Verdict] = []

    /// `allocations` nil: none are known, so the allocation rules are skipped. Otherwise the rules
    /// apply in every municipality that has at least one allocation in the list.
    public init(contracts: [ContractedProduct], allocations: [Allocation]?) {
        self.contracts = contracts
        var rows: [DeclarationEngine.ContractRow] = []
        for c in contracts {
            let key = SpendCellKey(municipality: c.municipality, segment: c.segment, provider: c.provider)
            let cell: Int32
            if let existing = cellIds[key] { cell = existing } else {
                cell = Int32(cells.count)
                cellIds[key] = cell
                cells.append(key)
            }
            let years = c.tariffs.keys.sorted()
            let first = years.first ?? 0
            let tariffs = (years.isEmpty ? [] : Array(first...(years.last!))).map { Int64(c.tariffs[$0]?.cents ?? -1) }
            rows.append(.init(provider: parties.id(c.provider), municipality: municipalities.id(c.municipality),
                              product: products.id(Self.productKey(c.category, c.code)), from: Int32(c.from.dayNumber),
                              to: Int32(c.to.dayNumber), deliveryFrom: c.deliveryFrom.map { Int32($0.dayNumber) } ?? Int32.max,
                              firstTariffYear: first, tariffs: tariffs, cell: cell, crisis: c.crisis))
        }
        var allocationRows: [DeclarationEngine.AllocationRow?] = []
        var known: Set<String> = []
        for a in allocations ?? [] {
            known.insert(a.municipality)
            let id = Int(allocationNumbers.id(Self.allocationKey(a.municipality, a.number)))
            if id >= allocationRows.count { allocationRows += Array(repeating: nil, count: id - allocationRows.count + 1) }
            allocationRows[id] = .init(client: clients.id(a.client), municipality: municipalities.id(a.municipality), provider: parties.id(a.provider),
                                       category: categories.id(a.category),
                                       product: a.isSpecific ? products.id(Self.productKey(a.category, a.code!)) : -1,
                                       unit: a.unit, volume: a.volume.map(Int32.init) ?? -1, frequency: a.frequency,
                                       start: Int32(a.start.dayNumber), end: a.end.map { Int32($0.dayNumber) } ?? Int32.max)
        }
        for m in known { _ = municipalities.id(m) }
        let knownFlags = municipalities.names.map { known.contains($0) }
        engine = DeclarationEngine(contracts: rows, allocations: allocationRows, allocationsKnown: knownFlags,
                                   referenceCount: 0, allocationCount: allocationRows.count)
    }

    static func productKey(_ category: String, _ code: String) -> String { category + "/" + code }
    // Allocation numbers are unique per municipality, references per provider.
    static func allocationKey(_ municipality: String, _ number: String) -> String { municipality + "/" + number }
    static func referenceKey(_ provider: String, _ reference: String) -> String { provider + "/" + reference }

    private mutating func engineLine(_ line: DeclarationLine, of declaration: Declaration) -> DeclarationEngine.Line {
        DeclarationEngine.Line(
            reference: references.id(Self.referenceKey(declaration.provider, line.reference)),
            previousReference: line.previousReference.map { references.id(Self.referenceKey(declaration.provider, $0)) } ?? -1,
            allocation: allocationNumbers.id(Self.allocationKey(declaration.municipality, line.allocation)),
            client: clients.id(line.client), provider: parties.id(declaration.provider), municipality: municipalities.id(declaration.municipality),
            product: products.id(Self.productKey(line.category, line.code)), category: categories.id(line.category), unit: line.unit,
            month: Int32(YearMonth(line.period.begin).index), begin: Int32(line.period.begin.dayNumber), end: Int32(line.period.end.dayNumber),
            volume: Int32(clamping: line.volume), tariff: line.tariff.map { Int32(clamping: $0.cents) } ?? -1, amount: Int32(clamping: line.amount.cents),
            credit: line.direction == .credit)
    }

    private mutating func growEngine() {
        engine.grow(referenceCount: references.count, allocationCount: allocationNumbers.count)
    }

    /// Checks every line of the message, in order, and returns a verdict per line.
    public mutating func check(_ declaration: Declaration) -> [LineVerdict] {
        var rows: [DeclarationEngine.Line] = []
        for line in declaration.lines { rows.append(engineLine(line, of: declaration)) }
        growEngine()
        var out: [LineVerdict] = []
        for (line, row) in zip(declaration.lines, rows) {
            let verdict = engine.check(row)
            lines.append(row)
            verdicts.append(verdict)
            let contract = verdict.contract >= 0 ? contracts[Int(verdict.contract)] : nil
            let a = Int(row.allocation)
            let specific = a < engine.allocations.count && (engine.allocations[a]?.product ?? -1) >= 0
            out.append(LineVerdict(declaration: declaration.number, reference: line.reference, allocation: line.allocation,
                                   product: "\(line.category) \(line.code)", period: line.period, volume: line.volume, amount: line.amount,
                                   direction: line.direction, rules: verdict.broken.rules, contract: contract?.contract, segment: contract?.segment,
                                   alwaysPaid: (contract?.crisis ?? false) || specific))
        }
        return out
    }

    /// Counts lines approved before (from the database) without checking them again.
    public mutating func recordApproved(_ declaration: Declaration) {
        let rows = declaration.lines.map { engineLine($0, of: declaration) }
        growEngine()
        for row in rows { engine.recordApproved(row) }
    }

    /// The approved spend so far per cell and month.
    public func spend() -> [SpendCellKey: [YearMonth: CellSpend]] {
        Monitoring.spend(lines: lines, verdicts: verdicts, engine: engine, cells: cells)
    }
}
