import Foundation
import Vapor
import ZorginkoopCore

/// Tender documents in the browser: officers attach and replace them (after publication only as a
/// correction), everyone who may see the tender downloads every version with its SHA-256. The
/// list and the forms stand on the tender page (`TenderController.show`).
struct TenderDocumentController {
    func boot(_ routes: RoutesBuilder) {
        routes.on(.POST, "aanbestedingen", ":code", "documenten", permission: .manageTenders, body: .stream, use: upload)
        routes.on(.POST, "aanbestedingen", ":code", "documenten", ":number", "vervangen", permission: .manageTenders, body: .stream, use: upload)
        routes.on(.GET, "aanbestedingen", ":code", "documenten", ":number", "versies", ":version", permission: .viewTenders, use: download)
    }

    func tender(_ req: Request) async throws -> LoadedTender {
        try await TenderStore.find(try req.parameters.require("code"), for: req.auth.get(AuthenticatedUser.self), at: req.now, on: req.db)
    }

    /// A new document, or (with a number in the path) a new version of one; streamed like a bid document.
    func upload(req: Request) async throws -> Response {
        let tender = try await tender(req)
        let number = req.parameters.get("number").map { Int($0) ?? -1 }
        let stream = try MultipartFileStream.of(req)
        defer { stream.body.discardRest() }
        let (fields, filename, file) = try await stream.fieldsAndFile()
        try req.verifyStreamedFormToken(fields[CSRFMiddleware.field])
        let form = TenderDocumentService.Upload(document: number, title: fields["title"] ?? "", kind: fields["kind"] ?? "",
                                                reason: fields["reason"] ?? "", confirmed: fields["confirm"] != nil)
        do {
            let stored = try await TenderDocumentService.store(tender, form, filename: filename, bytes: file, on: req)
            return req.redirect(to: AppURL.tender(tender.code).path + "?melding=" + Self.stored(stored).addingPercentEncoding(withAllowedCharacters: .alphanumerics)! + "#documenten")
        } catch let refused as TenderDocumentService.Refused {
            return try await TenderController().show(req, error: nil, status: refused.status,
                                                     documentForm: .init(target: number, values: fields, field: refused.field, message: refused.message))
        }
    }

    static func stored(_ s: StoredTenderDocument) -> String {
        "Document \(s.document) versie \(s.version) opgeslagen" + (s.correction.map { " als rectificatie \($0); alle inschrijvers zijn op de hoogte gebracht" } ?? "")
            + " (SHA-256 \(s.sha256))."
    }

    func download(req: Request) async throws -> Response {
        let tender = try await tender(req)
        guard let number = req.parameters.get("number", as: Int.self), let version = req.parameters.get("version", as: Int.self) else { throw Abort(.notFound) }
        let (_, found) = try await TenderDocumentService.version(tender, number: number, version: version, on: req.db)
        return try TenderDocumentService.response(tender, found, on: req)
    }
}

extension MultipartFileStream {
    /// The streamed multipart form of a request, or a refusal when it is none.
    static func of(_ req: Request) throws -> MultipartFileStream {
        guard let boundary = req.headers.contentType?.parameters["boundary"], req.headers.contentType?.subType == "form-data" else {
            throw Abort(.unsupportedMediaType, reason: "Stuur het bestand als formulier (multipart/form-data).")
        }
        return MultipartFileStream(boundary: boundary, body: StreamedBody(req.body))
    }
}

/// What the documents form sent, when it is shown again with its refusal next to the field.
struct TenderDocumentForm: Sendable {
    /// The document being replaced; nil for the form that adds one.
    var target: Int?
    var values: [String: String]
    var field: String
    var message: String
}

/// The "Documenten" section of the tender page, built from the documents alone.
struct TenderDocumentsSection: Encodable {
    struct VersionRow: Encodable {
        var version: Int
        var filename: String
        var size: String
        var date: String
        var sha256: String
        var href: String
        var correction: String?
    }

    struct Errors: Encodable {
        var title: String?
        var kind: String?
        var file: String?
        var reason: String?
        var confirm: String?

        init(_ form: TenderDocumentForm?, target: Int?) {
            guard let form, form.target == target else { return }
            switch form.field {
            case "title": title = form.message
            case "kind": kind = form.message
            case "reason": reason = form.message
            case "confirm": confirm = form.message
            default: file = form.message
            }
        }
    }

    struct Row: Encodable {
        var number: Int
        var title: String
        var kind: String
        var current: VersionRow
        var older: [VersionRow]
        var replaceAction: String
        var reason: String
        var errors: Errors
    }

    struct KindOption: Encodable {
        var value: String
        var label: String
        var selected: Bool
    }

    var rows: [Row]
    var canManage: Bool
    /// After publication: a change is a correction, with a reason and a confirmation.
    var correction: Bool
    var closed: Bool
    var uploadAction: String
    var kinds: [KindOption]
    var title: String
    var reason: String
    var errors: Errors
    var limitMB: Int

    init(code: String, documents: [TenderDocumentInfo], canManage: Bool, stage: TenderDocumentChange.Stage, form: TenderDocumentForm?) {
        func row(_ number: Int, _ v: TenderDocumentVersionInfo) -> VersionRow {
            VersionRow(version: v.version, filename: v.filename, size: BidController.size(v.size), date: DutchTime.dateTime(v.uploadedAt), sha256: v.sha256,
                       href: AppURL.tenderDocument(code, number, v.version).path,
                       correction: v.correction.map { "rectificatie \($0): \(v.reason ?? "")" })
        }
        rows = documents.map { d in
            Row(number: d.number, title: d.title, kind: d.kind.dutchName, current: row(d.number, d.current), older: d.versions.dropFirst().map { row(d.number, $0) },
                replaceAction: AppURL.tenderDocumentReplace(code, d.number).path,
                reason: form?.target == d.number ? form?.values["reason"] ?? "" : "", errors: Errors(form, target: d.number))
        }
        self.canManage = canManage && stage != .closed
        correction = stage == .published
        closed = stage == .closed
        uploadAction = AppURL.tenderDocuments(code).path
        let newForm = form?.target == nil ? form : nil
        kinds = TenderDocumentKind.allCases.map {
            KindOption(value: $0.rawValue, label: $0.dutchName, selected: newForm?.values["kind"] == $0.rawValue)
        }
        title = newForm?.values["title"] ?? ""
        reason = newForm?.values["reason"] ?? ""
        errors = Errors(form, target: nil)
        limitMB = TenderDocumentRules.maximumSize / 1024 / 1024
    }
}
