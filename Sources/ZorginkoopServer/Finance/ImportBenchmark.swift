import Fluent
import Foundation
import SQLKit
import Vapor
import ZorginkoopCore

/// Receiving declarations into the database against the raw bulk-insert rate of the same disk, in
/// one process on the application's writer (docs/performance.md):
///
/// - raw: rows of the same columns as `declaration_lines` into a scratch table, in the same batches
///   of 500, one transaction per message-sized chunk, nothing else;
/// - import: whole messages through `DeclarationIntake.store` (the duplicate check, the lines
///   approved before read back, the check, the sealed answer, message and lines written), one
///   transaction per message.
public enum ImportBenchmark {
    public struct Figures: Sendable {
        public var lines: Int
        public var rawRowsPerSecond: Double
        public var importRowsPerSecond: Double
    }

    public static func run(_ app: Application, messages count: Int, clients: Int) async throws -> Figures {
        let product = { (code: String, unit: ProductUnit, cents: Int) in
            ContractedProduct(contract: "BENCH-001", provider: "12345678", municipality: "0222", segment: "WON", category: "01", code: code, unit: unit,
                              from: CalendarDate(year: 2000, month: 1, day: 1)!, to: CalendarDate(year: 2100, month: 12, day: 31)!,
                              deliveryFrom: CalendarDate(year: 2000, month: 1, day: 1)!, tariffs: Dictionary(uniqueKeysWithValues: (2000...2100).map { ($0, Money(cents: cents)) }))
        }
        let products = [product("WON01", .etmaal, 18240), product("WON03", .hour, 6420)]
        // Months from 2001 on, so the run never meets the demo's or a real provider's messages.
        let messages = ExampleDeclarations(clients: clients).messages(for: products, law: .wmo, from: YearMonth(year: 2001, month: 1),
                                                                      through: YearMonth(year: 2001 + (count - 1) / 12, month: (count - 1) % 12 + 1),
                                                                      seed: UInt64(Date().timeIntervalSince1970) % 45)
            .map { var m = $0; m.messageId = "B" + String(UUID().uuidString.prefix(8)); m.provider = "12345678"; return m }
        let keys = app.zorginkoop.vault
        let lines = messages.reduce(0) { $0 + $1.lines.count }

        let sql = app.writer as! any SQLDatabase
        try await sql.raw("""
            CREATE TABLE IF NOT EXISTS import_benchmark (id uuid PRIMARY KEY, message_id uuid, position integer, municipality text, provider text,
            reference text, previous_reference text, allocation text, client_key text, category text, code text, unit text, period_begin text,
            period_end text, month text, volume integer, tariff_cents bigint, amount_cents bigint, credit boolean, signed_cents bigint,
            signed_volume bigint, contract text, segment text, approved boolean, always_paid boolean, rules text)
            """).run()
        let rawStart = ContinuousClock.now
        for message in messages {
            let id = UUID()
            try await app.writer.writeTransaction { db in
                let sql = db as! any SQLDatabase
                for batch in stride(from: 0, to: message.lines.count, by: 500) {
                    var insert = sql.insert(into: "import_benchmark").columns(
                        "id", "message_id", "position", "municipality", "provider", "reference", "previous_reference", "allocation", "client_key",
                        "category", "code", "unit", "period_begin", "period_end", "month", "volume", "tariff_cents", "amount_cents", "credit",
                        "signed_cents", "signed_volume", "contract", "segment", "approved", "always_paid", "rules")
                    for (i, l) in message.lines[batch..<min(batch + 500, message.lines.count)].enumerated() {
                        insert = insert.values(SQLBind(UUID()), SQLBind(id), SQLBind(batch + i), SQLBind(message.municipality), SQLBind(message.provider),
                                               SQLBind(l.reference), SQLBind(l.previousReference), SQLBind(l.allocation), SQLBind(l.client), SQLBind(l.category),
                                               SQLBind(l.code), SQLBind(l.unit.rawValue), SQLBind(l.period.begin.description), SQLBind(l.period.end.description),
                                               SQLBind(YearMonth(l.period.begin).description), SQLBind(l.volume), SQLBind(l.tariff?.cents), SQLBind(l.amount.cents),
                                               SQLBind(false), SQLBind(l.amount.cents), SQLBind(l.volume), SQLBind("BENCH-001"), SQLBind("WON"), SQLBind(true),
                                               SQLBind(false), SQLBind(""))
                    }
                    try await insert.run()
                }
            }
        }
        let raw = ContinuousClock.now - rawStart
        try await sql.raw("DROP TABLE import_benchmark").run()

        let importStart = ContinuousClock.now
        for message in messages {
            let hashed = keys.hashingClients(message)
            _ = try await app.writer.writeTransaction { db in
                try await DeclarationIntake.store(message, hashed: hashed, contracts: products, keys: keys, by: "benchmark", at: Date(),
                                                  today: CalendarDate(year: 2002, month: 1, day: 1)!, on: db)
            }
        }
        let imported = ContinuousClock.now - importStart
        // Leave nothing behind.
        let ids = try await DeclarationMessageRecord.query(on: app.db).filter(\.$receivedBy == "benchmark").all().compactMap(\.id)
        try await DeclarationLineRecord.query(on: app.db).filter(\.$message.$id ~~ ids).delete()
        try await DeclarationMessageRecord.query(on: app.db).filter(\.$receivedBy == "benchmark").delete()
        return Figures(lines: lines, rawRowsPerSecond: Double(lines) / seconds(raw), importRowsPerSecond: Double(lines) / seconds(imported))
    }

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
}
