import Fluent
import Foundation
import SQLKit
import ZorginkoopCore

// Money in the contract period: budgets per municipality × segment, ceilings per provider, and
// the declarations received with the verdict on every line. Amounts are integer cents; calendar
// days ISO text. No BSN is stored in the clear: a line holds the client's keyed hash, and the
// answer message (which must list BSNs) is sealed under the master key.

final class BudgetRecord: Model, @unchecked Sendable {
    static let schema = "budgets"

    @ID(key: .id) var id: UUID?
    @Field(key: "year") var year: Int
    /// The design's municipality code.
    @Field(key: "municipality") var municipality: String
    @Field(key: "segment") var segment: String
    @Field(key: "amount_cents") var amountCents: Int
    @Field(key: "set_by") var setBy: String
    @Field(key: "set_at") var setAt: Date

    init() {}

    var budget: Budget { Budget(year: year, municipality: municipality, segment: segment, amount: Money(cents: amountCents)) }
}

final class CeilingRecord: Model, @unchecked Sendable {
    static let schema = "ceilings"

    @ID(key: .id) var id: UUID?
    @Field(key: "year") var year: Int
    /// The provider's AGB code.
    @Field(key: "provider") var provider: String
    /// The design's municipality code; empty for one ceiling over all the contract's municipalities.
    @Field(key: "municipality") var municipality: String
    @Field(key: "annual_cents") var annualCents: Int
    @OptionalField(key: "contract_start") var contractStart: String?
    /// The day the 70 % alert was first seen: its notice, consultation and decision dates run from it.
    @OptionalField(key: "alert_seen_on") var alertSeenOn: String?
    /// An agreed client stop: no new clients from this day, with what was agreed.
    @OptionalField(key: "client_stop_from") var clientStopFrom: String?
    @OptionalField(key: "client_stop_note") var clientStopNote: String?
    @Field(key: "set_by") var setBy: String
    @Field(key: "set_at") var setAt: Date

    init() {}

    var ceiling: Ceiling {
        Ceiling(provider: provider, municipality: municipality.isEmpty ? nil : municipality, year: year, annual: Money(cents: annualCents),
                contractStart: contractStart.flatMap(CalendarDate.init(iso:)))
    }
}

final class DeclarationMessageRecord: Model, @unchecked Sendable {
    static let schema = "declaration_messages"

    @ID(key: .id) var id: UUID?
    /// `CareLaw`'s raw value.
    @Field(key: "law") var law: String
    /// The four-digit municipality code of the message.
    @Field(key: "municipality") var municipality: String
    /// The provider's AGB code.
    @Field(key: "provider") var provider: String
    @Field(key: "message_id") var messageId: String
    @Field(key: "message_date") var messageDate: String
    @Field(key: "number") var number: String
    @Field(key: "period_begin") var periodBegin: String
    @Field(key: "period_end") var periodEnd: String
    @Field(key: "line_count") var lineCount: Int
    @Field(key: "rejected_count") var rejectedCount: Int
    @Field(key: "declared_cents") var declaredCents: Int
    @Field(key: "approved_cents") var approvedCents: Int
    /// The JW325/WMO325 answer, sealed (it lists BSNs).
    @Field(key: "answer_sealed") var answerSealed: Data
    @Field(key: "answer_id") var answerId: String
    @Field(key: "received_by") var receivedBy: String
    @Field(key: "received_at") var receivedAt: Date

    init() {}

    var careLaw: CareLaw { CareLaw(rawValue: law) ?? .jeugdwet }
}

final class DeclarationLineRecord: Model, @unchecked Sendable {
    static let schema = "declaration_lines"

    @ID(key: .id) var id: UUID?
    @Parent(key: "message_id") var message: DeclarationMessageRecord
    @Field(key: "position") var position: Int
    @Field(key: "municipality") var municipality: String
    @Field(key: "provider") var provider: String
    @Field(key: "reference") var reference: String
    @OptionalField(key: "previous_reference") var previousReference: String?
    @Field(key: "allocation") var allocation: String
    /// The keyed hash of the client's BSN (`VaultKeys.clientKey`).
    @Field(key: "client_key") var clientKey: String
    @Field(key: "category") var category: String
    @Field(key: "code") var code: String
    @Field(key: "unit") var unit: String
    @Field(key: "period_begin") var periodBegin: String
    @Field(key: "period_end") var periodEnd: String
    /// `2027-03`: the month the line counts in.
    @Field(key: "month") var month: String
    @Field(key: "volume") var volume: Int
    @OptionalField(key: "tariff_cents") var tariffCents: Int?
    @Field(key: "amount_cents") var amountCents: Int
    @Field(key: "credit") var credit: Bool
    /// What the line adds to spend when approved (`LineVerdict.signedAmount`: a credit negative),
    /// so the database sums without knowing the rule.
    @Field(key: "signed_cents") var signedCents: Int
    @Field(key: "signed_volume") var signedVolume: Int
    @OptionalField(key: "contract") var contract: String?
    @OptionalField(key: "segment") var segment: String?
    @Field(key: "approved") var approved: Bool
    @Field(key: "always_paid") var alwaysPaid: Bool
    /// The broken rules by name (`DeclarationRule`'s cases), comma-separated; empty when approved.
    @Field(key: "rules") var rules: String

