import Fluent
import Foundation
import Vapor
import ZorginkoopCore

/// A contract as stored: its row id, the core's contract and its history.
struct StoredContract: Sendable {
    var id: UUID
    var tenderID: UUID?
    var contract: RegisteredContract
    var events: [ContractEvent]
}

/// What the register may be filtered on; every field optional.
struct ContractFilter: Sendable {
    var municipality: String?
    var segment: String?
    var subSegment: String?
    /// An organisation id: contracts where it is a party or subcontractor.
    var organisation: UUID?
    var status: ContractStatus?
    /// Contracts whose current end is on or before this day.
    var endsBy: CalendarDate?
    var tender: String?
    /// The notice period the status "loopt af" is counted with (configuration, not a filter value).
    var notice = NoticePolicy()

    func admits(_ c: RegisteredContract, on day: CalendarDate) -> Bool {
        if let municipality, !c.municipalities.contains(municipality) { return false }
        if let segment, c.segment != segment { return false }
        if let subSegment, !c.subSegments.contains(subSegment) { return false }
        if let organisation, !c.parties.contains(where: { $0.organisation == organisation.uuidString }) { return false }
        if let status, c.status(on: day, notice: notice) != status { return false }
        if let endsBy, c.currentEnd > endsBy { return false }
        if let tender, c.tender != tender { return false }
        return true
    }
}

/// The contract register in the database: rows for each part of a contract, written with the
/// decision that changes them and its audit entry.
enum ContractStore {
    // MARK: Making contracts

    /// Registers a contract of a final award or call-up: the lead by the bid's organisation,
    /// members and subcontractors by KvK number (and organisation id where one has that number),
    /// the bid's capacity per sub-segment and municipality, and the requirements whose proof was
    /// still open as the contract's start proofs.
    @discardableResult
    static func register(_ contract: Contract, source: ContractSource, tender: LoadedTender, award: TenderAward, at: Date, by: String,
                         on db: Database) async throws -> RegisteredContract {
        let bid = award.provisional?.input.bids.first { $0.id == contract.bid }
        let leadOrganisation = try await organisationOfBid(contract.bid, on: db)
        let leadKvK = try await leadOrganisation.asyncMap { try await OrganisationRecord.find($0, on: db)?.kvkNumber } ?? nil
        let lead = ContractParty(role: .lead, organisation: leadOrganisation?.uuidString, name: contract.bidder, kvkNumber: leadKvK)
        func partners(_ names: [String], _ role: ContractParty.Role) async throws -> [ContractParty] {
            var out: [ContractParty] = []
            for name in names {
                let kvk = bid?.partnerKvK?[name]
                out.append(ContractParty(role: role, organisation: try await organisation(kvk: kvk, on: db)?.uuidString, name: name, kvkNumber: kvk))
            }
            return out
        }
        let places = bid?.capacity ?? [:]
        let capacity = Dictionary(uniqueKeysWithValues: contract.subSegments.map { sub in
            (sub, places.filter { contract.municipalities.contains($0.key) })
        })
        let proofs = try await AssessmentStore.all(tender, on: db).values
            .flatMap { $0.openProofs(contractStart: contract.start, today: Amsterdam.day(of: at)) }
            .filter { $0.bid == contract.bid }
            .map { p in StartProof(requirement: p.requirement, name: tender.scope.design.requirements.first { $0.code == p.requirement }?.name ?? p.requirement, due: p.due) }
        guard let term = tender.scope.contractTerm else { throw Abort(.conflict, reason: "De aanbesteding heeft geen looptijd.") }
        var registered = RegisteredContract(contract, source: source, title: tender.scope.design.segment(contract.segment)?.name ?? contract.segment,
                                            lead: lead, members: try await partners(contract.combinationMembers, .member),
                                            subcontractors: try await partners(contract.subcontractors, .subcontractor),
                                            capacity: capacity, proofs: proofs, term: term)
        // The award names the design's tender (CRISIS); the register names this procedure (CRISIS-2026).
        registered.tender = tender.code
        try await create(registered, tenderID: tender.id, at: at, by: by,
                         event: ContractEvent(kind: .created, at: at, by: by, summary: "Overeenkomst aangemaakt door \(source.dutch) bij \(tender.name)"),
                         on: db)
        return registered
    }

