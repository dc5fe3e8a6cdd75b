import Fluent
import Foundation
import ZorginkoopCore

/// A KPI value reported for one contract and period; a second report of the same period corrects
/// the first (audited with the old and new value).
final class KPIReportRecord: Model, @unchecked Sendable {
    static let schema = "kpi_reports"

    @ID(key: .id) var id: UUID?
    @Parent(key: "contract_id") var contract: ContractRecord
    @Field(key: "kpi") var kpi: String
    /// `KPIPeriod`'s text: `2027-K1`, `2027-H2`, `2027`.
    @Field(key: "period") var period: String
    /// Thousandths of the KPI's unit.
    @Field(key: "value") var value: Int
    @Field(key: "reported_on") var reportedOn: String
    @Field(key: "by") var by: String
    @Field(key: "at") var at: Date

    init() {}
}

struct M021CreateKPIReports: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("kpi_reports")
            .id()
            .field("contract_id", .uuid, .required, .references("contracts", "id"))
            .field("kpi", .string, .required)
            .field("period", .string, .required)
            .field("value", .int, .required)
            .field("reported_on", .string, .required)
            .field("by", .string, .required)
            .field("at", .datetime, .required)
            .unique(on: "contract_id", "kpi", "period")
            .create()
    }

    func revert(on db: Database) async throws {
        try await db.schema("kpi_reports").delete()
    }
}
