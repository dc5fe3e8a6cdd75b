import Fluent
import Foundation
import Vapor
import ZorginkoopCore

/// Tenders, bids, questions and the vault under /api/v1: the same services as the pages.
struct ProcurementAPIController {
    func boot(_ api: RoutesBuilder) {
        api.on(.GET, "tenders", permission: .viewTenders, use: list)
        api.on(.POST, "tenders", permission: .manageTenders, use: create)
        api.on(.GET, "tenders", ":code", permission: .viewTenders, use: show)
        api.on(.PUT, "tenders", ":code", permission: .manageTenders, use: update)
        api.on(.POST, "tenders", ":code", "publication", permission: .manageTenders, use: publish)
        api.on(.GET, "tenders", ":code", "documents", permission: .viewTenders, use: documents)
        api.on(.GET, "tenders", ":code", "documents", ":number", "versions", ":version", permission: .viewTenders, use: documentVersion)
        api.on(.GET, "tenders", ":code", "bid", permission: .prepareBids, use: bid)
        api.on(.PUT, "tenders", ":code", "bid", permission: .prepareBids, use: saveBid)
        api.on(.POST, "tenders", ":code", "bid", "documents", permission: .prepareBids, body: .stream, use: upload)
        api.on(.GET, "tenders", ":code", "bid", "documents", ":id", permission: .prepareBids, use: download)
        api.on(.DELETE, "tenders", ":code", "bid", "documents", ":id", permission: .prepareBids, use: removeDocument)
        api.on(.POST, "tenders", ":code", "bid", "submission", permission: .prepareBids, use: submit)
        api.on(.POST, "tenders", ":code", "bid", "withdrawal", permission: .prepareBids, use: withdraw)
        api.on(.GET, "tenders", ":code", "questions", permission: .askQuestions, use: myQuestions)
        api.on(.POST, "tenders", ":code", "questions", permission: .askQuestions, use: ask)
        api.on(.GET, "tenders", ":code", "questions", "all", permission: .manageTenders, use: allQuestions)
        api.on(.PUT, "tenders", ":code", "questions", ":id", permission: .manageTenders, use: handle)
        api.on(.POST, "tenders", ":code", "notas", permission: .manageTenders, use: publishNota)
        api.on(.GET, "tenders", ":code", "notas", permission: .viewTenders, use: notas)
        api.on(.GET, "tenders", ":code", "notas", ":round", permission: .viewTenders, use: nota)
        api.on(.POST, "tenders", ":code", "vault", "confirmations", permission: .openVault, use: confirmOpening)
        api.on(.GET, "tenders", ":code", "bids", permission: .readOpenedBids, use: openedBids)
        api.on(.GET, "tenders", ":code", "bids", ":bid", "documents", ":id", permission: .readOpenedBids, use: openedDocument)
    }

