import Fluent
import Foundation
import SQLKit
import ZorginkoopCore

// The contract register: a contract is a row with its parties, sub-segments, a term per
// municipality, capacity, start proofs and its history. Calendar days are stored as ISO text
// (`2027-12-31`), which sorts and filters the same way on both engines.

final class ContractRecord: Model, @unchecked Sendable {
    static let schema = "contracts"

    @ID(key: .id) var id: UUID?
    @Field(key: "number") var number: String
    /// `ContractSource`'s raw value.
    @Field(key: "source") var source: String
    @OptionalParent(key: "tender_id") var tenderRecord: TenderRecord?
    /// The tender's code, or the reference of a private tender.
    @Field(key: "tender_code") var tenderCode: String
    @OptionalField(key: "bid") var bid: String?
    @Field(key: "segment") var segment: String
    @Field(key: "title") var title: String
    @Field(key: "start_date") var start: String
    @Field(key: "term_start") var termStart: String
    @Field(key: "term_initial_end") var termInitialEnd: String
    @Field(key: "term_initial_months") var termInitialMonths: Int
    @Field(key: "term_extension_months") var termExtensionMonths: Int
    @Field(key: "term_max_extensions") var termMaxExtensions: Int
    @Field(key: "term_max_total_months") var termMaxTotalMonths: Int
    @Field(key: "term_max_end") var termMaxEnd: String
    /// The latest end over the municipalities, kept with each change so the register filters on it.
    @Field(key: "current_end") var currentEnd: String
    @OptionalField(key: "terminated_on") var terminatedOn: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "created_by") var createdBy: String

    init() {}
}

final class ContractPartyRecord: Model, @unchecked Sendable {
    static let schema = "contract_parties"

    @ID(key: .id) var id: UUID?
    @Parent(key: "contract_id") var contract: ContractRecord
    @Field(key: "position") var position: Int
    @Field(key: "role") var role: String
    @OptionalField(key: "organisation_id") var organisation: UUID?
    @Field(key: "name") var name: String
    @OptionalField(key: "kvk_number") var kvkNumber: String?

    init() {}
}

final class ContractSubSegmentRecord: Model, @unchecked Sendable {
    static let schema = "contract_sub_segments"

    @ID(key: .id) var id: UUID?
    @Parent(key: "contract_id") var contract: ContractRecord
    @Field(key: "position") var position: Int
    @Field(key: "sub_segment") var subSegment: String

    init() {}
}

final class ContractTermRecord: Model, @unchecked Sendable {
    static let schema = "contract_terms"

    @ID(key: .id) var id: UUID?
    @Parent(key: "contract_id") var contract: ContractRecord
    @Field(key: "position") var position: Int
    @Field(key: "municipality") var municipality: String
    @Field(key: "end_date") var end: String
    @Field(key: "extensions_used") var extensionsUsed: Int

    init() {}
}

final class ContractCapacityRecord: Model, @unchecked Sendable {
    static let schema = "contract_capacity"

    @ID(key: .id) var id: UUID?
    @Parent(key: "contract_id") var contract: ContractRecord
    @Field(key: "sub_segment") var subSegment: String
    @Field(key: "municipality") var municipality: String
    @Field(key: "places") var places: Int

    init() {}
}

final class ContractProofRecord: Model, @unchecked Sendable {
    static let schema = "contract_proofs"

    @ID(key: .id) var id: UUID?
    @Parent(key: "contract_id") var contract: ContractRecord
    @Field(key: "requirement") var requirement: String
    @Field(key: "name") var name: String
    @Field(key: "due") var due: String
    @OptionalField(key: "accepted_on") var acceptedOn: String?
    @OptionalField(key: "accepted_by") var acceptedBy: String?

    init() {}
}

/// One step in a contract's history: made, extended or not for a municipality, proof accepted,
/// an amendment (numbered), terminated.
final class ContractEventRecord: Model, @unchecked Sendable {
    static let schema = "contract_events"

    @ID(custom: .id, generatedBy: .user) var id: UUID?
    @Parent(key: "contract_id") var contract: ContractRecord
    /// `ContractEvent.Kind`'s raw value.
    @Field(key: "kind") var kind: String
    @OptionalField(key: "municipality") var municipality: String?
    @OptionalField(key: "amendment") var amendment: Int?
    @Field(key: "at") var at: Date
    @Field(key: "by") var by: String
    @Field(key: "summary") var summary: String
    @Field(key: "reason") var reason: String

    init() {}
}