    static func create(_ contract: RegisteredContract, tenderID: UUID?, at: Date, by: String, event: ContractEvent, on db: Database) async throws {
        let record = ContractRecord()
        record.id = UUID()
        record.number = contract.number
        record.source = contract.source.rawValue
        record.$tenderRecord.id = tenderID
        record.tenderCode = contract.tender
        record.bid = contract.bid
        record.segment = contract.segment
        record.title = contract.title
        record.start = contract.start.description
        record.termStart = contract.term.start.description
        record.termInitialEnd = contract.term.initialEnd.description
        record.termInitialMonths = contract.term.initialTermMonths
        record.termExtensionMonths = contract.term.extensionMonths
        record.termMaxExtensions = contract.term.maxExtensions
        record.termMaxTotalMonths = contract.term.maxTotalMonths
        record.termMaxEnd = contract.term.maxEnd.description
        record.currentEnd = contract.currentEnd.description
        record.createdAt = at
        record.createdBy = by
        try await record.create(on: db)
        let id = try record.requireID()
        try await writeParties(contract, id: id, on: db)
        for (i, sub) in contract.subSegments.enumerated() {
            let row = ContractSubSegmentRecord()
            row.$contract.id = id
            row.position = i
            row.subSegment = sub
            try await row.create(on: db)
        }
        try await writeTerms(contract, id: id, on: db)
        for (sub, places) in contract.capacity.sorted(by: { $0.key < $1.key }) {
            for (municipality, count) in places.sorted(by: { $0.key < $1.key }) {
                let row = ContractCapacityRecord()
                row.$contract.id = id
                row.subSegment = sub
                row.municipality = municipality
                row.places = count
                try await row.create(on: db)
            }
        }
        for proof in contract.proofs {
            let row = ContractProofRecord()
            row.$contract.id = id
            row.requirement = proof.requirement
            row.name = proof.name
            row.due = proof.due.description
            row.acceptedOn = proof.acceptedOn?.description
            row.acceptedBy = proof.acceptedBy
            try await row.create(on: db)
        }
        try await append(event, to: id, on: db)
    }

    /// The contract's parties as they now are, in order: at its making and after an amendment.
    static func writeParties(_ contract: RegisteredContract, id: UUID, on db: Database) async throws {
        try await ContractPartyRecord.query(on: db).filter(\.$contract.$id == id).delete()
        for (i, party) in contract.parties.enumerated() {
            let row = ContractPartyRecord()
            row.$contract.id = id
            row.position = i
            row.role = party.role.rawValue
            row.organisation = party.organisation.flatMap(UUID.init(uuidString:))
            row.name = party.name
            row.kvkNumber = party.kvkNumber
            try await row.create(on: db)
        }
    }

    static func writeTerms(_ contract: RegisteredContract, id: UUID, on db: Database) async throws {
        try await ContractTermRecord.query(on: db).filter(\.$contract.$id == id).delete()
        for (i, term) in contract.terms.enumerated() {
            let row = ContractTermRecord()
            row.$contract.id = id
            row.position = i
            row.municipality = term.municipality
            row.end = term.end.description
            row.extensionsUsed = term.extensionsUsed
            try await row.create(on: db)
        }
        if let record = try await ContractRecord.find(id, on: db) {
            record.currentEnd = contract.currentEnd.description
            record.terminatedOn = contract.terminatedOn?.description
            try await record.update(on: db)
        }
    }

    static func append(_ event: ContractEvent, to contract: UUID, on db: Database) async throws {
        let row = ContractEventRecord()
        row.id = UUID.timeOrdered(at: event.at)
        row.$contract.id = contract
        row.kind = event.kind.rawValue
        row.municipality = event.municipality
        row.amendment = event.amendment
        row.at = event.at
        row.by = event.by
        row.summary = event.summary
        row.reason = event.reason
        try await row.create(on: db)
    }

    static func organisationOfBid(_ bid: String, on db: Database) async throws -> UUID? {
        guard let id = UUID(uuidString: String(bid.prefix { $0 != "/" })) else { return nil }
        return try await BidRecord.find(id, on: db)?.$organisation.id
    }

    static func organisation(kvk: String?, on db: Database) async throws -> UUID? {
        guard let kvk, !kvk.isEmpty else { return nil }
        return try await OrganisationRecord.query(on: db).filter(\.$kvkNumber == kvk).first()?.requireID()
    }

    // MARK: Reading

    /// Every contract, each with its parts, in number order: six queries however many contracts.
    static func all(on db: Database, tender: UUID? = nil, number: String? = nil) async throws -> [StoredContract] {
        var query = ContractRecord.query(on: db).sort(\.$number)
        if let tender { query = query.filter(\.$tenderRecord.$id == tender) }
        if let number { query = query.filter(\.$number == number) }
        let records = try await query.all()
        guard !records.isEmpty else { return [] }
        let ids = try records.map { try $0.requireID() }
        let parties = Dictionary(grouping: try await ContractPartyRecord.query(on: db).filter(\.$contract.$id ~~ ids).sort(\.$position).all(), by: { $0.$contract.id })
        let subs = Dictionary(grouping: try await ContractSubSegmentRecord.query(on: db).filter(\.$contract.$id ~~ ids).sort(\.$position).all(), by: { $0.$contract.id })
        let terms = Dictionary(grouping: try await ContractTermRecord.query(on: db).filter(\.$contract.$id ~~ ids).sort(\.$position).all(), by: { $0.$contract.id })
        let capacity = Dictionary(grouping: try await ContractCapacityRecord.query(on: db).filter(\.$contract.$id ~~ ids).all(), by: { $0.$contract.id })
        let proofs = Dictionary(grouping: try await ContractProofRecord.query(on: db).filter(\.$contract.$id ~~ ids).all(), by: { $0.$contract.id })
        let events = Dictionary(grouping: try await ContractEventRecord.query(on: db).filter(\.$contract.$id ~~ ids).sort(\.$id).all(), by: { $0.$contract.id })
        return try records.map { r in
            let id = try r.requireID()
            return StoredContract(id: id, tenderID: r.$tenderRecord.id, contract: try contract(r, parties: parties[id] ?? [], subs: subs[id] ?? [], terms: terms[id] ?? [],
                                                                  capacity: capacity[id] ?? [], proofs: proofs[id] ?? []),
                                  events: (events[id] ?? []).map(event))
        }
    }

