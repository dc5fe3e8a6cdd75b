import Fluent
import Foundation
import Vapor
import ZorginkoopCore

struct DesignController {
    func boot(_ routes: RoutesBuilder) {
        routes.on(.GET, "ontwerpen", permission: .viewDesigns, use: list)
        routes.on(.GET, "ontwerpen", ":code", permission: .viewDesigns, use: show)
        routes.on(.POST, "ontwerpen", ":code", "kopie", permission: .editDesigns, use: copy)
        routes.on(.GET, "ontwerpen", ":code", "bewerken", permission: .editDesigns, use: editForm)
        routes.on(.POST, "ontwerpen", ":code", "bewerken", permission: .editDesigns, use: save)
    }

    struct ListRow: Encodable {
        var code: String
        var name: String
        var status: String
        var basedOn: String
        var updatedAt: String
        var href: String
    }

    struct ListData: Encodable {
        var designs: [ListRow]
    }

    func list(req: Request) async throws -> View {
        let rows = try await DesignStore.all(on: req.db).map { d in
            ListRow(code: d.code, name: d.design.name, status: d.status.dutchName, basedOn: d.basedOn ?? "–",
                    updatedAt: d.updatedAt.map(DutchTime.dateTime) ?? "–", href: AppURL.design(d.code).path)
        }
        return try await req.view.render("designs", PageContext(req, title: "Inkoopontwerpen", data: ListData(designs: rows)))
    }

    struct ShowData: Encodable {
        var design: DesignView
        var status: String
        var isDraft: Bool
        var canEdit: Bool
        var copyAction: String
        var editHref: String
        var saved: Bool
    }

    func show(req: Request) async throws -> View {
        let code = try req.parameters.require("code")
        let (_, stored) = try await DesignStore.find(code, on: req.db)
        let canEdit = req.auth.get(AuthenticatedUser.self).map { Policy.allows($0.role, .editDesigns) } ?? false
        let data = ShowData(design: DesignView(stored.design), status: stored.status.dutchName, isDraft: stored.status == .draft,
                            canEdit: canEdit, copyAction: AppURL.designCopy(code).path, editHref: AppURL.designEdit(code).path,
                            saved: req.query[String.self, at: "opgeslagen"] != nil)
        return try await req.view.render("design", PageContext(req, title: stored.design.name, data: data))
    }

    func copy(req: Request) async throws -> Response {
        let (_, source) = try await DesignStore.find(try req.parameters.require("code"), on: req.db)
        let copy = try await DesignStore.copy(source, on: req)
        return req.redirect(to: AppURL.designEdit(copy.code).path)
    }

    func editForm(req: Request) async throws -> Response {
        let (_, stored) = try await DesignStore.find(try req.parameters.require("code"), on: req.db)
        guard stored.status == .draft else { return req.redirect(to: AppURL.design(stored.code).path) }
        return try await renderEdit(req, design: stored.design, values: DesignEditForm.values(of: stored.design), errors: [:], status: .ok)
    }

    func save(req: Request) async throws -> Response {
        let (record, stored) = try await DesignStore.find(try req.parameters.require("code"), on: req.db)
        guard stored.status == .draft else {
            throw Abort(.conflict, reason: "Alleen een concept kan worden gewijzigd; maak eerst een kopie.")
        }
        let form = try req.content.decode(DesignEditForm.self)
        let values = form.fields
        let (changed, inputErrors) = form.apply(to: stored.design)
        var errors = inputErrors
        if errors.isEmpty {
            for problem in changed.validate() {
                let key = DesignEditForm.fieldKey(for: problem.path, in: changed) ?? "algemeen"
                errors[key, default: ""] += (errors[key] == nil ? "" : " ") + problem.message.capitalisedFirst + "."
            }
        }
        guard errors.isEmpty else {
            return try await renderEdit(req, design: stored.design, values: values, errors: errors, status: .unprocessableEntity)
        }
        let changes = stored.design.changes(to: changed)
        if !changes.isEmpty {
            try await DesignStore.save(changed, over: record, changes: changes, on: req)
        }
        return req.redirect(to: AppURL.design(stored.code).path + "?opgeslagen=1")
    }

    func renderEdit(_ req: Request, design: Design, values: [String: String], errors: [String: String], status: HTTPStatus) async throws -> Response {
        let data = DesignEditView(design: design, values: values, errors: errors, action: AppURL.designEdit(design.code).path,
                                  cancel: AppURL.design(design.code).path)
        return try await req.view.render("design-edit", PageContext(req, title: "Concept bewerken: \(design.name)", data: data))
            .encodeResponse(status: status, for: req)
    }
}

extension String {
    var capitalisedFirst: String { prefix(1).uppercased() + dropFirst() }
}
