import Crypto
import Fluent
import Foundation
import Vapor
import ZorginkoopCore

/// An opened bid: the last submitted, not withdrawn version, decrypted and checked against its digest.
struct OpenedBid: Sendable, Codable, Content {
    var bid: UUID
    var organisation: String
    var version: Int
    var submittedAt: Date
    var digest: String
    /// Whether the decrypted content hashes to the digest on the receipt.
    var intact: Bool
    var content: BidContent
    var documents: [DocumentInfo]
}

/// The opening of the vault and everything read from it afterwards.
enum VaultService {
    struct Status: Sendable {
        var phase: TenderPhase
        var pending: VaultOpening.Confirmation?
        var until: Date?
    }

    static func status(_ tender: LoadedTender, on req: Request) async throws -> Status {
        let now = req.now
        let confirmations = try await confirmations(tender, on: req.db)
        let pending = tender.openedAt == nil ? VaultOpening.pendingFirst(confirmations, now: now) : nil
        return Status(phase: tender.phase(at: now), pending: pending, until: pending.map { $0.at.addingTimeInterval(VaultOpening.confirmationWindow) })
    }

    static func confirmations(_ tender: LoadedTender, on db: Database) async throws -> [VaultOpening.Confirmation] {
        try await VaultConfirmationRecord.query(on: db).filter(\.$tender.$id == tender.id).all()
            .map { VaultOpening.Confirmation(officer: $0.officer, at: $0.at) }
    }

    /// Records an officer's confirmation; the second officer's opens the vault. Both are audited,
    /// the opening with every bid and its digest.
    static func confirm(_ tender: LoadedTender, on req: Request) async throws -> VaultOpening.Decision {
        let user = req.auth.get(AuthenticatedUser.self)!
        let clock = req.application.clock
        let key = try BidService.tenderKey(tender, req.application)
        let app = req.application
        return try await req.audited("vault.confirmation") { db in
            guard let record = try await TenderRecord.find(tender.id, on: db) else { throw Abort(.notFound) }
            guard record.openedAt == nil else { throw Abort(.conflict, reason: "De kluis is al geopend.") }
            let now = clock.now()
            let decision = VaultOpening.confirm(by: user.email, at: now, deadline: record.submissionDeadline, opening: try StoredJSON.decode(TenderTimeline.self, from: record.timeline).opening,
                                                earlier: try await confirmations(tender, on: db))
            switch decision {
            case let .refused(reason):
                throw Abort(.conflict, reason: reason)
            case let .awaitingSecond(_, until):
                try await recordConfirmation(tender, user.email, now, on: db)
                return (decision, tender.code, ["bevestiging": "eerste", "geldig tot": DutchTime.dateTime(until)])
            case let .open(first, second):
                try await recordConfirmation(tender, user.email, now, on: db)
                record.openedAt = now
                try await record.update(on: db)
                let bids = try await openedBids(tender, key: key, app: app, on: db)
                var details = ["geopend door": "\(first.officer) en \(second.officer)", "inschrijvingen": String(bids.count)]
                for bid in bids {
                    details["inschrijving \(bid.organisation)"] = "versie \(bid.version), sha256 \(bid.digest)"
                        + (bid.intact ? "" : " (KLOPT NIET)") + "; documenten: " + bid.documents.map { "\($0.name) \($0.sha256)" }.joined(separator: ", ")
                }
                return (decision, tender.code, details)
            }
        }
    }

    private static func recordConfirmation(_ tender: LoadedTender, _ officer: String, _ at: Date, on db: Database) async throws {
        let c = VaultConfirmationRecord()
        c.$tender.id = tender.id
        c.officer = officer
        c.at = at
        try await c.create(on: db)
    }

    /// Every bid whose last version stands, decrypted. Only once the vault is open.
    static func openedBids(_ tender: LoadedTender, key: SymmetricKey, app: Application, on db: Database) async throws -> [OpenedBid] {
        let bids = try await BidRecord.query(on: db).filter(\.$tender.$id == tender.id).filter(\.$status == "submitted")
            .with(\.$organisation).all()
        var opened: [OpenedBid] = []
        for bid in bids {
            let id = try bid.requireID()
            guard let submission = try await BidSubmissionRecord.query(on: db).filter(\.$bid.$id == id)
                .filter(\.$version == bid.version).first() else { continue }
            let plain = try VaultKeys.open(submission.content, key: key, context: "submission:\(id):\(submission.version)")
            let sealed = try StoredJSON.decode(SealedSubmission.self, from: plain)
            opened.append(OpenedBid(bid: id, organisation: bid.organisation.name, version: submission.version,
                                    submittedAt: submission.submittedAt, digest: submission.digest,
                                    intact: SHA256.hash(data: plain).hex == submission.digest,
                                    content: sealed.content, documents: sealed.documents))
        }
        return opened.sorted { $0.organisation < $1.organisation }
    }

    /// The opened bids, for those who may read them; refused while the vault is sealed.
    static func readOpened(_ tender: LoadedTender, on req: Request) async throws -> [OpenedBid] {
        guard tender.openedAt != nil else {
            throw Abort(.forbidden, reason: "De kluis is nog verzegeld: inschrijvingen zijn pas leesbaar na de opening door twee inkopers.")
        }
        return try await openedBids(tender, key: try BidService.tenderKey(tender, req.application), app: req.application, on: req.db)
    }

    /// A document of a standing bid (its last, not withdrawn version), streamed decrypted; only once
    /// the vault is open. Found through the submissions' receipts, so no bid's content is decrypted
    /// to serve it. `among` limits it to some bids (a segment's).
    static func openedDocument(_ id: UUID?, of tender: LoadedTender, among bids: Set<UUID>? = nil, on req: Request) async throws -> Response {
        guard tender.openedAt != nil else {
            throw Abort(.forbidden, reason: "De kluis is nog verzegeld: inschrijvingen zijn pas leesbaar na de opening door twee inkopers.")
        }
        let standing = try await BidRecord.query(on: req.db).filter(\.$tender.$id == tender.id).filter(\.$status == "submitted").all()
        for bid in standing {
            let bidID = try bid.requireID()
            guard let id, bids?.contains(bidID) ?? true,
                  let submission = try await BidSubmissionRecord.query(on: req.db).filter(\.$bid.$id == bidID).filter(\.$version == bid.version).first(),
                  try StoredJSON.decode(Receipt.self, from: submission.receipt).documents.contains(where: { $0.id == id }),
                  let record = try await BidDocumentRecord.find(id, on: req.db) else { continue }
            let key = try BidService.tenderKey(tender, req.application)
            return DocumentReader.response(try BidService.info(record, key: key), key: key, on: req)
        }
        throw Abort(.notFound, reason: "Dit document hoort niet bij een geopende inschrijving.")
    }
}
