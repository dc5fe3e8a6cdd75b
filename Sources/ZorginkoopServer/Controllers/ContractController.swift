import Fluent
import Foundation
import Vapor
import ZorginkoopCore
import ZorginkoopInterop

/// The contract register: the list with its filters and exports, a page per contract with its
/// history and start proofs, and contracts of private tenders.
struct ContractController {
    func boot(_ routes: RoutesBuilder) {
        routes.on(.GET, "contracten", permission: .viewContracts, use: list)
        routes.on(.GET, "contracten", "export.csv", permission: .viewContracts, use: csv)
        routes.on(.GET, "contracten", "export.xlsx", permission: .viewContracts, use: xlsx)
        routes.on(.GET, "contracten", "nieuw", permission: .manageContracts, use: newForm)
        routes.on(.POST, "contracten", "nieuw", permission: .manageContracts, use: create)
        routes.on(.GET, "contracten", ":number", permission: .viewContracts, use: show)
        routes.on(.POST, "contracten", ":number", "bewijs", ":requirement", permission: .manageContracts, use: acceptProof)
    }

    static func viewer(_ user: AuthenticatedUser) -> ContractViewer {
        switch user.role {
        case .municipalityOfficial: .municipality(user.municipality ?? "")
        case .provider: .organisation(user.organisationID?.uuidString ?? "")
        default: .region
        }
    }

    static func query(_ req: Request) -> [String: String] {
        (try? req.query.decode([String: String].self)) ?? [:]
    }

    func list(req: Request) async throws -> View {
        let user = try req.auth.require(AuthenticatedUser.self)
        var filter = try ContractFilter.parse(Self.query(req))
        filter.notice = req.application.zorginkoop.notice
        let day = Amsterdam.day(of: req.now)
        let contracts = try await ContractStore.list(filter, for: Self.viewer(user), on: day, db: req.db).map(\.contract)
        let design = try await DesignStore.region(on: req.db).design
        let page = ContractRegisterPage(contracts, filter: filter, on: day, design: design, canCreate: Policy.allows(user.role, .manageContracts))
        return try await req.view.render("contracts", PageContext(req, title: "Contractregister", data: page))
    }

    func show(req: Request) async throws -> View {
        try await render(req, message: nil)
    }

    func csv(req: Request) async throws -> Response {
        Download.csv(try await sheet(req), filename: "contractregister.csv")
    }

    func xlsx(req: Request) async throws -> Response {
        Download.xlsx(try await sheet(req), filename: "contractregister.xlsx")
    }

    /// The register as the page shows it, with the same filter and visibility, one row per
    /// contract and municipality.
    private func sheet(_ req: Request) async throws -> Sheet {
        let user = try req.auth.require(AuthenticatedUser.self)
        var filter = try ContractFilter.parse(Self.query(req))
        filter.notice = req.application.zorginkoop.notice
        let day = Amsterdam.day(of: req.now)
        let contracts = try await ContractStore.list(filter, for: Self.viewer(user), on: day, db: req.db).map(\.contract)
        return ContractRegisterSheet.sheet(contracts, on: day, names: ContractNames(try await DesignStore.region(on: req.db).design), notice: filter.notice)
    }

    func render(_ req: Request, message: String?, status: HTTPStatus = .ok, form: PostedForm = PostedForm(values: [:]),
                errors: FieldErrors = FieldErrors()) async throws -> View {
        let user = try req.auth.require(AuthenticatedUser.self)
        let stored = try await ContractStore.find(try req.parameters.require("number"), for: Self.viewer(user), on: req.db)
        let design = try await DesignStore.region(on: req.db).design
        struct Data: Encodable { var contract: ContractPage; var message: String? }
        let requests = try await ContractChangeStore.requests(of: stored.id, on: req.db)
        let page = ContractPage(stored, on: Amsterdam.day(of: req.now), design: design, canManage: Policy.allows(user.role, .manageContracts),
                                notice: req.application.zorginkoop.notice, requests: requests, canRequest: ContractChangeController.mayRequest(user, stored.contract), form: form, errors: errors)
        return try await req.view.render("contract", PageContext(req, title: "Overeenkomst \(stored.contract.number)", data: Data(contract: page, message: message)))
    }

