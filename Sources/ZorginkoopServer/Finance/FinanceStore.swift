import Fluent
import Foundation
import SQLKit
import Vapor
import ZorginkoopCore
import ZorginkoopInterop

/// Budgets, ceilings and received declarations in the database.
enum FinanceStore {
    static func budgets(on db: Database) async throws -> [Budget] {
        try await BudgetRecord.query(on: db).all().map(\.budget)
    }

    /// Sets a budget, replacing the one for the same year, municipality and segment. Returns the old amount.
    static func setBudget(_ budget: Budget, by: String, at: Date, on db: Database) async throws -> Money? {
        let existing = try await BudgetRecord.query(on: db).filter(\.$year == budget.year).filter(\.$municipality == budget.municipality)
            .filter(\.$segment == budget.segment).first()
        let old = existing.map { Money(cents: $0.amountCents) }
        let row = existing ?? BudgetRecord()
        row.year = budget.year
        row.municipality = budget.municipality
        row.segment = budget.segment
        row.amountCents = budget.amount.cents
        row.setBy = by
        row.setAt = at
        try await row.save(on: db)
        return old
    }

    static func ceilings(on db: Database) async throws -> [CeilingRecord] {
        try await CeilingRecord.query(on: db).sort(\.$year).sort(\.$provider).all()
    }

    static func ceiling(year: Int, provider: String, municipality: String, on db: Database) async throws -> CeilingRecord? {
        try await CeilingRecord.query(on: db).filter(\.$year == year).filter(\.$provider == provider).filter(\.$municipality == municipality).first()
    }

    /// AGB code by organisation id, for the providers that have one.
    static func agbCodes(on db: Database) async throws -> [String: String] {
        var out: [String: String] = [:]
        for o in try await OrganisationRecord.query(on: db).filter(\.$agbCode != nil).all() {
            if let id = o.id, let agb = o.agbCode { out[id.uuidString] = agb }
        }
        return out
    }

    /// What the register pays for, flattened for the check.
    static func contractedProducts(on db: Database, design: Design) async throws -> [ContractedProduct] {
        ContractedProduct.from(try await ContractStore.all(on: db).map(\.contract), design: design, agbCodes: try await agbCodes(on: db))
    }

    /// The approved spend per cell and month, summed by the database from each line's verdict.
    /// (PostgreSQL sums a bigint as numeric: the cast keeps the sums integers on both engines.)
    /// `municipality` (four digits) and `provider` (AGB) narrow it to what a viewer may see.
    static func spend(on db: Database, municipality: String? = nil, provider: String? = nil) async throws -> [SpendCellKey: [YearMonth: CellSpend]] {
        guard let sql = db as? SQLDatabase else { return [:] }
        struct Row: Decodable {
            var municipality: String, segment: String, provider: String, month: String
            var approved: Int, always: Int, volume: Int, lines: Int, rejected: Int, rejected_lines: Int
        }
        var query = sql.select()
            .column("municipality").column("segment").column("provider").column("month")
            .column(SQLRaw("CAST(SUM(CASE WHEN approved THEN signed_cents ELSE 0 END) AS BIGINT)"), as: "approved")
            .column(SQLRaw("CAST(SUM(CASE WHEN approved AND always_paid THEN signed_cents ELSE 0 END) AS BIGINT)"), as: "always")
            .column(SQLRaw("CAST(SUM(CASE WHEN approved THEN signed_volume ELSE 0 END) AS BIGINT)"), as: "volume")
            .column(SQLRaw("CAST(SUM(CASE WHEN approved THEN 1 ELSE 0 END) AS BIGINT)"), as: "lines")
            .column(SQLRaw("CAST(SUM(CASE WHEN approved THEN 0 ELSE signed_cents END) AS BIGINT)"), as: "rejected")
            .column(SQLRaw("CAST(SUM(CASE WHEN approved THEN 0 ELSE 1 END) AS BIGINT)"), as: "rejected_lines")
            .from(DeclarationLineRecord.schema)
            .where("segment", .isNot, SQLLiteral.null)
        if let municipality { query = query.where("municipality", .equal, municipality) }
        if let provider { query = query.where("provider", .equal, provider) }
        let rows = try await query.groupBy("municipality").groupBy("segment").groupBy("provider").groupBy("month").all(decoding: Row.self)
        var out: [SpendCellKey: [YearMonth: CellSpend]] = [:]
        for r in rows {
            let parts = r.month.split(separator: "-")
            guard parts.count == 2, let y = Int(parts[0]), let m = Int(parts[1]) else { continue }
            var s = CellSpend()
            s.approved = Money(cents: r.approved)
            s.alwaysPaid = Money(cents: r.always)
            s.volume = r.volume
            s.lines = r.lines
            s.rejected = Money(cents: r.rejected)
            s.rejectedLines = r.rejected_lines
            out[SpendCellKey(municipality: r.municipality, segment: r.segment, provider: r.provider), default: [:]][YearMonth(year: y, month: m)] = s
        }
        return out
    }

