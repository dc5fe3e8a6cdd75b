import Fluent
import Foundation
import Vapor
import ZorginkoopCore
import ZorginkoopInterop

/// Receiving a JW323/WMO323 message: read strictly, checked line by line against the register and
/// the lines approved before, stored with every verdict and the sealed answer in one audited
/// transaction, or refused with its problems and nothing stored.
enum DeclarationIntake {
    /// A message is at most 50 MB: a year of a large provider's lines in one municipality.
    static let maxSize = 50 << 20

    enum Outcome: Sendable {
        case received(UUID, lines: Int, rejected: Int)
        case refused([Problem])
    }

    /// Who receives: a finance consultant for the region, an official for the own municipality.
    static func receive(_ data: Data, req: Request) async throws -> Outcome {
        let user = try req.auth.require(AuthenticatedUser.self)
        let declaration: Declaration
        do { declaration = try DeclarationMessage.read(data) } catch { return .refused(error.problems) }
        let design = try await DesignStore.region(on: req.db).design
        guard let municipality = design.municipality(messageCode: declaration.municipality) else {
            return .refused([Problem("Header.Ontvanger", "gemeentecode \(declaration.municipality) hoort niet bij de regio \(design.region.name)")])
        }
        if user.role == .municipalityOfficial, municipality.code != user.municipality {
            return .refused([Problem("Header.Ontvanger", "het bericht is voor \(municipality.name); u ontvangt alleen declaraties voor uw eigen gemeente")])
        }
        let keys = req.application.zorginkoop.vault
        let hashed = keys.hashingClients(declaration)
        let contracts = try await FinanceStore.contractedProducts(on: req.db, design: design)
        let today = Amsterdam.day(of: req.now)
        let now = req.now
        let by = user.email
        let outcome: Outcome = try await req.audited("declarations.received") { db in
            let (id, message) = try await Self.store(declaration, hashed: hashed, contracts: contracts, keys: keys, by: by, at: now, today: today, on: db)
            return (.received(id, lines: message.lineCount, rejected: message.rejectedCount),
                    subject: "\(declaration.provider) \(declaration.number) (\(declaration.messageId))",
                    details: ["gemeente": municipality.name, "regels": String(message.lineCount), "afgewezen": String(message.rejectedCount),
                              "ingediend": Money(cents: message.declaredCents).dutch, "toegekend": Money(cents: message.approvedCents).dutch,
                              "antwoord": message.answerId])
        }
        return outcome
    }

    /// The transactional part of receiving, on `db` (the caller holds the audit lock): refused when
    /// received before; otherwise checked against the register and the lines approved before, and
    /// written with every verdict and the sealed answer. `hashed` is `declaration` with each BSN
    /// replaced by its keyed hash.
    static func store(_ declaration: Declaration, hashed: Declaration, contracts: [ContractedProduct], keys: VaultKeys, by: String, at now: Date,
                      today: CalendarDate, on db: Database) async throws -> (UUID, DeclarationMessageRecord) {
        if let earlier = try await DeclarationMessageRecord.query(on: db).filter(\.$provider == declaration.provider)
            .filter(\.$messageId == declaration.messageId).first() {
            throw Refusal(problems: [Problem("Header.BerichtIdentificatie", "bericht \(declaration.messageId) van AGB \(declaration.provider) is al ontvangen op \(Amsterdam.day(of: earlier.receivedAt).dutch)")])
        }
        // Checked inside the transaction, under the audit lock: two messages for the same
        // allocation cannot both pass the one-debit rule.
        var check = DeclarationCheck(contracts: contracts, allocations: nil)
        check.recordApproved(try await FinanceStore.approvedBefore(provider: declaration.provider, municipality: declaration.municipality,
                                                                   law: declaration.law, allocations: Set(declaration.lines.map(\.allocation)), on: db))
        let verdicts = check.check(hashed)
        let answerId = "ZK" + String(format: "%010d", try await DeclarationMessageRecord.query(on: db).count() + 1)
        let answer = DeclarationMessage.answer(to: declaration, verdicts: verdicts, header: .init(messageId: answerId, date: today))
        let message = DeclarationMessageRecord()
        // Time-ordered (by the real clock): the lines approved before are read back in the order received.
        let id = UUID.timeOrdered()
        message.id = id
        message.law = declaration.law.rawValue
        message.municipality = declaration.municipality
        message.provider = declaration.provider
        message.messageId = declaration.messageId
        message.messageDate = declaration.messageDate.description
        message.number = declaration.number
        message.periodBegin = declaration.period.begin.description
        message.periodEnd = declaration.period.end.description
        message.lineCount = verdicts.count
        message.rejectedCount = verdicts.filter { !$0.approved }.count
        message.declaredCents = verdicts.reduce(0) { $0 + $1.signedAmount.cents }
        message.approvedCents = verdicts.filter(\.approved).reduce(0) { $0 + $1.signedAmount.cents }
        message.answerSealed = try keys.sealPersonal(answer, context: "declaration-answer:\(id.uuidString)")
        message.answerId = answerId
        message.receivedBy = by
        message.receivedAt = now
        let lines = zip(hashed.lines, verdicts).enumerated().map { i, pair in
            Self.record(pair.0, pair.1, position: i, message: id, of: declaration)
        }
        try await FinanceStore.save(message, lines: lines, on: db)
        return (id, message)
    }

    /// Runs `receive`, turning a refusal found inside the transaction into an outcome.
    static func receiving(_ data: Data, req: Request) async throws -> Outcome {
        do { return try await receive(data, req: req) } catch let refusal as Refusal { return .refused(refusal.problems) }
    }

    struct Refusal: Error { var problems: [Problem] }

    static func record(_ line: DeclarationLine, _ verdict: LineVerdict, position: Int, message: UUID, of declaration: Declaration) -> DeclarationLineRecord {
        let r = DeclarationLineRecord()
        r.$message.id = message
        r.position = position
        r.municipality = declaration.municipality
        r.provider = declaration.provider
        r.reference = line.reference
        r.previousReference = line.previousReference
        r.allocation = line.allocation
        r.clientKey = line.client
        r.category = line.category
        r.code = line.code
        r.unit = line.unit.rawValue
        r.periodBegin = line.period.begin.description
        r.periodEnd = line.period.end.description
        r.month = YearMonth(line.period.begin).description
        r.volume = line.volume
        r.tariffCents = line.tariff?.cents
        r.amountCents = line.amount.cents
        r.credit = line.direction == .credit
        r.signedCents = verdict.signedAmount.cents
        r.signedVolume = line.direction == .credit ? -line.volume : line.volume
        r.contract = verdict.contract
        r.segment = verdict.segment
        r.approved = verdict.approved
        r.alwaysPaid = verdict.alwaysPaid
        r.rules = verdict.rules.map(\.storedName).joined(separator: ",")
        return r
    }
}
