import Crypto
import Fluent
import Foundation
import Vapor
import ZorginkoopCore

/// A question as its asker, or an officer, sees it.
struct QuestionInfo: Codable, Sendable, Content {
    var id: UUID
    var round: Int
    var text: String
    /// The free-text reference of older questions; for a question that cites a tender document, its
    /// citation "nr. – titel (versie n)".
    var documentReference: String
    /// The cited tender document (its number in the tender) and the version that was current when asked.
    var document: Int?
    var documentVersion: Int?
    var documentID: UUID?
    var section: String
    var askedAt: Date
    var wording: String
    var answer: String
    var mergedInto: UUID?
    var published: Bool

    init(_ r: QuestionRecord) throws {
        id = try r.requireID()
        round = r.round
        text = r.text
        documentReference = r.documentReference
        documentID = r.documentID
        documentVersion = r.documentVersion
        section = r.section
        askedAt = r.askedAt
        wording = r.wording
        answer = r.answer
        mergedInto = r.mergedInto
        published = r.notaID != nil
    }
}

/// Questions under the contact ban: asked through the platform only, answered to all at once.
enum QuestionService {
    static let questionLimit = 4000

    static func ask(_ tender: LoadedTender, text: String, documentReference: String, document: Int? = nil, section: String,
                    on req: Request) async throws -> QuestionInfo {
        let organisation = try BidService.organisation(of: req)
        let user = req.auth.get(AuthenticatedUser.self)!
        let clock = req.application.clock
        var problems: [Problem] = []
        if text.isBlank { problems.append(Problem("text", "stel uw vraag")) }
        if text.count > questionLimit { problems.append(Problem("text", "de vraag telt \(text.count) tekens; het maximum is \(questionLimit)")) }
        if documentReference.count > 200 { problems.append(Problem("documentReference", "hoogstens 200 tekens")) }
        if section.count > 200 { problems.append(Problem("section", "hoogstens 200 tekens")) }
        let cited: TenderDocumentInfo? = if let document { try await TenderDocumentService.list(tender, on: req.db).first { $0.number == document } } else { nil }
        if let document, cited == nil { problems.append(Problem("document", TenderDocumentError.unknownDocument(number: document).description)) }
        guard problems.isEmpty else { throw ProblemList(problems: problems) }
        return try await req.audited("question.asked") { db in
            let now = clock.now()
            guard tender.isPublished, let round = tender.timeline.openQuestionRound(at: now) else {
                throw Abort(.conflict, reason: "Er is nu geen vragenronde open; vragen na de sluiting van een ronde worden niet in behandeling genomen.")
            }
            let q = QuestionRecord()
            q.$tender.id = tender.id
            q.$organisation.id = organisation
            q.askedBy = user.email
            q.round = round
            q.text = text
            q.documentReference = documentReference
            q.documentID = cited?.id
            q.documentVersion = cited?.current.version
            q.section = section
            q.askedAt = now
            q.wording = text
            q.answer = ""
            try await q.create(on: db)
            var info = try QuestionInfo(q)
            if let cited {
                info.document = cited.number
                info.documentReference = TenderDocumentCitation.label(number: cited.number, title: cited.title, version: cited.current.version)
            }
            return (info, tender.code, ["vraag": try q.requireID().uuidString, "ronde": String(round)])
        }
    }

    /// The provider's own questions. The officer's draft wording and answer stay out of sight until
    /// the Nota is published: everyone gets the answer at the same moment.
    static func mine(_ tender: LoadedTender, on req: Request) async throws -> [QuestionInfo] {
        let organisation = try BidService.organisation(of: req)
        return try await cite(try await QuestionRecord.query(on: req.db).filter(\.$tender.$id == tender.id).filter(\.$organisation.$id == organisation)
            .sort(\.$askedAt).all().map { record in
                var info = try QuestionInfo(record)
                if !info.published {
                    info.wording = ""
                    info.answer = ""
                    info.mergedInto = nil
                }
                return info
            }, tender, on: req.db)
    }

    /// Fills in the citation "nr. – titel (versie n)" of questions that cite a tender document.
    static func cite(_ questions: [QuestionInfo], _ tender: LoadedTender, on db: Database) async throws -> [QuestionInfo] {
        guard questions.contains(where: { $0.documentID != nil }) else { return questions }
        let documents = try await TenderDocumentRecord.query(on: db).filter(\.$tender.$id == tender.id).all()
        let byID = Dictionary(documents.compactMap { d in d.id.map { ($0, d) } }, uniquingKeysWith: { a, _ in a })
        return questions.map { question in
            var q = question
            if let id = q.documentID, let d = byID[id] {
                q.document = d.number
                q.documentReference = TenderDocumentCitation.label(number: d.number, title: d.title, version: q.documentVersion ?? 1)
            }
            return q
        }
    }

    static func all(_ tender: LoadedTender, on db: Database) async throws -> [QuestionInfo] {
        try await cite(try await QuestionRecord.query(on: db).filter(\.$tender.$id == tender.id).sort(\.$round).sort(\.$askedAt).all()
            .map(QuestionInfo.init), tender, on: db)
    }

