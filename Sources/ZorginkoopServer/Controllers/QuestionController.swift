import Fluent
import Foundation
import Vapor
import ZorginkoopInterop
import ZorginkoopCore

/// Questions and the Nota van Inlichtingen: providers ask, officers answer to all at once.
struct QuestionController {
    func boot(_ routes: RoutesBuilder) {
        routes.on(.GET, "aanbestedingen", ":code", "vragen", permission: .askQuestions, use: providerPage)
        routes.on(.POST, "aanbestedingen", ":code", "vragen", permission: .askQuestions, use: ask)
        routes.on(.GET, "aanbestedingen", ":code", "vragenbeheer", permission: .manageTenders, use: officerPage)
        routes.on(.POST, "aanbestedingen", ":code", "vragenbeheer", ":id", permission: .manageTenders, use: handle)
        routes.on(.POST, "aanbestedingen", ":code", "nota", ":round", "publiceren", permission: .manageTenders, use: publish)
        routes.on(.GET, "aanbestedingen", ":code", "nota", ":round", permission: .viewTenders, use: nota)
        routes.on(.GET, "aanbestedingen", ":code", "nota", ":round", "afdrukken", permission: .viewTenders, use: notaPrint)
        routes.on(.GET, "aanbestedingen", ":code", "nota", ":round", "export.csv", permission: .viewTenders, use: notaCSV)
    }

    func tender(_ req: Request) async throws -> LoadedTender {
        try await TenderStore.find(try req.parameters.require("code"), for: req.auth.get(AuthenticatedUser.self), at: req.now, on: req.db)
    }

    struct QuestionRow: Encodable {
        var id: String
        var round: Int
        var text: String
        var documentReference: String
        var section: String
        var askedAt: String
        var status: String
        var wording: String
        var answer: String
        var mergedInto: String
        var action: String
        var others: [Option]
    }

    struct Option: Encodable {
        var value: String
        var label: String
        var selected: Bool
    }

    struct ProviderData: Encodable {
        var tenderName: String
        var tenderHref: String
        var contactBanHref: String
        var openRound: Int?
        var closesAt: String?
        var action: String
        var questions: [QuestionRow]
        var textError: String?
        var text: String
        var documentReference: String
        /// The tender's documents to cite; the free-text field only for a tender without documents.
        var documents: [Option]
        var section: String
        var notice: String?
        var limit: Int
    }

    func providerPage(req: Request) async throws -> Response {
        try await providerPage(req, textError: nil, form: PostedForm(values: [:]), notice: req.query[String.self, at: "melding"], status: .ok)
    }

    func providerPage(_ req: Request, textError: String?, form: PostedForm, notice: String?, status: HTTPStatus) async throws -> Response {
        let tender = try await tender(req)
        let now = req.now
        let round = tender.timeline.openQuestionRound(at: now)
        let questions = try await QuestionService.mine(tender, on: req)
        let documents = try await TenderDocumentService.list(tender, on: req.db)
        let data = ProviderData(
            tenderName: tender.name, tenderHref: AppURL.tender(tender.code).path, contactBanHref: AppURL.contactBan.path,
            openRound: round, closesAt: round.map { DutchTime.dateTime(tender.timeline.questionDeadlines[$0 - 1]) },
            action: AppURL.questions(tender.code).path,
            questions: questions.map { row($0, tender: tender, all: []) },
            textError: textError, text: form["text"], documentReference: form["documentReference"],
            documents: documents.isEmpty ? [] : [Option(value: "", label: "Geen document", selected: form["document"].isEmpty)] + documents.map {
                Option(value: String($0.number), label: $0.citation, selected: form["document"] == String($0.number))
            },
            section: form["section"],
            notice: notice, limit: QuestionService.questionLimit)
        return try await req.view.render("questions", PageContext(req, title: "Vragen: \(tender.name)", data: data)).encodeResponse(status: status, for: req)
    }

    func row(_ q: QuestionInfo, tender: LoadedTender, all: [QuestionInfo]) -> QuestionRow {
        // A provider's own rows carry no draft (see `QuestionService.mine`): they read "In behandeling".
        let status = q.published ? "Beantwoord in nota ronde \(q.round)" : q.mergedInto != nil ? "Samengevoegd" : q.answer.isBlank ? (all.isEmpty ? "In behandeling" : "Open") : "Antwoord in concept"
        return QuestionRow(id: q.id.uuidString, round: q.round, text: q.text, documentReference: q.documentReference, section: q.section,
                           askedAt: DutchTime.dateTime(q.askedAt), status: status, wording: q.wording, answer: q.answer,
                           mergedInto: q.mergedInto?.uuidString ?? "", action: AppURL.question(tender.code, q.id).path,
                           others: [Option(value: "", label: "Niet samenvoegen", selected: q.mergedInto == nil)] + all.filter {
                               $0.id != q.id && $0.round == q.round && $0.mergedInto == nil
                           }.enumerated().map { Option(value: $0.element.id.uuidString, label: "Vraag \($0.offset + 1) van ronde \(q.round): " + String($0.element.wording.prefix(60)),
                                                       selected: q.mergedInto == $0.element.id) })
    }

    func ask(req: Request) async throws -> Response {
        let tender = try await tender(req)
        let form = try PostedForm(req)
        do {
            _ = try await QuestionService.ask(tender, text: form.trimmed("text"), documentReference: form.trimmed("documentReference"),
                                              document: Int(form.trimmed("document")), section: form.trimmed("section"), on: req)
        } catch let problems as ProblemList {
            return try await providerPage(req, textError: problems.problems.map(\.message).joined(separator: "; "), form: form, notice: nil, status: .unprocessableEntity)
        } catch let abort as AbortError where abort.status == .conflict {
            return try await providerPage(req, textError: abort.reason, form: form, notice: nil, status: .conflict)
        }
        return req.redirect(to: AppURL.questions(tender.code).path + "?melding=Uw%20vraag%20is%20ontvangen.")
    }