struct M019CreateContractRegister: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("contracts")
            .id()
            .field("number", .string, .required)
            .field("source", .string, .required)
            .field("tender_id", .uuid, .references("tenders", "id"))
            .field("tender_code", .string, .required)
            .field("bid", .string)
            .field("segment", .string, .required)
            .field("title", .string, .required)
            .field("start_date", .string, .required)
            .field("term_start", .string, .required)
            .field("term_initial_end", .string, .required)
            .field("term_initial_months", .int, .required)
            .field("term_extension_months", .int, .required)
            .field("term_max_extensions", .int, .required)
            .field("term_max_total_months", .int, .required)
            .field("term_max_end", .string, .required)
            .field("current_end", .string, .required)
            .field("terminated_on", .string)
            .field("created_at", .datetime, .required)
            .field("created_by", .string, .required)
            .unique(on: "number")
            .create()
        try await db.schema("contract_parties")
            .id()
            .field("contract_id", .uuid, .required, .references("contracts", "id"))
            .field("position", .int, .required)
            .field("role", .string, .required)
            .field("organisation_id", .uuid, .references("organisations", "id"))
            .field("name", .string, .required)
            .field("kvk_number", .string)
            .create()
        try await db.schema("contract_sub_segments")
            .id()
            .field("contract_id", .uuid, .required, .references("contracts", "id"))
            .field("position", .int, .required)
            .field("sub_segment", .string, .required)
            .create()
        try await db.schema("contract_terms")
            .id()
            .field("contract_id", .uuid, .required, .references("contracts", "id"))
            .field("position", .int, .required)
            .field("municipality", .string, .required)
            .field("end_date", .string, .required)
            .field("extensions_used", .int, .required)
            .create()
        try await db.schema("contract_capacity")
            .id()
            .field("contract_id", .uuid, .required, .references("contracts", "id"))
            .field("sub_segment", .string, .required)
            .field("municipality", .string, .required)
            .field("places", .int, .required)
            .create()
        try await db.schema("contract_proofs")
            .id()
            .field("contract_id", .uuid, .required, .references("contracts", "id"))
            .field("requirement", .string, .required)
            .field("name", .string, .required)
            .field("due", .string, .required)
            .field("accepted_on", .string)
            .field("accepted_by", .string)
            .create()
        try await db.schema("contract_events")
            .field("id", .uuid, .identifier(auto: false))
            .field("contract_id", .uuid, .required, .references("contracts", "id"))
            .field("kind", .string, .required)
            .field("municipality", .string)
            .field("amendment", .int)
            .field("at", .datetime, .required)
            .field("by", .string, .required)
            .field("summary", .string, .required)
            .field("reason", .string, .required)
            .create()
        let sql = db as! any SQLDatabase
        for table in ["contract_parties", "contract_sub_segments", "contract_terms", "contract_capacity", "contract_proofs", "contract_events"] {
            try await sql.create(index: "\(table)_contract").on(table).column("contract_id").run()
        }
        try await sql.create(index: "contract_parties_organisation").on("contract_parties").column("organisation_id").run()
        try await ContractRegisterMove.moveAwardContracts(on: db)
    }

    func revert(on db: Database) async throws {
        for table in ["contract_events", "contract_proofs", "contract_capacity", "contract_terms", "contract_sub_segments", "contract_parties", "contracts"] {
            try await db.schema(table).delete()
        }
    }
}

/// Moves the contracts that earlier versions kept inside each tender's award document into the
/// register, numbered in the order they were made, and writes the organisation id of every
/// letter and objection into the document (names were how they were found before).
enum ContractRegisterMove {
    /// The award document as earlier versions wrote it: contracts inside the final awards.
    struct LegacyAward: Decodable {
        struct Final: Decodable {
            var segment: String
            var at: Date
            var by: String
            var contracts: [LegacyContract]?
        }

        var finals: [Final]
    }

    struct LegacyContract: Decodable {
        var bid: String
        var tender: String
        var segment: String
        var bidder: String
        var combinationMembers: [String]
        var subcontractors: [String]
        var subSegments: [String]
        var municipalities: [String]
        var start: CalendarDate
        var initialEnd: CalendarDate
        var maxEnd: CalendarDate
    }

    static func moveAwardContracts(on db: Database) async throws {
        for award in try await AwardRecord.query(on: db).all() {
            let legacy = try StoredJSON.decode(LegacyAward.self, from: award.document)
            var state = try StoredJSON.decode(TenderAward.self, from: award.document)
            guard let tenderRecord = try await TenderRecord.find(award.$tender.id, on: db) else { continue }
            let tender = try LoadedTender(tenderRecord)
            try await fillOrganisations(&state, on: db)
            var made = 0
            for (f, final) in legacy.finals.enumerated() {
                var numbers: [String] = []
                for old in final.contracts ?? [] {
                    made += 1
                    var contract = Contract(number: "\(tender.code)-" + String(format: "%03d", made), bid: old.bid, tender: old.tender,
                                            segment: old.segment, bidder: old.bidder, combinationMembers: old.combinationMembers,
                                            subcontractors: old.subcontractors, subSegments: old.subSegments,
                                            municipalities: old.municipalities, start: old.start, initialEnd: old.initialEnd,
                                            extensionOptions: [], maxEnd: old.maxEnd)
                    let callUp = state.callUps.firstIndex { $0.bid == old.bid && $0.contractNumber == nil }
                    if let callUp { state.callUps[callUp].contractNumber = contract.number } else { numbers.append(contract.number) }
                    contract.extensionOptions = []
                    try await ContractStore.register(contract, source: callUp == nil ? .award : .callUp, tender: tender, award: state,
                                                     at: final.at, by: final.by, on: db)
                }
                state.finals[f].contractNumbers = numbers
            }
            award.document = StoredJSON.string(state)
            try await award.update(on: db)
        }
    }

    /// Letters and objections name their bidder; the organisation of that name is the one meant.
    static func fillOrganisations(_ state: inout TenderAward, on db: Database) async throws {
        let names = Set((state.provisional?.letters.map(\.bidder) ?? []) + state.objections.map(\.bidder))
        guard !names.isEmpty else { return }
        let ids = Dictionary(try await OrganisationRecord.query(on: db).filter(\.$name ~~ Array(names)).all().map { ($0.name, try $0.requireID().uuidString) },
                             uniquingKeysWith: { a, _ in a })
        if let letters = state.provisional?.letters {
            for i in letters.indices where letters[i].organisation == nil { state.provisional?.letters[i].organisation = ids[letters[i].bidder] }
        }
        for i in state.objections.indices where state.objections[i].organisation == nil { state.objections[i].organisation = ids[state.objections[i].bidder] }
    }
}
