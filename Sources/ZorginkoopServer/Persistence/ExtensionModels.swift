import Fluent
import Foundation
import SQLKit
import ZorginkoopCore

// Extension rounds: the lead's advice per tender, segment and term end (each adjustment a new
// version), and per contract and municipality an intention and a decision. A decision is unique
// per contract, municipality and term end, so two officials deciding at once cannot both land.

final class ExtensionAdviceRecord: Model, @unchecked Sendable {
    static let schema = "extension_advices"

    @ID(key: .id) var id: UUID?
    @Field(key: "tender_code") var tenderCode: String
    @Field(key: "segment") var segment: String
    @Field(key: "term_end") var termEnd: String
    @Field(key: "version") var version: Int
    /// `ExtensionChoice`'s raw value.
    @Field(key: "recommendation") var recommendation: String
    @Field(key: "text") var text: String
    @Field(key: "by") var by: String
    @Field(key: "at") var at: Date

    init() {}
}

final class ExtensionIntentionRecord: Model, @unchecked Sendable {
    static let schema = "extension_intentions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "contract_id") var contract: ContractRecord
    @Field(key: "municipality") var municipality: String
    @Field(key: "term_end") var termEnd: String
    @Field(key: "choice") var choice: String
    @Field(key: "note") var note: String
    @Field(key: "by") var by: String
    @Field(key: "at") var at: Date

    init() {}
}

final class ExtensionDecisionRecord: Model, @unchecked Sendable {
    static let schema = "extension_decisions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "contract_id") var contract: ContractRecord
    @Field(key: "municipality") var municipality: String
    @Field(key: "term_end") var termEnd: String
    @Field(key: "choice") var choice: String
    @Field(key: "reason") var reason: String
    @Field(key: "decided_on") var decidedOn: String
    @Field(key: "by") var by: String
    @Field(key: "at") var at: Date

    init() {}
}

struct M020CreateExtensionRounds: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("extension_advices")
            .id()
            .field("tender_code", .string, .required)
            .field("segment", .string, .required)
            .field("term_end", .string, .required)
            .field("version", .int, .required)
            .field("recommendation", .string, .required)
            .field("text", .string, .required)
            .field("by", .string, .required)
            .field("at", .datetime, .required)
            .unique(on: "tender_code", "segment", "term_end", "version")
            .create()
        try await db.schema("extension_intentions")
            .id()
            .field("contract_id", .uuid, .required, .references("contracts", "id"))
            .field("municipality", .string, .required)
            .field("term_end", .string, .required)
            .field("choice", .string, .required)
            .field("note", .string, .required)
            .field("by", .string, .required)
            .field("at", .datetime, .required)
            .unique(on: "contract_id", "municipality", "term_end")
            .create()
        try await db.schema("extension_decisions")
            .id()
            .field("contract_id", .uuid, .required, .references("contracts", "id"))
            .field("municipality", .string, .required)
            .field("term_end", .string, .required)
            .field("choice", .string, .required)
            .field("reason", .string, .required)
            .field("decided_on", .string, .required)
            .field("by", .string, .required)
            .field("at", .datetime, .required)
            .unique(on: "contract_id", "municipality", "term_end")
            .create()
    }

    func revert(on db: Database) async throws {
        for table in ["extension_decisions", "extension_intentions", "extension_advices"] {
            try await db.schema(table).delete()
        }
    }
}