    /// An officer accepts an open start proof (the quality mark), after confirming it.
    func acceptProof(req: Request) async throws -> Response {
        let user = try req.auth.require(AuthenticatedUser.self)
        let number = try req.parameters.require("number")
        let requirement = try req.parameters.require("requirement")
        guard try PostedForm(req).checked("confirm") else {
            return try await render(req, message: "Bevestig dat u het bewijs hebt gecontroleerd en accepteert.", status: .unprocessableEntity)
                .encodeResponse(status: .unprocessableEntity, for: req)
        }
        let now = req.now
        do {
            try await req.audited("contract.proof.accepted") { db in
                let stored = try await ContractStore.find(number, for: .region, on: db)
                var contract = stored.contract
                try contract.acceptProof(requirement, on: Amsterdam.day(of: now), by: user.email)
                guard let proof = contract.proofs.first(where: { $0.requirement == requirement }) else { throw Abort(.notFound) }
                try await ContractStore.saveProof(proof, of: stored,
                                                  event: ContractEvent(kind: .proofAccepted, at: now, by: user.email,
                                                                       summary: "Bewijs voor \(proof.name) geaccepteerd; \(contract.startGate(on: Amsterdam.day(of: now)).dutch)"),
                                                  on: db)
                return ((), subject: number, details: ["requirement": requirement, "name": proof.name])
            }
        } catch let error as ContractError {
            return try await render(req, message: error.description, status: .conflict).encodeResponse(status: .conflict, for: req)
        }
        return req.redirect(to: AppURL.contract(number).path)
    }

    // MARK: Private tenders

    struct Field: Encodable {
        var key: String
        var label: String
        var value: String
        var type: String
        var hint: String?
        var error: String?
    }

    struct Group: Encodable {
        var key: String
        var legend: String
        var multiple: Bool
        var choices: [ContractRegisterPage.Choice]
        var error: String?
    }

    struct FormData: Encodable {
        var action: String
        var fields: [Field]
        var groups: [Group]
        var errors: FieldErrors
    }

    func newForm(req: Request) async throws -> View {
        try await renderForm(req, form: PostedForm(values: ["initialTermMonths": "12", "extensionMonths": "12", "maxExtensions": "0", "maxTotalMonths": "12"]),
                             errors: FieldErrors())
    }

    func renderForm(_ req: Request, form: PostedForm, errors: FieldErrors) async throws -> View {
        let design = try await DesignStore.region(on: req.db).design
        let organisations = try await OrganisationRecord.query(on: req.db).sort(\.$name).all()
        typealias Choice = ContractRegisterPage.Choice
        func field(_ key: String, _ label: String, type: String = "text", hint: String? = nil) -> Field {
            Field(key: key, label: label, value: form[key], type: type, hint: hint, error: errors[key])
        }
        let fields = [
            field("reference", "Kenmerk van de onderhandse aanbesteding", hint: "Zoals in het inkoopdossier, bijvoorbeeld OA-ZKH-2027."),
            field("title", "Naam van de overeenkomst"),
            field("start", "Ingangsdatum", hint: "dd-mm-jjjj"),
            field("initialTermMonths", "Eerste looptijd (maanden)", type: "number"),
            field("maxExtensions", "Aantal mogelijke verlengingen", type: "number"),
            field("extensionMonths", "Lengte van een verlenging (maanden)", type: "number"),
            field("maxTotalMonths", "Maximale looptijd inclusief verlengingen (maanden)", type: "number"),
        ]
        let groups = [
            Group(key: "segment", legend: "Segment", multiple: false,
                  choices: design.segments.map { Choice(value: $0.code, label: $0.name, selected: form["segment"] == $0.code) }
                      + [Choice(value: "ziekenhuiszorg", label: "Buiten het ontwerp: ziekenhuiszorg (P×Q)", selected: form["segment"] == "ziekenhuiszorg")],
                  error: errors["segment"]),
            Group(key: "subSegments", legend: "Deelsegmenten (bij een segment uit het ontwerp)", multiple: true,
                  choices: design.segments.flatMap(\.subSegments).map { Choice(value: "sub.\($0.code)", label: "\($0.name) (\($0.code))", selected: form.checked("sub.\($0.code)")) },
                  error: errors["subSegments"]),
            Group(key: "lead", legend: "Aanbieder", multiple: false,
                  choices: organisations.compactMap { o in o.id.map { Choice(value: $0.uuidString, label: o.name, selected: form["lead"] == $0.uuidString) } },
                  error: errors["lead"]),
            Group(key: "municipalities", legend: "Gemeenten", multiple: true,
                  choices: design.region.municipalities.map { Choice(value: "mun.\($0.code)", label: $0.name, selected: form.checked("mun.\($0.code)")) },
                  error: errors["municipalities"]),
        ]
        let data = FormData(action: AppURL.contractNew.path, fields: fields, groups: groups, errors: errors)
        return try await req.view.render("contract-new", PageContext(req, title: "Overeenkomst van een onderhandse aanbesteding", data: data))
    }