    struct RoundBlock: Encodable {
        var round: Int
        var closesAt: String
        var closed: Bool
        var published: Bool
        var publishAction: String
        var notaHref: String
        var questions: [QuestionRow]
    }

    struct OfficerData: Encodable {
        var tenderName: String
        var tenderHref: String
        var rounds: [RoundBlock]
        var error: String?
    }

    func officerPage(req: Request) async throws -> Response {
        try await officerPage(req, error: req.query[String.self, at: "melding"], status: .ok)
    }

    func officerPage(_ req: Request, error: String?, status: HTTPStatus) async throws -> Response {
        let tender = try await tender(req)
        let now = req.now
        let all = try await QuestionService.all(tender, on: req.db)
        let published = Set(try await QuestionService.notas(tender, on: req.db).map(\.round))
        let rounds = tender.timeline.questionDeadlines.enumerated().map { index, deadline in
            let round = index + 1
            return RoundBlock(round: round, closesAt: DutchTime.dateTime(deadline), closed: !Deadline.isOnTime(now, deadline: deadline),
                              published: published.contains(round), publishAction: AppURL.notaPublish(tender.code, round).path,
                              notaHref: AppURL.nota(tender.code, round).path,
                              questions: all.filter { $0.round == round }.map { row($0, tender: tender, all: all) })
        }
        let data = OfficerData(tenderName: tender.name, tenderHref: AppURL.tender(tender.code).path, rounds: rounds, error: error)
        return try await req.view.render("question-handling", PageContext(req, title: "Vragen behandelen: \(tender.name)", data: data))
            .encodeResponse(status: status, for: req)
    }

    func handle(req: Request) async throws -> Response {
        let tender = try await tender(req)
        guard let id = req.parameters.get("id", as: UUID.self) else { throw Abort(.notFound) }
        let form = try PostedForm(req)
        do {
            try await QuestionService.handle(tender, question: id, wording: form["wording"], answer: form["answer"],
                                             mergedInto: UUID(uuidString: form["mergedInto"]), on: req)
        } catch let problems as ProblemList {
            return try await officerPage(req, error: problems.problems.map(\.message).joined(separator: "; "), status: .unprocessableEntity)
        }
        return req.redirect(to: AppURL.questionHandling(tender.code).path + "#vraag-\(id.uuidString)")
    }

    func publish(req: Request) async throws -> Response {
        let tender = try await tender(req)
        guard let round = req.parameters.get("round", as: Int.self) else { throw Abort(.notFound) }
        guard try PostedForm(req).checked("confirm") else {
            return try await officerPage(req, error: "Vink aan dat u de nota van ronde \(round) publiceert: dat kan niet ongedaan worden.", status: .unprocessableEntity)
        }
        do {
            _ = try await QuestionService.publishNota(tender, round: round, on: req)
        } catch let problems as ProblemList {
            return try await officerPage(req, error: "De nota is niet gepubliceerd: " + problems.problems.map(\.message).joined(separator: "; "), status: .unprocessableEntity)
        } catch let abort as AbortError where abort.status == .conflict {
            return try await officerPage(req, error: abort.reason, status: .conflict)
        }
        return req.redirect(to: AppURL.nota(tender.code, round).path)
    }

    struct NotaData: Encodable {
        var tenderName: String
        var tenderCode: String
        var tenderHref: String
        var round: Int
        var publishedAt: String
        var entries: [NotaVanInlichtingen.Entry]
        var total: Int
        var query: String
        var printHref: String
        var csvHref: String
        var action: String
    }

    func notaData(_ req: Request) async throws -> NotaData {
        let tender = try await tender(req)
        guard let round = req.parameters.get("round", as: Int.self) else { throw Abort(.notFound) }
        let nota = try await QuestionService.nota(tender, round: round, on: req.db)
        let query = req.query[String.self, at: "zoek"] ?? ""
        return NotaData(tenderName: tender.name, tenderCode: tender.code, tenderHref: AppURL.tender(tender.code).path, round: round,
                        publishedAt: DutchTime.dateTime(nota.publishedAt), entries: nota.search(query), total: nota.entries.count, query: query,
                        printHref: AppURL.notaPrint(tender.code, round).path, csvHref: AppURL.notaCSV(tender.code, round).path,
                        action: AppURL.nota(tender.code, round).path)
    }

    func nota(req: Request) async throws -> View {
        let data = try await notaData(req)
        return try await req.view.render("nota", PageContext(req, title: "Nota van inlichtingen ronde \(data.round)", data: data))
    }

    func notaPrint(req: Request) async throws -> View {
        let data = try await notaData(req)
        return try await req.view.render("nota-print", PageContext(req, title: "Nota van inlichtingen ronde \(data.round)", data: data))
    }

    func notaCSV(req: Request) async throws -> Response {
        let data = try await notaData(req)
        let sheet = Sheet(name: "Nota ronde \(data.round)", columns: ["nummer", "document", "paragraaf", "vraag", "antwoord", "aantal_vragen"],
                          rows: data.entries.map { e in
                              [.text(e.number), .text(e.documentReference), .text(e.section), .text(e.question), .text(e.answer), .integer(e.questionsAnswered)]
                          })
        return Download.csv(sheet, filename: "nota-van-inlichtingen-\(data.tenderCode)-ronde-\(data.round).csv")
    }
}