    /// The officer's handling: the wording to publish, the answer, or a merge into another question.
    static func handle(_ tender: LoadedTender, question id: UUID, wording: String, answer: String, mergedInto: UUID?, on req: Request) async throws {
        try await req.audited("question.handled") { db in
            guard let q = try await QuestionRecord.query(on: db).filter(\.$id == id).filter(\.$tender.$id == tender.id).first() else {
                throw Abort(.notFound, reason: "Deze vraag bestaat niet.")
            }
            guard q.notaID == nil else { throw Abort(.conflict, reason: "Deze vraag is al gepubliceerd in een nota van inlichtingen.") }
            if let target = mergedInto {
                guard target != id, let other = try await QuestionRecord.query(on: db).filter(\.$id == target)
                    .filter(\.$tender.$id == tender.id).filter(\.$round == q.round).first(), other.mergedInto == nil else {
                    throw ProblemList(problems: [Problem("mergedInto", "voeg samen met een andere, niet-samengevoegde vraag van dezelfde ronde")])
                }
                if try await QuestionRecord.query(on: db).filter(\.$mergedInto == id).count() > 0 {
                    throw ProblemList(problems: [Problem("mergedInto", "andere vragen zijn met deze samengevoegd; deze vraag kan zelf niet worden samengevoegd")])
                }
            }
            q.wording = wording
            q.answer = answer
            q.mergedInto = mergedInto
            try await q.update(on: db)
            return ((), tender.code, ["vraag": id.uuidString, "samengevoegd met": mergedInto?.uuidString ?? "-",
                                     "antwoord": answer.isBlank ? "(nog leeg)" : "ingevuld"])
        }
    }

    /// Publishes a round's Nota van Inlichtingen: one text, to every provider at the same moment.
    static func publishNota(_ tender: LoadedTender, round: Int, on req: Request) async throws -> NotaVanInlichtingen {
        let clock = req.application.clock
        let user = req.auth.get(AuthenticatedUser.self)!
        return try await req.audited("nota.published") { db in
            let now = clock.now()
            guard round >= 1, round <= tender.timeline.questionDeadlines.count else { throw Abort(.notFound, reason: "Ronde \(round) bestaat niet.") }
            guard !Deadline.isOnTime(now, deadline: tender.timeline.questionDeadlines[round - 1]) else {
                throw Abort(.conflict, reason: "Vragenronde \(round) is nog open; publiceer de nota na de sluiting van de ronde.")
            }
            guard try await NotaRecord.query(on: db).filter(\.$tender.$id == tender.id).filter(\.$round == round).count() == 0 else {
                throw Abort(.conflict, reason: "De nota van inlichtingen voor ronde \(round) is al gepubliceerd.")
            }
            let records = try await QuestionRecord.query(on: db).filter(\.$tender.$id == tender.id).filter(\.$round == round).all()
            let cited = try await cite(try records.map(QuestionInfo.init), tender, on: db)
            let questions = try zip(records, cited).map { r, info in
                QuestionForNota(id: try r.requireID().uuidString, wording: r.wording, documentReference: info.documentReference,
                                section: r.section, answer: r.answer, mergedInto: r.mergedInto?.uuidString, askedAt: r.askedAt)
            }
            let nota = try NotaVanInlichtingen.compile(tender: tender.code, round: round, questions: questions, publishedAt: now).get()
            let document = StoredJSON.string(nota)
            let record = NotaRecord()
            let notaID = UUID()
            record.id = notaID
            record.$tender.id = tender.id
            record.round = round
            record.publishedAt = now
            record.publishedBy = user.email
            record.document = document
            record.digest = SHA256.hash(data: Data(document.utf8)).hex
            try await record.create(on: db)
            for r in records {
                r.notaID = notaID
                try await r.update(on: db)
            }
            try await Notifications.toAllProviders("Nota van inlichtingen ronde \(round) bij \(tender.name) is gepubliceerd.",
                                                   link: AppURL.nota(tender.code, round).path, at: now, on: db)
            return (nota, tender.code, ["ronde": String(round), "vragen": String(records.count),
                                        "antwoorden": String(nota.entries.count), "sha256": record.digest])
        }
    }

    static func notas(_ tender: LoadedTender, on db: Database) async throws -> [NotaVanInlichtingen] {
        try await NotaRecord.query(on: db).filter(\.$tender.$id == tender.id).sort(\.$round).all()
            .map { try StoredJSON.decode(NotaVanInlichtingen.self, from: $0.document) }
    }

    static func nota(_ tender: LoadedTender, round: Int, on db: Database) async throws -> NotaVanInlichtingen {
        guard let record = try await NotaRecord.query(on: db).filter(\.$tender.$id == tender.id).filter(\.$round == round).first() else {
            throw Abort(.notFound, reason: "Er is (nog) geen nota van inlichtingen voor ronde \(round).")
        }
        return try StoredJSON.decode(NotaVanInlichtingen.self, from: record.document)
    }
}