    func create(req: Request) async throws -> Response {
        let form = try PostedForm(req)
        let design = try await DesignStore.region(on: req.db).design
        let leadID = UUID(uuidString: form["lead"])
        let leadRecord = try await leadID.asyncMap { try await OrganisationRecord.find($0, on: req.db) } ?? nil
        let entry = PrivateTenderContract(
            reference: form.trimmed("reference"), title: form.trimmed("title"), segment: form.trimmed("segment"),
            subSegments: form.values.keys.filter { $0.hasPrefix("sub.") }.map { String($0.dropFirst(4)) }.sorted(),
            lead: ContractParty(role: .lead, organisation: leadRecord?.id?.uuidString, name: leadRecord?.name ?? "", kvkNumber: leadRecord?.kvkNumber),
            municipalities: design.region.municipalities.map(\.code).filter { form.checked("mun.\($0)") },
            start: CalendarDate(entered: form["start"]), initialTermMonths: Int(form.trimmed("initialTermMonths")),
            extensionMonths: Int(form.trimmed("extensionMonths")), maxExtensions: Int(form.trimmed("maxExtensions")),
            maxTotalMonths: Int(form.trimmed("maxTotalMonths")))
        let now = req.now
        let user = try req.auth.require(AuthenticatedUser.self)
        do {
            // Validated before the transaction too, so a wrong entry never takes the writer's lock.
            _ = try entry.contract(number: "OA-000", region: design.region, design: design.segments)
            let number = try await req.audited("contract.private-tender.created") { db in
                let number = try await ContractStore.nextPrivateTenderNumber(on: db)
                let contract = try entry.contract(number: number, region: design.region, design: design.segments)
                try await ContractStore.create(contract, tenderID: nil, at: now, by: user.email,
                                               event: ContractEvent(kind: .created, at: now, by: user.email,
                                                                    summary: "Overeenkomst ingevoerd uit onderhandse aanbesteding \(contract.tender)"),
                                               on: db)
                return (number, subject: number, details: ["reference": contract.tender, "provider": contract.lead?.name ?? "",
                                                           "municipalities": contract.municipalities.joined(separator: ", "),
                                                           "term": "\(contract.start.dutch) t/m \(contract.term.initialEnd.dutch), uiterlijk \(contract.term.maxEnd.dutch)"])
            }
            return req.redirect(to: AppURL.contract(number).path)
        } catch let problems as ProblemList {
            var errors = FieldErrors()
            for p in problems.problems { errors.add(p.path, p.message) }
            return try await renderForm(req, form: form, errors: errors).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}

/// The register under /api/v1: the same filters and visibility as the page; the start gate in
/// every contract, so that a payment system can refuse to pay while the gate is closed.
struct ContractAPIController {
    func boot(_ api: RoutesBuilder) {
        api.on(.GET, "contracts", permission: .viewContracts, use: list)
        api.on(.GET, "contracts", ":number", permission: .viewContracts, use: show)
    }

    func list(req: Request) async throws -> Response {
        let user = try req.auth.require(AuthenticatedUser.self)
        var filter: ContractFilter
        do { filter = try ContractFilter.parse(ContractController.query(req)) } catch {
            throw ValidationProblems(detail: "Het filter klopt niet.", problems: error.problems)
        }
        filter.notice = req.application.zorginkoop.notice
        let day = Amsterdam.day(of: req.now)
        let contracts = try await ContractStore.list(filter, for: ContractController.viewer(user), on: day, db: req.db)
        return ProcurementAPIController.json(contracts.map { ContractJSON($0.contract, on: day, notice: filter.notice) })
    }

    func show(req: Request) async throws -> Response {
        let user = try req.auth.require(AuthenticatedUser.self)
        let stored = try await ContractStore.find(try req.parameters.require("number"), for: ContractController.viewer(user), on: req.db)
        return ProcurementAPIController.json(ContractJSON(stored.contract, on: Amsterdam.day(of: req.now), notice: req.application.zorginkoop.notice))
    }
}

/// The public list of contracted providers per segment and municipality: no login, as the region
/// publishes it on its website.
struct PublicRegisterController {
    func boot(_ routes: RoutesBuilder) {
        routes.get("gecontracteerd", use: page)
        routes.get("gecontracteerd.json", use: json)
        routes.get("gecontracteerd.csv", use: csv)
    }

    struct Row: Encodable {
        var segment: String
        var municipality: String
        var provider: String
        var kvk: String
        var role: String
        var subSegments: String
        var until: String
    }

    static func entries(_ req: Request) async throws -> ([PublicRegisterEntry], ContractNames) {
        let day = Amsterdam.day(of: req.now)
        let contracts = try await ContractStore.all(on: req.db).map(\.contract)
        let names = ContractNames(try await DesignStore.region(on: req.db).design)
        return (PublicRegisterEntry.entries(contracts, on: day), names)
    }

    func page(req: Request) async throws -> View {
        let (entries, names) = try await Self.entries(req)
        let rows = entries.map {
            Row(segment: names.segment($0.segment), municipality: names.municipality($0.municipality), provider: $0.provider, kvk: $0.kvkNumber ?? "–",
                role: $0.role.dutch, subSegments: $0.subSegments.map(names.subSegment).joined(separator: ", "), until: $0.end.dutch)
        }
        struct Data: Encodable { var rows: [Row]; var csvHref: String; var jsonHref: String }
        return try await req.view.render("public-register", PageContext(req, title: "Gecontracteerde aanbieders", data: Data(
            rows: rows, csvHref: AppURL.publicRegisterCSV.path, jsonHref: AppURL.publicRegisterJSON.path)))
    }

    func csv(req: Request) async throws -> Response {
        let (entries, names) = try await Self.entries(req)
        return Download.csv(ContractRegisterSheet.publicSheet(entries, names: names), filename: "gecontracteerde-aanbieders.csv")
    }

    func json(req: Request) async throws -> Response {
        struct Entry: Encodable {
            var segment: String
            var segmentName: String
            var municipality: String
            var municipalityName: String
            var provider: String
            var kvkNumber: String?
            var role: String
            var subSegments: [String]
            var start: String
            var end: String
        }
        let (entries, names) = try await Self.entries(req)
        return ProcurementAPIController.json(entries.map {
            Entry(segment: $0.segment, segmentName: names.segment($0.segment), municipality: $0.municipality,
                  municipalityName: names.municipality($0.municipality), provider: $0.provider, kvkNumber: $0.kvkNumber,
                  role: $0.role.rawValue, subSegments: $0.subSegments, start: $0.start.description, end: $0.end.description)
        })
    }
}
