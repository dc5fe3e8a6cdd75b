import Fluent
import Foundation
import MultipartKit
import Vapor
import ZorginkoopCore

/// A provider's own bid in the browser: the draft form, documents, submission, receipts.
struct BidController {
    func boot(_ routes: RoutesBuilder) {
        routes.on(.GET, "aanbestedingen", ":code", "inschrijving", permission: .prepareBids, use: page)
        routes.on(.POST, "aanbestedingen", ":code", "inschrijving", permission: .prepareBids, use: save)
        routes.on(.POST, "aanbestedingen", ":code", "inschrijving", "documenten", permission: .prepareBids, body: .stream, use: upload)
        routes.on(.GET, "aanbestedingen", ":code", "inschrijving", "documenten", ":id", permission: .prepareBids, use: download)
        routes.on(.POST, "aanbestedingen", ":code", "inschrijving", "documenten", ":id", "verwijderen", permission: .prepareBids, use: remove)
        routes.on(.GET, "aanbestedingen", ":code", "inschrijving", "indienen", permission: .prepareBids, use: confirmPage)
        routes.on(.POST, "aanbestedingen", ":code", "inschrijving", "indienen", permission: .prepareBids, use: submit)
        routes.on(.POST, "aanbestedingen", ":code", "inschrijving", "intrekken", permission: .prepareBids, use: withdraw)
        routes.on(.GET, "aanbestedingen", ":code", "inschrijving", "ontvangstbewijs", ":version", permission: .prepareBids, use: receipt)
    }

    func tender(_ req: Request) async throws -> LoadedTender {
        try await TenderStore.find(try req.parameters.require("code"), for: req.auth.get(AuthenticatedUser.self), at: req.now, on: req.db)
    }

    // MARK: The form

    struct Choice: Encodable {
        var key: String
        var value: String
        var label: String
        var checked: Bool
    }

    struct TextField: Encodable {
        var key: String
        var label: String
        var value: String
        var hint: String?
        var error: String?
    }

    struct Declaration: Encodable {
        var code: String
        var name: String
        var description: String
        var mayFollow: Bool
        var inProgress: Bool
        var expected: String
        var evidence: String
        var error: String?
    }

    struct DocumentRow: Encodable {
        var name: String
        var purpose: String
        var kind: String
        var size: String
        var sha256: String
        var href: String
        var removeAction: String
    }

    struct ReceiptRow: Encodable {
        var version: Int
        var at: String
        var digest: String
        var withdrawn: Bool
        var href: String
    }

    struct PageData: Encodable {
        var tenderName: String
        var tenderHref: String
        var status: String
        var deadline: String
        var open: Bool
        var action: String
        var uploadAction: String
        var submitHref: String
        var withdrawAction: String
        var canWithdraw: Bool
        var subSegments: [Choice]
        var subSegmentsError: String?
        var servesAll: Bool
        var municipalities: [Choice]
        var municipalitiesError: String?
        var justification: TextField
        var specialisms: [Choice]
        var capacity: [TextField]
        var transport: [Choice]
        var transportError: String?
        var declarations: [Declaration]
        var dossier: [TextField]
        var dossierLimit: Int
        var form: [Choice]
        var partners: TextField
        var documents: [DocumentRow]
        var purposes: [Choice]
        var receipts: [ReceiptRow]
        var errors: FieldErrors
        var saved: Bool
        var notice: String?
    }

    func page(req: Request) async throws -> Response {
        let tender = try await tender(req)
        let organisation = try BidService.organisation(of: req)
        let bid = try await BidService.bid(of: organisation, in: tender, on: req.db)
        let content = try BidService.draft(bid, tender: tender, app: req.application)
        return try await render(req, tender: tender, bid: bid, content: content, partnersText: nil, errors: FieldErrors(),
                                saved: req.query[String.self, at: "opgeslagen"] != nil, notice: req.query[String.self, at: "melding"])
    }

