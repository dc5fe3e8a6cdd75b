import Fluent
import Foundation
import Vapor
import ZorginkoopCore

/// Assessments as stored: one `SegmentAssessment` per segment of an opened tender. Every change
/// loads it, applies one rule of the core, and saves it with its audit entry in one transaction.
enum AssessmentStore {
    static func all(_ tender: LoadedTender, on db: Database) async throws -> [String: SegmentAssessment] {
        var out: [String: SegmentAssessment] = [:]
        for record in try await SegmentAssessmentRecord.query(on: db).filter(\.$tender.$id == tender.id).all() {
            out[record.segment] = try StoredJSON.decode(SegmentAssessment.self, from: record.document)
        }
        return out
    }

    static func requireOpened(_ tender: LoadedTender) throws {
        guard tender.openedAt != nil else {
            throw Abort(.conflict, reason: "De beoordeling begint na de opening van de kluis.")
        }
    }

    /// The opened bids as the assessment declares them, per segment: a bid on sub-segments of
    /// several segments is assessed in each, as `id/SEGMENT`.
    static func declaredBids(_ opened: [OpenedBid], scope: TenderScope, segment: String) -> [DeclaredBid] {
        opened.compactMap { bid in
            let segments = Set(bid.content.subSegments.compactMap { scope.segment(of: $0)?.code })
            guard segments.contains(segment) else { return nil }
            let subs = bid.content.subSegments.filter { scope.segment(of: $0)?.code == segment }
            let members: [String] = if case let .combination(partners) = bid.content.form { partners.map(\.name) } else { [] }
            let subcontractors: [String] = if case let .withSubcontractors(partners) = bid.content.form { partners.map(\.name) } else { [] }
            let partners = bid.content.form.partners
            return DeclaredBid(id: segments.count == 1 ? bid.bid.uuidString : "\(bid.bid.uuidString)/\(segment)",
                               bidder: bid.organisation, combinationMembers: members, subcontractors: subcontractors,
                               segment: segment, subSegments: subs, serves: bid.content.serves, specialisms: bid.content.specialisms,
                               capacity: bid.content.capacity, transport: bid.content.transport,
                               partnerKvK: Dictionary(partners.map { ($0.name, $0.kvkNumber) }, uniquingKeysWith: { a, _ in a }))
        }
    }

    /// Forms (or, before any score, re-forms) a segment's committee from assessor accounts.
    static func formCommittee(_ tender: LoadedTender, segment: String, assessors: [String], on req: Request) async throws {
        try requireOpened(tender)
        guard tender.scope.segments.contains(where: { $0.code == segment }) else { throw Abort(.notFound, reason: "Segment '\(segment)' hoort niet bij deze aanbesteding.") }
        guard !assessors.isEmpty else { throw ProblemList(problems: [Problem("committee", "kies minstens één beoordelaar")]) }
        let known = Set(try await UserRecord.query(on: req.db).filter(\.$role == Role.assessor.rawValue).filter(\.$active == true).all().map(\.email))
        for email in assessors where !known.contains(email) {
            throw ProblemList(problems: [Problem("committee", "\(email) is geen actieve beoordelaar")])
        }
        let opened = try await VaultService.readOpened(tender, on: req)
        let bids = declaredBids(opened, scope: tender.scope, segment: segment)
        let design = tender.scope.design
        try await req.audited("assessment.committee", subject: "\(tender.code)/\(segment)",
                              details: ["commissie": assessors.joined(separator: ", "), "inschrijvingen": String(bids.count)]) { db in
            if let record = try await SegmentAssessmentRecord.query(on: db).filter(\.$tender.$id == tender.id).filter(\.$segment == segment).first() {
                var assessment = try StoredJSON.decode(SegmentAssessment.self, from: record.document)
                guard assessment.scores.isEmpty else {
                    throw Abort(.conflict, reason: "Er zijn al scores gegeven; de commissie ligt vast.")
                }
                assessment.committee = assessors
                assessment.declarations.removeAll { !assessors.contains($0.assessor) }
                record.document = StoredJSON.string(assessment)
                try await record.update(on: db)
            } else {
                let record = SegmentAssessmentRecord()
                record.$tender.id = tender.id
                record.segment = segment
                record.document = StoredJSON.string(try SegmentAssessment(segment: segment, design: design, bids: bids, committee: assessors))
                try await record.create(on: db)
            }
        }
    }

    /// Applies one change to a segment's assessment, audited with `details`; the core's refusal
    /// becomes a 422 with its Dutch reason.
    static func change(_ tender: LoadedTender, segment: String, action: String, details: [String: String], on req: Request,
                       _ apply: @escaping @Sendable (inout SegmentAssessment) throws -> Void) async throws {
        try requireOpened(tender)
        try await req.audited(action, subject: "\(tender.code)/\(segment)", details: details) { db in
            guard let record = try await SegmentAssessmentRecord.query(on: db).filter(\.$tender.$id == tender.id)
                .filter(\.$segment == segment).first() else {
                throw Abort(.notFound, reason: "Voor dit segment is nog geen beoordelingscommissie gevormd.")
            }
            var assessment = try StoredJSON.decode(SegmentAssessment.self, from: record.document)
            do {
                try apply(&assessment)
            } catch let error as AwardError {
                throw ProblemList(problems: [Problem("", error.description)])
            }
            record.document = StoredJSON.string(assessment)
            try await record.update(on: db)
        }
    }

    static func draws(_ tender: LoadedTender, on db: Database) async throws -> [Draw] {
        try await DrawRecord.query(on: db).filter(\.$tender.$id == tender.id).all().map {
            Draw(subSegment: $0.subSegment, order: try StoredJSON.decode([String].self, from: $0.order), drawnBy: $0.drawnBy,
                 drawnAt: DutchTime.preciseDateTime($0.drawnAt))
        }
    }

    /// The selection of the core engine on the stored assessment, for the tender's sub-segments.
    static func selection(_ tender: LoadedTender, on db: Database, extraNoGo: [NoGo] = []) async throws -> (TenderSelection, AssessedBids) {
        let segments = try await all(tender, on: db)
        let input = try AssessedBids(design: tender.scope.design, tender: tender.scope.tender,
                                     segments: tender.scope.segments.compactMap { segments[$0.code] },
                                     noGo: tender.scope.noGo + extraNoGo, draws: try await draws(tender, on: db))
        var selection = try SelectionEngine.select(input, design: tender.scope.design)
        selection.subSegments = selection.subSegments.filter { tender.scope.subSegments.contains($0.code) }
        return (selection, input)
    }
}
