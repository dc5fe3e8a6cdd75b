import Fluent
import Foundation
import Vapor
import ZorginkoopCore

/// Changes of a contract after the award: a provider asks to add or remove a subcontractor, an
/// officer approves or refuses; an officer changes capacity. Each change is a numbered amendment.
struct ContractChangeController {
    func boot(_ routes: RoutesBuilder) {
        routes.on(.POST, "contracten", ":number", "onderaannemers", permission: .requestContractChanges, use: request)
        routes.on(.POST, "contracten", ":number", "onderaannemers", ":request", permission: .manageContracts, use: decide)
        routes.on(.POST, "contracten", ":number", "capaciteit", permission: .manageContracts, use: capacity)
        routes.on(.POST, "contracten", ":number", "gemeenten", permission: .manageContracts, use: municipality)
    }

    /// Only the lead signs for the contract, so only the lead's organisation asks for changes.
    static func mayRequest(_ user: AuthenticatedUser, _ contract: RegisteredContract) -> Bool {
        Policy.allows(user.role, .requestContractChanges) && contract.lead?.organisation == user.organisationID?.uuidString && contract.terminatedOn == nil
    }

    private func refused(_ req: Request, _ error: ContractChangeError, form: PostedForm) async throws -> Response {
        var errors = FieldErrors()
        if case let .problems(list) = error { for p in list { errors.add(p.path, p.message) } }
        let status: HTTPStatus = if case .problems = error { .unprocessableEntity } else { .conflict }
        return try await ContractController().render(req, message: error.description, status: status, form: form, errors: errors)
            .encodeResponse(status: status, for: req)
    }

    func request(req: Request) async throws -> Response {
        let user = try req.auth.require(AuthenticatedUser.self)
        let number = try req.parameters.require("number")
        let form = try PostedForm(req)
        let stored = try await ContractStore.find(number, for: ContractController.viewer(user), on: req.db)
        guard Self.mayRequest(user, stored.contract) else {
            throw Abort(.forbidden, reason: "Alleen de hoofdaannemer vraagt wijzigingen van deze overeenkomst aan.")
        }
        guard let kind = SubcontractorRequest.Kind(rawValue: form["kind"]) else {
            return try await refused(req, .problems([Problem("kind", "kies toevoegen of verwijderen")]), form: form)
        }
        let now = req.now
        do {
            try await req.audited("contract.subcontractor.requested") { db in
                let current = try await ContractStore.find(number, for: .region, on: db)
                let next = (try await ContractChangeStore.requests(of: current.id, on: db).map(\.number).max() ?? 0) + 1
                let request = try current.contract.requestSubcontractor(kind, name: form["name"], kvkNumber: form["kvkNumber"], reason: form["reason"],
                                                                        number: next, by: user.email, at: now)
                try await ContractChangeStore.save(request, of: current.id, on: db)
                return ((), subject: number, details: ["request": String(next), "kind": kind.rawValue, "kvk": request.kvkNumber, "name": request.name])
            }
        } catch let error as ContractChangeError {
            return try await refused(req, error, form: form)
        }
        return req.redirect(to: AppURL.contract(number).path)
    }

    func decide(req: Request) async throws -> Response {
        let user = try req.auth.require(AuthenticatedUser.self)
        let number = try req.parameters.require("number")
        guard let requestNumber = req.parameters.get("request", as: Int.self) else { throw Abort(.notFound) }
        let form = try PostedForm(req)
        let approve = form["decision"] == "approve"
        guard approve || form["decision"] == "refuse" else {
            return try await refused(req, .problems([Problem("decision-\(requestNumber)", "kies goedkeuren of afwijzen")]), form: form)
        }
        guard form.checked("confirm") else {
            return try await refused(req, .problems([Problem("decision-\(requestNumber)", "bevestig het besluit; het kan niet worden teruggedraaid")]), form: form)
        }
        let now = req.now
        do {
            try await req.audited("contract.subcontractor.decided") { db in
                let current = try await ContractStore.find(number, for: .region, on: db)
                guard let request = try await ContractChangeStore.requests(of: current.id, on: db).first(where: { $0.number == requestNumber }) else {
                    throw ContractChangeError.unknownRequest(requestNumber)
                }
                var contract = current.contract
                let (decided, amendment) = try contract.decide(request, approve: approve, reason: form["decisionReason"],
                                                               amendment: RegisteredContract.nextAmendment(after: current.events), by: user.email, at: now)
                try await ContractChangeStore.save(decided, of: current.id, on: db)
                if let amendment {
                    try await ContractStore.writeParties(contract, id: current.id, on: db)
                    try await ContractStore.append(amendment.event, to: current.id, on: db)
                }
                var details = ["request": String(requestNumber), "state": decided.state.rawValue, "reason": decided.decisionReason]
                if let amendment { details["amendment"] = String(amendment.number) }
                return ((), subject: number, details: details)
            }
        } catch let error as ContractChangeError {
            return try await refused(req, error, form: form)
        }
        return req.redirect(to: AppURL.contract(number).path)
    }

    func capacity(req: Request) async throws -> Response {
        let user = try req.auth.require(AuthenticatedUser.self)
        let number = try req.parameters.require("number")
        let form = try PostedForm(req)
        let now = req.now
        do {
            try await req.audited("contract.amended") { db in
                let current = try await ContractStore.find(number, for: .region, on: db)
                var contract = current.contract
                let amendment = try contract.changeCapacity(subSegment: form["subSegment"], municipality: form["municipality"],
                                                            places: Int(form.trimmed("places")), reason: form["reason"],
                                                            amendment: RegisteredContract.nextAmendment(after: current.events), by: user.email, at: now)
                try await ContractChangeStore.writeCapacity(subSegment: form["subSegment"], municipality: form["municipality"],
                                                            places: contract.capacity[form["subSegment"]]?[form["municipality"]] ?? 0, id: current.id, on: db)
                try await ContractStore.append(amendment.event, to: current.id, on: db)
                return ((), subject: number, details: ["amendment": String(amendment.number), "change": amendment.summary, "reason": amendment.reason])
            }
        } catch let error as ContractChangeError {
            return try await refused(req, error, form: form)
        }
        return req.redirect(to: AppURL.contract(number).path)
    }

    func municipality(req: Request) async throws -> Response {
        let user = try req.auth.require(AuthenticatedUser.self)
        let number = try req.parameters.require("number")
        let form = try PostedForm(req)
        guard form["change"] == "join" || form["change"] == "leave" else {
            return try await refused(req, .problems([Problem("change", "kies toevoegen of eerder beëindigen")]), form: form)
        }
        let region = try await DesignStore.region(on: req.db).design.region.municipalities.map(\.code)
        let now = req.now
        do {
            try await req.audited("contract.amended") { db in
                let current = try await ContractStore.find(number, for: .region, on: db)
                var contract = current.contract
                let amendment = try contract.changeMunicipality(join: form["change"] == "join", municipality: form["municipality"], region: region,
                                                                endOn: CalendarDate(entered: form["endOn"]), on: Amsterdam.day(of: now), reason: form["reason"],
                                                                amendment: RegisteredContract.nextAmendment(after: current.events), by: user.email, at: now)
                try await ContractStore.writeTerms(contract, id: current.id, on: db)
                try await ContractStore.append(amendment.event, to: current.id, on: db)
                return ((), subject: number, details: ["amendment": String(amendment.number), "change": amendment.summary, "reason": amendment.reason])
            }
        } catch let error as ContractChangeError {
            return try await refused(req, error, form: form)
        }
        return req.redirect(to: AppURL.contract(number).path)
    }
}