    /// JSON with instants to the millisecond (ISO 8601), for receipts and deadlines.
    static func json<T: Encodable>(_ value: T, status: HTTPStatus = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // A format style, not an ISO8601DateFormatter per response: that cost a tenth of a submission's CPU.
        let instant = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(instant.format(date))
        }
        let response = Response(status: status, body: .init(data: (try? encoder.encode(value)) ?? Data()))
        response.headers.contentType = .json
        return response
    }

    static func decode<T: Decodable>(_ type: T.Type, _ req: Request) throws -> T {
        guard let buffer = req.body.data else { throw Abort(.badRequest, reason: "Het verzoek heeft geen inhoud (JSON verwacht).") }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let c = try decoder.singleValueContainer()
            let text = try c.decode(String.self)
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            if let date = formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text) { return date }
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "'\(text)' is geen tijdstip volgens ISO 8601 (zoals 2026-12-01T12:00:00+01:00)")
        }
        return try decoder.decode(type, from: buffer)
    }

    func tender(_ req: Request) async throws -> LoadedTender {
        try await TenderStore.find(try req.parameters.require("code"), for: req.auth.get(AuthenticatedUser.self), at: req.now, on: req.db)
    }

    struct TenderResource: Encodable {
        var code: String
        var name: String
        var designTender: String
        var phase: TenderPhase
        var subSegments: [String]
        var noGo: [NoGo]
        var timeline: TenderTimeline
        var publishedAt: Date?
        var openedAt: Date?

        init(_ t: LoadedTender, now: Date) {
            code = t.code
            name = t.name
            designTender = t.scope.tender
            phase = t.phase(at: now)
            subSegments = t.scope.subSegments
            noGo = t.scope.noGo
            timeline = t.timeline
            publishedAt = t.publishedAt
            openedAt = t.openedAt
        }
    }

    func list(req: Request) async throws -> Response {
        let now = req.now
        return Self.json(try await TenderStore.all(for: try req.auth.require(AuthenticatedUser.self), at: req.now, on: req.db).map { TenderResource($0, now: now) })
    }

    func show(req: Request) async throws -> Response {
        Self.json(TenderResource(try await tender(req), now: req.now))
    }

    /// What a tender is created or changed with (the demo sends it too).
    struct TenderInput: Codable {
        var designTender: String?
        var name: String
        var subSegments: [String]
        var noGo: [NoGo]?
        var timeline: TenderTimeline
        var contractTerm: ContractTermInput?
        var explanation: String?

        var settings: TenderSettings {
            TenderSettings(name: name, subSegments: subSegments, noGo: noGo ?? [], timeline: timeline, contractTerm: contractTerm?.term)
        }
    }

    /// The tender's contract term: its start and months; the end dates follow.
    struct ContractTermInput: Codable {
        var start: CalendarDate
        var initialTermMonths: Int
        var extensionMonths: Int
        var maxExtensions: Int

        var term: ContractTerm {
            ContractTerm(start: start, initialTermMonths: initialTermMonths, extensionMonths: extensionMonths, maxExtensions: maxExtensions)
        }
    }

    func create(req: Request) async throws -> Response {
        let input = try Self.decode(TenderInput.self, req)
        let tender = try await TenderStore.create(designTender: input.designTender ?? "", settings: input.settings, on: req)
        let response = Self.json(TenderResource(tender, now: req.now), status: .created)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/tenders/\(tender.code)")
        return response
    }

    func update(req: Request) async throws -> Response {
        let code = try req.parameters.require("code")
        let input = try Self.decode(TenderInput.self, req)
        try await TenderStore.update(code, settings: input.settings, explanation: input.explanation ?? "", on: req)
        return try await show(req: req)
    }

    func publish(req: Request) async throws -> Response {
        try await TenderStore.publish(try req.parameters.require("code"), on: req)
        return try await show(req: req)
    }

    // MARK: Tender documents

    /// The tender's documents with every version's SHA-256 (uploads go through the tender page).
    func documents(req: Request) async throws -> Response {
        Self.json(try await TenderDocumentService.list(try await tender(req), on: req.db))
    }

    func documentVersion(req: Request) async throws -> Response {
        let tender = try await tender(req)
        guard let number = req.parameters.get("number", as: Int.self), let version = req.parameters.get("version", as: Int.self) else { throw Abort(.notFound) }
        return try TenderDocumentService.response(tender, try await TenderDocumentService.version(tender, number: number, version: version, on: req.db).1, on: req)
    }

    // MARK: Bids

    struct BidResource: Encodable {
        var status: String
        var version: Int
        var content: BidContent
        var documents: [DocumentInfo]
        var receipts: [Receipt]
        var problems: [Problem]
    }

    func bid(req: Request) async throws -> Response {
        let tender = try await tender(req)
        let bid = try await BidService.bid(of: try BidService.organisation(of: req), in: tender, on: req.db)
        let content = try BidService.draft(bid, tender: tender, app: req.application)
        var documents: [DocumentInfo] = []
        var receipts: [Receipt] = []
        if let bid {
            documents = try await BidService.documents(of: bid, tender: tender, app: req.application, on: req.db)
            receipts = try await BidService.receipts(of: bid, on: req.db)
        }
        return Self.json(BidResource(status: bid?.status ?? "none", version: bid?.version ?? 0, content: content, documents: documents,
                                     receipts: receipts, problems: content.submissionProblems(in: tender.scope, attachedTo: Set(documents.map(\.purpose)))))
    }

    func saveBid(req: Request) async throws -> Response {
        let tender = try await tender(req)
        let content = try Self.decode(BidContent.self, req)
        try await BidService.saveDraft(content, tender: tender, on: req)
        return try await bid(req: req)
    }

    func upload(req: Request) async throws -> Response {
        let tender = try await tender(req)
        let organisation = try BidService.organisation(of: req)
        try BidService.requireOpen(tender, now: req.now)
        let purpose = req.query[String.self, at: "purpose"] ?? "general"
        let name = req.query[String.self, at: "name"] ?? ""
        if let problem = DocumentUpload.validate(purpose: purpose, filename: name, scope: tender.scope) {
            throw ProblemList(problems: [Problem(name.isBlank || name.count > 200 ? "name" : "purpose", problem)])
        }
        let bid = try await BidService.bidForUpload(organisation, tender, on: req)
        let upload = DocumentUpload(tender: tender, bidID: try bid.requireID(), purpose: purpose, filename: name,
                                    key: try BidService.tenderKey(tender, req.application), request: req)
        let body = StreamedBody(req.body)
        defer { body.discardRest() }
        let stored = try await upload.store(body)
        return Self.json(stored, status: .created)
    }

    func download(req: Request) async throws -> Response {
        let tender = try await tender(req)
        guard let id = req.parameters.get("id", as: UUID.self),
              let bid = try await BidService.bid(of: try BidService.organisation(of: req), in: tender, on: req.db),
              let document = try await BidService.documents(of: bid, tender: tender, app: req.application, on: req.db, includeRemoved: true)
                .first(where: { $0.id == id }) else {
            throw Abort(.notFound, reason: "Dit document hoort niet bij uw inschrijving.")
        }
        return DocumentReader.response(document, key: try BidService.tenderKey(tender, req.application), on: req)
    }

    func removeDocument(req: Request) async throws -> Response {
        let tender = try await tender(req)
        guard let id = req.parameters.get("id", as: UUID.self) else { throw Abort(.notFound) }
        try await BidService.removeDocument(id, tender: tender, on: req)
        return Response(status: .noContent)
    }

    struct Confirmation: Decodable {
        var confirm: Bool
    }

    func requireConfirmation(_ req: Request, _ what: String) throws {
        guard (try? Self.decode(Confirmation.self, req))?.confirm == true else {
            throw ProblemList(problems: [Problem("confirm", "bevestig \(what) met {\"confirm\": true}")])
        }
    }

    func submit(req: Request) async throws -> Response {
        let tender = try await tender(req)
        try requireConfirmation(req, "het definitief indienen")
        return Self.json(try await BidService.submit(tender: tender, on: req), status: .created)
    }

    func withdraw(req: Request) async throws -> Response {
        let tender = try await tender(req)
        try requireConfirmation(req, "het intrekken")
        try await BidService.withdraw(tender: tender, on: req)
        return try await bid(req: req)
    }

    // MARK: Questions

    struct QuestionInput: Decodable {
        var text: String
        var documentReference: String?
        /// The number of a tender document (see GET documents); the version current now is recorded.
        var document: Int?
        var section: String?
    }

    func myQuestions(req: Request) async throws -> Response {
        Self.json(try await QuestionService.mine(try await tender(req), on: req))
    }

    func ask(req: Request) async throws -> Response {
        let tender = try await tender(req)
        let input = try Self.decode(QuestionInput.self, req)
        let question = try await QuestionService.ask(tender, text: input.text, documentReference: input.documentReference ?? "",
                                                     document: input.document, section: input.section ?? "", on: req)
        return Self.json(question, status: .created)
    }

    func allQuestions(req: Request) async throws -> Response {
        Self.json(try await QuestionService.all(try await tender(req), on: req.db))
    }

    struct Handling: Decodable {
        var wording: String
        var answer: String
        var mergedInto: UUID?
    }

    func handle(req: Request) async throws -> Response {
        let tender = try await tender(req)
        guard let id = req.parameters.get("id", as: UUID.self) else { throw Abort(.notFound) }
        let input = try Self.decode(Handling.self, req)
        try await QuestionService.handle(tender, question: id, wording: input.wording, answer: input.answer, mergedInto: input.mergedInto, on: req)
        return Self.json(try await QuestionService.all(tender, on: req.db).first { $0.id == id })
    }

    struct NotaInput: Decodable {
        var round: Int
    }

    func publishNota(req: Request) async throws -> Response {
        let tender = try await tender(req)
        let input = try Self.decode(NotaInput.self, req)
        let response = Self.json(try await QuestionService.publishNota(tender, round: input.round, on: req), status: .created)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/tenders/\(tender.code)/notas/\(input.round)")
        return response
    }

    func notas(req: Request) async throws -> Response {
        Self.json(try await QuestionService.notas(try await tender(req), on: req.db))
    }

    func nota(req: Request) async throws -> Response {
        guard let round = req.parameters.get("round", as: Int.self) else { throw Abort(.notFound) }
        let nota = try await QuestionService.nota(try await tender(req), round: round, on: req.db)
        guard let query = req.query[String.self, at: "q"] else { return Self.json(nota) }
        var found = nota
        found.entries = nota.search(query)
        return Self.json(found)
    }

    // MARK: The vault

    struct OpeningResource: Encodable {
        var opened: Bool
        var message: String
        var awaitingSecondUntil: Date?
    }

    func confirmOpening(req: Request) async throws -> Response {
        let tender = try await tender(req)
        switch try await VaultService.confirm(tender, on: req) {
        case let .awaitingSecond(_, until):
            return Self.json(OpeningResource(opened: false, message: "Bevestiging vastgelegd; een tweede inkoper moet bevestigen.", awaitingSecondUntil: until), status: .accepted)
        case .open:
            return Self.json(OpeningResource(opened: true, message: "De kluis is geopend.", awaitingSecondUntil: nil), status: .ok)
        case let .refused(reason):
            throw Abort(.conflict, reason: reason)
        }
    }

    func openedBids(req: Request) async throws -> Response {
        Self.json(try await VaultService.readOpened(try await tender(req), on: req))
    }

    func openedDocument(req: Request) async throws -> Response {
        let tender = try await tender(req)
        guard let bid = req.parameters.get("bid", as: UUID.self) else { throw Abort(.notFound) }
        return try await VaultService.openedDocument(req.parameters.get("id", as: UUID.self), of: tender, among: [bid], on: req)
    }
}
