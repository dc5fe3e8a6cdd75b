import Fluent
import Foundation
import Vapor
import ZorginkoopCore

/// The vault: its state, the two officers' confirmations, and the opened bids.
struct VaultController {
    func boot(_ routes: RoutesBuilder) {
        routes.on(.GET, "aanbestedingen", ":code", "kluis", permission: .readOpenedBids, use: page)
        routes.on(.POST, "aanbestedingen", ":code", "kluis", "openen", permission: .openVault, use: confirm)
        routes.on(.GET, "aanbestedingen", ":code", "kluis", "documenten", ":id", permission: .readOpenedBids, use: document)
    }

    struct BidRow: Encodable {
        struct Doc: Encodable { var name: String; var purpose: String; var sha256: String; var href: String }
        var organisation: String
        var version: Int
        var submittedAt: String
        var digest: String
        var intact: Bool
        var subSegments: String
        var serves: String
        var form: String
        var documents: [Doc]
    }

    struct PageData: Encodable {
        var tenderName: String
        var tenderHref: String
        var phase: String
        var sealed: Bool
        var canConfirm: Bool
        var openingTime: String
        var pending: String?
        var action: String
        var bids: [BidRow]
        var submittedCount: Int
        var message: String?
    }

    func page(req: Request) async throws -> Response {
        try await page(req, message: req.query[String.self, at: "melding"], status: .ok)
    }

    func page(_ req: Request, message: String?, status: HTTPStatus) async throws -> Response {
        let user = try req.auth.require(AuthenticatedUser.self)
        let tender = try await TenderStore.find(try req.parameters.require("code"), for: user, at: req.now, on: req.db)
        let state = try await VaultService.status(tender, on: req)
        let opened = tender.openedAt != nil ? try await VaultService.readOpened(tender, on: req) : []
        let design = tender.scope.design
        let submitted = try await BidRecord.query(on: req.db).filter(\.$tender.$id == tender.id).filter(\.$status == "submitted").count()
        let data = PageData(
            tenderName: tender.name, tenderHref: AppURL.tender(tender.code).path, phase: state.phase.dutchName, sealed: tender.openedAt == nil,
            canConfirm: state.phase == .closed && req.now >= tender.timeline.opening && Policy.allows(user.role, .openVault),
            openingTime: DutchTime.dateTime(tender.timeline.opening),
            pending: state.pending.map { "\($0.officer) bevestigde om \(DutchTime.dateTime($0.at)); een tweede inkoper kan bevestigen tot \(DutchTime.dateTime(state.until!))." },
            action: AppURL.vaultConfirm(tender.code).path,
            bids: opened.map { b in
                let area: String = switch b.content.serves {
                case .all: "Hele regio"
                case let .only(list, justification): list.compactMap { design.municipality($0)?.name }.joined(separator: ", ") + " (motivering: \(justification))"
                }
                return BidRow(organisation: b.organisation, version: b.version, submittedAt: DutchTime.preciseDateTime(b.submittedAt),
                              digest: b.digest, intact: b.intact,
                              subSegments: design.subSegments.filter { b.content.subSegments.contains($0.code) }.map(\.name).joined(separator: ", "),
                              serves: area, form: b.content.form.dutchName + (b.content.form.partners.isEmpty ? "" : ": " + b.content.form.partners.map(\.name).joined(separator: ", ")),
                              documents: b.documents.map { .init(name: $0.name, purpose: BidController.purposeName($0.purpose, design: design), sha256: $0.sha256,
                                                                 href: AppURL.openedDocument(tender.code, $0.id).path) })
            },
            submittedCount: submitted, message: message)
        return try await req.view.render("vault", PageContext(req, title: "Kluis: \(tender.name)", data: data)).encodeResponse(status: status, for: req)
    }

    func confirm(req: Request) async throws -> Response {
        let user = req.auth.get(AuthenticatedUser.self)
        let tender = try await TenderStore.find(try req.parameters.require("code"), for: user, at: req.now, on: req.db)
        guard try PostedForm(req).checked("confirm") else {
            return try await page(req, message: "Vink aan dat u de opening bevestigt.", status: .unprocessableEntity)
        }
        do {
            let decision = try await VaultService.confirm(tender, on: req)
            let message = if case .open = decision { "De kluis is geopend." } else { "Uw bevestiging is vastgelegd. Een tweede inkoper moet binnen 10 minuten bevestigen." }
            return req.redirect(to: AppURL.vault(tender.code).path + "?melding=" + message.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
        } catch let abort as AbortError where abort.status == .conflict {
            return try await page(req, message: abort.reason, status: .conflict)
        }
    }

    func document(req: Request) async throws -> Response {
        let user = req.auth.get(AuthenticatedUser.self)
        let tender = try await TenderStore.find(try req.parameters.require("code"), for: user, at: req.now, on: req.db)
        return try await VaultService.openedDocument(req.parameters.get("id", as: UUID.self), of: tender, on: req)
    }
}