    func render(_ req: Request, tender: LoadedTender, bid: BidRecord?, content: BidContent, partnersText: String?, errors: FieldErrors,
                saved: Bool = false, notice: String? = nil, status: HTTPStatus = .ok) async throws -> Response {
        let scope = tender.scope
        let design = scope.design
        let offered = design.subSegments.filter { scope.subSegments.contains($0.code) }
        let area: [String] = if case let .only(list, _) = content.serves { list } else { [] }
        let justification: String = if case let .only(_, text) = content.serves { text } else { "" }
        let specialisms = Set(offered.flatMap(\.requiredSpecialisms)).sorted()
        let requirements = scope.requirements(for: content.subSegments.isEmpty ? scope.subSegments : content.subSegments)
        let criteria = scope.criteria(for: content.subSegments.isEmpty ? scope.subSegments : content.subSegments)
        var documents: [DocumentInfo] = []
        var receipts: [Receipt] = []
        if let bid {
            documents = try await BidService.documents(of: bid, tender: tender, app: req.application, on: req.db)
            receipts = try await BidService.receipts(of: bid, on: req.db)
        }
        let open = tender.phase(at: req.now) == .open
        let data = PageData(
            tenderName: tender.name, tenderHref: AppURL.tender(tender.code).path,
            status: Self.statusName(bid?.status), deadline: DutchTime.dateTime(tender.timeline.submissionDeadline), open: open,
            action: AppURL.bid(tender.code).path, uploadAction: AppURL.bidDocuments(tender.code).path,
            submitHref: AppURL.bidSubmit(tender.code).path, withdrawAction: AppURL.bidWithdraw(tender.code).path,
            canWithdraw: open && bid?.status == "submitted",
            subSegments: offered.map { Choice(key: "sub-\($0.code)", value: "ja", label: "\($0.name) (\($0.code))", checked: content.subSegments.contains($0.code)) },
            subSegmentsError: errors["subsegments"],
            servesAll: content.serves == .all,
            municipalities: design.region.municipalities.map { Choice(key: "municipality-\($0.code)", value: "ja", label: $0.name, checked: area.contains($0.code)) },
            municipalitiesError: errors["municipalities"],
            justification: TextField(key: "justification", label: "Motivering", value: justification, error: errors["justification"]),
            specialisms: specialisms.map { Choice(key: "specialism-\($0)", value: "ja", label: $0, checked: content.specialisms.contains($0)) },
            capacity: design.region.municipalities.map {
                TextField(key: "capacity-\($0.code)", label: $0.name, value: content.capacity[$0.code].map(String.init) ?? "", error: errors["capacity-\($0.code)"])
            },
            transport: design.transportOptions.map { Choice(key: "transport-\($0.code)", value: $0.code, label: $0.name, checked: content.transport == $0.code) },
            transportError: errors["transport"],
            declarations: requirements.map { r in
                let d = content.declarations[r.code]
                let expected: String = if case let .inProgress(date) = d?.status { date.description } else { "" }
                return Declaration(code: r.code, name: r.name, description: r.description, mayFollow: r.proofMayFollow,
                                   inProgress: !expected.isEmpty, expected: expected, evidence: d?.evidence ?? "", error: errors["declaration-\(r.code)"])
            },
            dossier: criteria.map { c in
                TextField(key: "dossier-\(c.code)", label: c.name, value: content.dossier[c.code] ?? "", hint: c.description, error: errors["dossier-\(c.code)"])
            },
            dossierLimit: BidContent.dossierLimit,
            form: [BiddingForm.alone, .combination(members: []), .withSubcontractors([])].map {
                Choice(key: "form-\($0.code)", value: $0.code, label: $0.dutchName, checked: content.form.code == $0.code)
            },
            partners: TextField(key: "partners", label: "Leden of onderaannemers (één per regel: naam; KvK-nummer)",
                                value: partnersText ?? content.form.partners.map { "\($0.name); \($0.kvkNumber)" }.joined(separator: "\n"),
                                error: errors["partners"]),
            documents: documents.map { d in
                DocumentRow(name: d.name, purpose: Self.purposeName(d.purpose, design: design), kind: DocumentKind(rawValue: d.kind)?.dutchName ?? d.kind,
                            size: Self.size(d.size), sha256: d.sha256, href: AppURL.bidDocument(tender.code, d.id).path,
                            removeAction: AppURL.bidDocumentRemove(tender.code, d.id).path)
            },
            purposes: [Choice(key: "general", value: "general", label: "Algemeen", checked: true)]
                + requirements.map { Choice(key: "requirement:\($0.code)", value: "requirement:\($0.code)", label: "Bewijs: \($0.name)", checked: false) }
                + criteria.map { Choice(key: "criterion:\($0.code)", value: "criterion:\($0.code)", label: "Kwaliteitsdossier: \($0.name)", checked: false) },
            receipts: receipts.map {
                ReceiptRow(version: $0.version, at: DutchTime.preciseDateTime($0.submittedAt), digest: $0.digest, withdrawn: $0.withdrawnAt != nil,
                           href: AppURL.receipt(tender.code, $0.version).path)
            },
            errors: errors, saved: saved, notice: notice)
        return try await req.view.render("bid", PageContext(req, title: "Inschrijving: \(tender.name)", data: data)).encodeResponse(status: status, for: req)
    }