    static func list(_ filter: ContractFilter, for viewer: ContractViewer, on day: CalendarDate, db: Database) async throws -> [StoredContract] {
        try await all(on: db).filter { $0.contract.isVisible(to: viewer) && filter.admits($0.contract, on: day) }
    }

    /// One contract by its number, if the viewer may see it: a contract one may not see is not found.
    static func find(_ number: String, for viewer: ContractViewer, on db: Database) async throws -> StoredContract {
        guard let stored = try await all(on: db, number: number).first, stored.contract.isVisible(to: viewer) else {
            throw Abort(.notFound, reason: "Overeenkomst '\(number)' bestaat niet of is niet voor u zichtbaar.")
        }
        return stored
    }

    /// Writes what an accepted proof changed: the proof's row and the contract's history.
    static func saveProof(_ proof: StartProof, of stored: StoredContract, event: ContractEvent, on db: Database) async throws {
        guard let row = try await ContractProofRecord.query(on: db).filter(\.$contract.$id == stored.id)
            .filter(\.$requirement == proof.requirement).first() else { throw Abort(.notFound) }
        row.acceptedOn = proof.acceptedOn?.description
        row.acceptedBy = proof.acceptedBy
        try await row.update(on: db)
        try await append(event, to: stored.id, on: db)
    }

    /// The next number in the series of private tenders, counted inside the writing transaction.
    static func nextPrivateTenderNumber(on db: Database) async throws -> String {
        let count = try await ContractRecord.query(on: db).filter(\.$source == ContractSource.privateTender.rawValue).count()
        return PrivateTenderContract.number(count + 1)
    }

    private static func day(_ text: String) throws -> CalendarDate {
        guard let day = CalendarDate(iso: text) else { throw Abort(.internalServerError, reason: "ongeldige datum '\(text)' in het contractregister") }
        return day
    }

    private static func contract(_ r: ContractRecord, parties: [ContractPartyRecord], subs: [ContractSubSegmentRecord], terms: [ContractTermRecord],
                                 capacity: [ContractCapacityRecord], proofs: [ContractProofRecord]) throws -> RegisteredContract {
        let term = ContractTerm(start: try day(r.termStart), initialEnd: try day(r.termInitialEnd), initialTermMonths: r.termInitialMonths,
                                extensionMonths: r.termExtensionMonths, maxExtensions: r.termMaxExtensions,
                                maxTotalMonths: r.termMaxTotalMonths, maxEnd: try day(r.termMaxEnd))
        var places: [String: [String: Int]] = [:]
        for row in capacity { places[row.subSegment, default: [:]][row.municipality] = row.places }
        return RegisteredContract(
            number: r.number, source: ContractSource(rawValue: r.source) ?? .award, tender: r.tenderCode, bid: r.bid, segment: r.segment,
            title: r.title,
            parties: parties.map { ContractParty(role: ContractParty.Role(rawValue: $0.role) ?? .subcontractor, organisation: $0.organisation?.uuidString,
                                                 name: $0.name, kvkNumber: $0.kvkNumber) },
            subSegments: subs.map(\.subSegment), term: term, start: try day(r.start),
            terms: try terms.map { MunicipalTerm(municipality: $0.municipality, end: try day($0.end), extensionsUsed: $0.extensionsUsed) },
            capacity: places,
            proofs: try proofs.sorted { $0.requirement < $1.requirement }.map {
                StartProof(requirement: $0.requirement, name: $0.name, due: try day($0.due), acceptedOn: $0.acceptedOn.flatMap(CalendarDate.init(iso:)), acceptedBy: $0.acceptedBy)
            },
            terminatedOn: r.terminatedOn.flatMap(CalendarDate.init(iso:)))
    }

    private static func event(_ r: ContractEventRecord) -> ContractEvent {
        ContractEvent(kind: ContractEvent.Kind(rawValue: r.kind) ?? .amendment, municipality: r.municipality, amendment: r.amendment,
                      at: r.at, by: r.by, summary: r.summary, reason: r.reason)
    }
}
