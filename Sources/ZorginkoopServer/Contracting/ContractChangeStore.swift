import Fluent
import Foundation
import Vapor
import ZorginkoopCore

/// Subcontractor requests and numbered amendments in the database, written with the decision's
/// audit entry.
enum ContractChangeStore {
    static func requests(of contract: UUID, on db: Database) async throws -> [SubcontractorRequest] {
        try await SubcontractorRequestRecord.query(on: db).filter(\.$contract.$id == contract).sort(\.$number).all().map(request)
    }

    static func save(_ request: SubcontractorRequest, of contract: UUID, on db: Database) async throws {
        let row = try await SubcontractorRequestRecord.query(on: db).filter(\.$contract.$id == contract).filter(\.$number == request.number).first()
            ?? SubcontractorRequestRecord()
        row.$contract.id = contract
        row.number = request.number
        row.kind = request.kind.rawValue
        row.name = request.name
        row.kvkNumber = request.kvkNumber
        row.reason = request.reason
        row.requestedBy = request.requestedBy
        row.requestedAt = request.requestedAt
        row.state = request.state.rawValue
        row.decidedBy = request.decidedBy
        row.decidedAt = request.decidedAt
        row.decisionReason = request.decisionReason
        try await row.save(on: db)
    }

    static func writeCapacity(subSegment: String, municipality: String, places: Int, id: UUID, on db: Database) async throws {
        let row = try await ContractCapacityRecord.query(on: db).filter(\.$contract.$id == id).filter(\.$subSegment == subSegment)
            .filter(\.$municipality == municipality).first() ?? ContractCapacityRecord()
        row.$contract.id = id
        row.subSegment = subSegment
        row.municipality = municipality
        row.places = places
        try await row.save(on: db)
    }

    private static func request(_ r: SubcontractorRequestRecord) -> SubcontractorRequest {
        SubcontractorRequest(number: r.number, kind: SubcontractorRequest.Kind(rawValue: r.kind) ?? .add, name: r.name, kvkNumber: r.kvkNumber,
                             reason: r.reason, requestedBy: r.requestedBy, requestedAt: r.requestedAt,
                             state: SubcontractorRequest.State(rawValue: r.state) ?? .pending, decidedBy: r.decidedBy, decidedAt: r.decidedAt,
                             decisionReason: r.decisionReason)
    }
}
