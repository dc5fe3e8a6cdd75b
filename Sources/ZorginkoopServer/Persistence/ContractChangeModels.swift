import Fluent
import Foundation
import ZorginkoopCore

/// A provider's request to add or remove a subcontractor, and the officer's decision on it.
final class SubcontractorRequestRecord: Model, @unchecked Sendable {
    static let schema = "subcontractor_requests"

    @ID(key: .id) var id: UUID?
    @Parent(key: "contract_id") var contract: ContractRecord
    @Field(key: "number") var number: Int
    /// `SubcontractorRequest.Kind`'s raw value.
    @Field(key: "kind") var kind: String
    @Field(key: "name") var name: String
    @Field(key: "kvk_number") var kvkNumber: String
    @Field(key: "reason") var reason: String
    @Field(key: "requested_by") var requestedBy: String
    @Field(key: "requested_at") var requestedAt: Date
    /// `SubcontractorRequest.State`'s raw value.
    @Field(key: "state") var state: String
    @OptionalField(key: "decided_by") var decidedBy: String?
    @OptionalField(key: "decided_at") var decidedAt: Date?
    @Field(key: "decision_reason") var decisionReason: String

    init() {}
}

struct M022CreateSubcontractorRequests: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("subcontractor_requests")
            .id()
            .field("contract_id", .uuid, .required, .references("contracts", "id"))
            .field("number", .int, .required)
            .field("kind", .string, .required)
            .field("name", .string, .required)
            .field("kvk_number", .string, .required)
            .field("reason", .string, .required)
            .field("requested_by", .string, .required)
            .field("requested_at", .datetime, .required)
            .field("state", .string, .required)
            .field("decided_by", .string)
            .field("decided_at", .datetime)
            .field("decision_reason", .string, .required)
            .unique(on: "contract_id", "number")
            .create()
    }

    func revert(on db: Database) async throws {
        try await db.schema("subcontractor_requests").delete()
    }
}

/// Contracts made by an award named the design's tender (`CRISIS`) instead of the procedure's
/// (`CRISIS-2026`), so the coverage and the rounds of a tender did not find them: each contract of
/// a tender in the product takes its tender's code.
struct M023ContractTenderCodes: AsyncMigration {
    func prepare(on db: Database) async throws {
        for contract in try await ContractRecord.query(on: db).filter(\.$tenderRecord.$id != nil).all() {
            guard let id = contract.$tenderRecord.id, let tender = try await TenderRecord.find(id, on: db), contract.tenderCode != tender.code else { continue }
            contract.tenderCode = tender.code
            try await contract.update(on: db)
        }
    }

    func revert(on db: Database) async throws {}
}