    static func statusName(_ status: String?) -> String {
        switch status {
        case "submitted": "Ingediend"
        case "withdrawn": "Ingetrokken"
        case "draft": "Concept (nog niet ingediend)"
        default: "Nog niet begonnen"
        }
    }

    static func purposeName(_ purpose: String, design: Design) -> String {
        let parts = purpose.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return "Algemeen" }
        if parts[0] == "requirement" { return "Bewijs: " + (design.requirements.first { $0.code == parts[1] }?.name ?? parts[1]) }
        return "Kwaliteitsdossier: " + (design.lots.flatMap(\.criteria).first { $0.code == parts[1] }?.name ?? parts[1])
    }

    static func size(_ bytes: Int) -> String {
        bytes >= 1024 * 1024 ? String(format: "%.1f MB", Double(bytes) / 1_048_576).replacingOccurrences(of: ".", with: ",")
            : "\(max(1, bytes / 1024)) kB"
    }

    /// Reads the form into a draft; values that cannot be read become field errors.
    static func content(_ form: PostedForm, scope: TenderScope, errors: inout FieldErrors) -> (BidContent, String) {
        let design = scope.design
        var content = BidContent()
        content.subSegments = scope.subSegments.filter { form.checked("sub-\($0)") }
        content.serves = form["serves"] == "only"
            ? .only(municipalities: design.region.municipalities.map(\.code).filter { form.checked("municipality-\($0)") },
                    justification: form.trimmed("justification"))
            : .all
        content.specialisms = Set(design.subSegments.flatMap(\.requiredSpecialisms)).sorted().filter { form.checked("specialism-\($0)") }
        for m in design.region.municipalities {
            let text = form.trimmed("capacity-\(m.code)")
            guard !text.isEmpty else { continue }
            if let places = Int(text), places >= 0 { content.capacity[m.code] = places } else { errors.add("capacity-\(m.code)", "vul een aantal plaatsen in (0 of meer)") }
        }
        content.transport = form["transport"].isEmpty ? nil : form["transport"]
        for r in design.requirements where !form["declaration-\(r.code)"].isEmpty {
            let evidence = form.trimmed("evidence-\(r.code)")
            if form["declaration-\(r.code)"] == "in-progress" {
                guard let date = CalendarDate(iso: form.trimmed("expected-\(r.code)")) else {
                    errors.add("declaration-\(r.code)", "vul de verwachte datum in (jjjj-mm-dd) voor ‘\(r.name)’")
                    continue
                }
                content.declarations[r.code] = RequirementDeclaration(status: .inProgress(expected: date), evidence: evidence)
            } else {
                content.declarations[r.code] = RequirementDeclaration(status: .met, evidence: evidence)
            }
        }
        for c in design.lots.flatMap(\.criteria) where !form.trimmed("dossier-\(c.code)").isEmpty {
            content.dossier[c.code] = form["dossier-\(c.code)"]
        }
        let partnersText = form["partners"]
        let partners = partnersText.split(whereSeparator: \.isNewline).compactMap { line -> PartnerOrganisation? in
            let parts = line.split(separator: ";", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard !parts.allSatisfy(\.isEmpty) else { return nil }
            return PartnerOrganisation(name: parts[0], kvkNumber: parts.count > 1 ? parts[1] : "")
        }
        switch form["form"] {
        case "combination": content.form = .combination(members: partners)
        case "subcontractors": content.form = .withSubcontractors(partners)
        default: content.form = .alone
        }
        return (content, partnersText)
    }

    static func fieldKey(_ path: String) -> String {
        let parts = path.split(separator: ".", maxSplits: 1).map(String.init)
        switch parts[0] {
        case let p where p.hasPrefix("subSegments"): return "subsegments"
        case "serves": return parts.count > 1 && parts[1].hasPrefix("justification") ? "justification" : "municipalities"
        case let p where p.hasPrefix("specialisms"): return "specialisms"
        case "capacity": return "capacity-\(parts.count > 1 ? parts[1] : "")"
        case "transport": return "transport"
        case "declarations": return "declaration-\(parts.count > 1 ? parts[1] : "")"
        case "dossier": return "dossier-\(parts.count > 1 ? parts[1] : "")"
        case "form": return "partners"
        default: return path
        }
    }

    func save(req: Request) async throws -> Response {
        let tender = try await tender(req)
        var errors = FieldErrors()
        let (content, partnersText) = Self.content(try PostedForm(req), scope: tender.scope, errors: &errors)
        try await BidService.saveDraft(content, tender: tender, on: req)
        if !errors.isEmpty {
            let bid = try await BidService.bid(of: try BidService.organisation(of: req), in: tender, on: req.db)
            return try await render(req, tender: tender, bid: bid, content: content, partnersText: partnersText, errors: errors, status: .unprocessableEntity)
        }
        return req.redirect(to: AppURL.bid(tender.code).path + "?opgeslagen=1")
    }

    // MARK: Documents

    /// A multipart upload, parsed as it streams in: the file part goes straight to the vault.
    func upload(req: Request) async throws -> Response {
        let tender = try await tender(req)
        let organisation = try BidService.organisation(of: req)
        try BidService.requireOpen(tender, now: req.now)
        guard let boundary = req.headers.contentType?.parameters["boundary"], req.headers.contentType?.subType == "form-data" else {
            throw Abort(.unsupportedMediaType, reason: "Stuur het bestand als formulier (multipart/form-data).")
        }
        let stream = MultipartFileStream(boundary: boundary, body: StreamedBody(req.body))
        defer { stream.body.discardRest() }
        // The form token and purpose come before the file in the form, so they are known when the file starts.
        let (fields, filename, file) = try await stream.fieldsAndFile()
        try req.verifyStreamedFormToken(fields[CSRFMiddleware.field])
        let bid = try await BidService.bidForUpload(organisation, tender, on: req)
        let purpose = fields["purpose"] ?? "general"
        if let problem = DocumentUpload.validate(purpose: purpose, filename: filename, scope: tender.scope) {
            throw Abort(.unprocessableEntity, reason: problem)
        }
        let upload = DocumentUpload(tender: tender, bidID: try bid.requireID(), purpose: purpose, filename: filename,
                                    key: try BidService.tenderKey(tender, req.application), request: req)
        do {
            let stored = try await upload.store(file)
            return req.redirect(to: AppURL.bid(tender.code).path + "?melding=" + "Document \(stored.name) opgeslagen (SHA-256 \(stored.sha256.prefix(12))…)."
                .addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(["&", "=", "+"]))!)
        } catch let refused as DocumentUpload.Refused {
            let content = try BidService.draft(bid, tender: tender, app: req.application)
            var errors = FieldErrors()
            errors.add("document", refused.message)
            return try await render(req, tender: tender, bid: bid, content: content, partnersText: nil, errors: errors, status: refused.status)
        }
    }

    func download(req: Request) async throws -> Response {
        let tender = try await tender(req)
        let organisation = try BidService.organisation(of: req)
        guard let id = req.parameters.get("id", as: UUID.self), let bid = try await BidService.bid(of: organisation, in: tender, on: req.db),
              let document = try await BidService.documents(of: bid, tender: tender, app: req.application, on: req.db, includeRemoved: true)
                .first(where: { $0.id == id }) else {
            throw Abort(.notFound, reason: "Dit document hoort niet bij uw inschrijving.")
        }
        return DocumentReader.response(document, key: try BidService.tenderKey(tender, req.application), on: req)
    }

    func remove(req: Request) async throws -> Response {
        let tender = try await tender(req)
        guard let id = req.parameters.get("id", as: UUID.self) else { throw Abort(.notFound) }
        try await BidService.removeDocument(id, tender: tender, on: req)
        return req.redirect(to: AppURL.bid(tender.code).path)
    }

    // MARK: Submission

    struct ConfirmData: Encodable {
        var tenderName: String
        var bidHref: String
        var action: String
        var problems: [FieldErrors.Item]
        var deadline: String
        var subSegments: String
        var documents: Int
        var error: String?
    }

    func confirmPage(req: Request) async throws -> Response {
        try await confirmPage(req, error: nil, status: .ok)
    }

    func confirmPage(_ req: Request, error: String?, status: HTTPStatus) async throws -> Response {
        let tender = try await tender(req)
        let organisation = try BidService.organisation(of: req)
        let bid = try await BidService.bid(of: organisation, in: tender, on: req.db)
        let content = try BidService.draft(bid, tender: tender, app: req.application)
        var documents: [DocumentInfo] = []
        if let bid { documents = try await BidService.documents(of: bid, tender: tender, app: req.application, on: req.db) }
        let problems = content.submissionProblems(in: tender.scope, attachedTo: Set(documents.map(\.purpose)))
        let data = ConfirmData(tenderName: tender.name, bidHref: AppURL.bid(tender.code).path, action: AppURL.bidSubmit(tender.code).path,
                               problems: problems.map { FieldErrors.Item(key: Self.fieldKey($0.path), message: $0.message) },
                               deadline: DutchTime.preciseDateTime(tender.timeline.submissionDeadline),
                               subSegments: tender.scope.design.subSegments.filter { content.subSegments.contains($0.code) }.map(\.name)
                                   .joined(separator: ", "),
                               documents: documents.count, error: error)
        return try await req.view.render("bid-submit", PageContext(req, title: "Inschrijving indienen", data: data)).encodeResponse(status: status, for: req)
    }

    func submit(req: Request) async throws -> Response {
        let tender = try await tender(req)
        guard try PostedForm(req).checked("confirm") else {
            return try await confirmPage(req, error: "Vink aan dat u deze inschrijving definitief indient.", status: .unprocessableEntity)
        }
        do {
            let receipt = try await BidService.submit(tender: tender, on: req)
            return req.redirect(to: AppURL.receipt(tender.code, receipt.version).path)
        } catch let problems as ProblemList {
            return try await confirmPage(req, error: "De inschrijving is nog niet compleet: " + problems.problems.map(\.message).joined(separator: "; "),
                                         status: .unprocessableEntity)
        } catch let abort as AbortError where abort.status == .conflict {
            return try await confirmPage(req, error: abort.reason, status: .conflict)
        }
    }

    func withdraw(req: Request) async throws -> Response {
        let tender = try await tender(req)
        guard try PostedForm(req).checked("confirm") else {
            return req.redirect(to: AppURL.bid(tender.code).path + "?melding=Vink%20aan%20dat%20u%20de%20inschrijving%20wilt%20intrekken.")
        }
        try await BidService.withdraw(tender: tender, on: req)
        return req.redirect(to: AppURL.bid(tender.code).path + "?melding=Uw%20inschrijving%20is%20ingetrokken.")
    }

    struct ReceiptData: Encodable {
        struct Doc: Encodable { var name: String; var sha256: String; var size: String }
        var tenderName: String
        var tenderCode: String
        var organisation: String
        var version: Int
        var submittedAt: String
        var submittedBy: String
        var digest: String
        var documents: [Doc]
        var withdrawnAt: String?
        var bidHref: String
    }

    func receipt(req: Request) async throws -> View {
        let tender = try await tender(req)
        let organisation = try BidService.organisation(of: req)
        guard let version = req.parameters.get("version", as: Int.self),
              let bid = try await BidService.bid(of: organisation, in: tender, on: req.db),
              let receipt = try await BidService.receipts(of: bid, on: req.db).first(where: { $0.version == version }) else {
            throw Abort(.notFound, reason: "Dit ontvangstbewijs bestaat niet.")
        }
        let names = Dictionary(try await BidService.documents(of: bid, tender: tender, app: req.application, on: req.db, includeRemoved: true)
            .map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        let data = ReceiptData(tenderName: tender.name, tenderCode: tender.code,
                               organisation: try await OrganisationRecord.find(organisation, on: req.db)?.name ?? "",
                               version: receipt.version, submittedAt: DutchTime.preciseDateTime(receipt.submittedAt), submittedBy: receipt.submittedBy,
                               digest: receipt.digest,
                               documents: receipt.documents.map { .init(name: names[$0.id] ?? "?", sha256: $0.sha256, size: Self.size($0.size)) },
                               withdrawnAt: receipt.withdrawnAt.map(DutchTime.preciseDateTime), bidHref: AppURL.bid(tender.code).path)
        return try await req.view.render("receipt", PageContext(req, title: "Ontvangstbewijs", data: data))
    }
}