    init() {}

    var brokenRules: [DeclarationRule] { rules.split(separator: ",").compactMap { DeclarationRule(storedName: String($0)) } }
}

extension DeclarationRule {
    /// The case's name: what the database stores, so reordering the enum changes nothing stored.
    var storedName: String { String(describing: self) }

    init?(storedName: String) {
        guard let rule = Self.allCases.first(where: { $0.storedName == storedName }) else { return nil }
        self = rule
    }
}

struct M024CreateFinance: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("budgets")
            .id()
            .field("year", .int, .required)
            .field("municipality", .string, .required)
            .field("segment", .string, .required)
            .field("amount_cents", .int64, .required)
            .field("set_by", .string, .required)
            .field("set_at", .datetime, .required)
            .unique(on: "year", "municipality", "segment")
            .create()
        try await db.schema("ceilings")
            .id()
            .field("year", .int, .required)
            .field("provider", .string, .required)
            .field("municipality", .string, .required)
            .field("annual_cents", .int64, .required)
            .field("contract_start", .string)
            .field("alert_seen_on", .string)
            .field("client_stop_from", .string)
            .field("client_stop_note", .string)
            .field("set_by", .string, .required)
            .field("set_at", .datetime, .required)
            .unique(on: "year", "provider", "municipality")
            .create()
        try await db.schema("declaration_messages")
            .id()
            .field("law", .string, .required)
            .field("municipality", .string, .required)
            .field("provider", .string, .required)
            .field("message_id", .string, .required)
            .field("message_date", .string, .required)
            .field("number", .string, .required)
            .field("period_begin", .string, .required)
            .field("period_end", .string, .required)
            .field("line_count", .int, .required)
            .field("rejected_count", .int, .required)
            .field("declared_cents", .int64, .required)
            .field("approved_cents", .int64, .required)
            .field("answer_sealed", .data, .required)
            .field("answer_id", .string, .required)
            .field("received_by", .string, .required)
            .field("received_at", .datetime, .required)
            // A message is received once: the same identification from the same provider is refused.
            .unique(on: "provider", "message_id")
            .create()
        try await db.schema("declaration_lines")
            .id()
            .field("message_id", .uuid, .required, .references("declaration_messages", "id"))
            .field("position", .int, .required)
            .field("municipality", .string, .required)
            .field("provider", .string, .required)
            .field("reference", .string, .required)
            .field("previous_reference", .string)
            .field("allocation", .string, .required)
            .field("client_key", .string, .required)
            .field("category", .string, .required)
            .field("code", .string, .required)
            .field("unit", .string, .required)
            .field("period_begin", .string, .required)
            .field("period_end", .string, .required)
            .field("month", .string, .required)
            .field("volume", .int, .required)
            .field("tariff_cents", .int64)
            .field("amount_cents", .int64, .required)
            .field("credit", .bool, .required)
            .field("signed_cents", .int64, .required)
            .field("signed_volume", .int64, .required)
            .field("contract", .string)
            .field("segment", .string)
            .field("approved", .bool, .required)
            .field("always_paid", .bool, .required)
            .field("rules", .string, .required)
            .create()
        guard let sql = db as? SQLDatabase else { return }
        try await sql.create(index: "declaration_lines_month").on("declaration_lines").column("month").run()
        try await sql.create(index: "declaration_lines_message").on("declaration_lines").column("message_id").run()
        try await sql.create(index: "declaration_lines_provider").on("declaration_lines").column("provider").column("municipality").run()
    }

    func revert(on db: Database) async throws {
        try await db.schema("declaration_lines").delete()
        try await db.schema("declaration_messages").delete()
        try await db.schema("ceilings").delete()
        try await db.schema("budgets").delete()
    }
}