    /// The lines approved before for a provider in a municipality, as the check needs them to see a
    /// second debit or a credit of an earlier line. The client is its keyed hash, as in new lines.
    /// Only the allocations of the new message matter (both rules are per allocation): reading
    /// those keeps a message's cost from growing with every month received before.
    static func approvedBefore(provider: String, municipality: String, law: CareLaw, allocations: Set<String>, on db: Database) async throws -> Declaration {
        var rows: [DeclarationLineRecord] = []
        let wanted = allocations.sorted()
        for batch in stride(from: 0, to: wanted.count, by: 1000) {
            rows += try await DeclarationLineRecord.query(on: db).filter(\.$provider == provider).filter(\.$municipality == municipality)
                .filter(\.$approved == true).filter(\.$allocation ~~ Array(wanted[batch..<min(batch + 1000, wanted.count)])).all()
        }
        // In the order received: message ids are time-ordered.
        rows.sort { ($0.$message.id.uuidString, $0.position) < ($1.$message.id.uuidString, $1.position) }
        let lines = rows.compactMap { r -> DeclarationLine? in
            guard let begin = CalendarDate(iso: r.periodBegin), let end = CalendarDate(iso: r.periodEnd), let unit = ProductUnit(rawValue: r.unit) else { return nil }
            return DeclarationLine(reference: r.reference, previousReference: r.previousReference, client: r.clientKey, allocation: r.allocation,
                                   category: r.category, code: r.code, period: DatePeriod(begin, end), volume: r.volume, unit: unit,
                                   tariff: r.tariffCents.map { Money(cents: $0) }, amount: Money(cents: r.amountCents), direction: r.credit ? .credit : .debit)
        }
        let day = CalendarDate(year: 2000, month: 1, day: 1)!
        return Declaration(law: law, messageId: "-", messageDate: day, provider: provider, municipality: municipality, number: "-",
                           period: DatePeriod(day, day), date: day, total: .zero, lines: lines)
    }

    static func messages(on db: Database, municipality: String? = nil, provider: String? = nil) async throws -> [DeclarationMessageRecord] {
        var query = DeclarationMessageRecord.query(on: db).sort(\.$receivedAt, .descending)
        if let municipality { query = query.filter(\.$municipality == municipality) }
        if let provider { query = query.filter(\.$provider == provider) }
        return try await query.all()
    }

    static func lines(of message: UUID, on db: Database) async throws -> [DeclarationLineRecord] {
        try await DeclarationLineRecord.query(on: db).filter(\.$message.$id == message).sort(\.$position).all()
    }

    /// Writes the message and its lines. Lines go in batches: one statement per batch, inside the
    /// caller's transaction.
    static func save(_ message: DeclarationMessageRecord, lines: [DeclarationLineRecord], on db: Database) async throws {
        try await message.create(on: db)
        for batch in stride(from: 0, to: lines.count, by: 500) {
            try await Array(lines[batch..<min(batch + 500, lines.count)]).create(on: db)
        }
    }
}
