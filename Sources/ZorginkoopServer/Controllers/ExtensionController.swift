import Fluent
import Foundation
import Vapor
import ZorginkoopCore

/// Extension rounds (the lead's advice, each municipality's intention and decision) and the
/// coverage of capacity per tender.
struct ExtensionController {
    func boot(_ routes: RoutesBuilder) {
        routes.on(.GET, "verlengingen", permission: .viewExtensions, use: overview)
        routes.on(.GET, "verlengingen", ":tender", ":segment", ":end", permission: .viewExtensions, use: show)
        routes.on(.POST, "verlengingen", ":tender", ":segment", ":end", "advies", permission: .adviseExtensions, use: advise)
        routes.on(.POST, "verlengingen", ":tender", ":segment", ":end", "voornemen", permission: .decideExtensions, use: intend)
        routes.on(.POST, "verlengingen", ":tender", ":segment", ":end", "besluit", permission: .decideExtensions, use: decide)
        routes.on(.GET, "aanbestedingen", ":code", "dekking", permission: .viewExtensions, use: coverage)
    }

    static func viewer(_ user: AuthenticatedUser) -> RoundViewer {
        switch user.role {
        case .procurementOfficer: .lead
        case .municipalityOfficial: .municipality(user.municipality ?? "")
        default: .reader
        }
    }

    /// Rounds are decided on the region's contracts; what a viewer sees of them is `RoundViewer`'s.
    static func dueRounds(_ req: Request, from day: CalendarDate) async throws -> [ExtensionRound] {
        let stored = try await ContractStore.all(on: req.db)
        return try await ExtensionStore.rounds(stored, from: day, notice: req.application.zorginkoop.notice, on: req.db).map(\.round)
    }

    func overview(req: Request) async throws -> View {
        let user = try req.auth.require(AuthenticatedUser.self)
        let day = Amsterdam.day(of: req.now)
        let names = ContractNames(try await DesignStore.region(on: req.db).design)
        let page = ExtensionOverviewPage(try await Self.dueRounds(req, from: day), for: Self.viewer(user), on: day, names: names,
                                         notice: req.application.zorginkoop.notice)
        return try await req.view.render("extensions", PageContext(req, title: "Verlengingen", data: page))
    }

    struct Key {
        var tender: String
        var segment: String
        var end: CalendarDate

        init(_ req: Request) throws {
            tender = try req.parameters.require("tender")
            segment = try req.parameters.require("segment")
            guard let end = CalendarDate(iso: try req.parameters.require("end")) else {
                throw Abort(.notFound, reason: "Geen geldige einddatum in het adres.")
            }
            self.end = end
        }

        /// The round with the register it was read from, in the caller's transaction.
        func round(on db: Database, notice: NoticePolicy) async throws -> (StoredRound, [StoredContract]) {
            let stored = try await ContractStore.all(on: db)
            return (try await ExtensionStore.round(tender, segment, end, stored, notice: notice, on: db), stored)
        }
    }

    /// What an official's intention and decision forms send: a contract, a choice, and the
    /// official's own municipality (never one from the form).
    struct MunicipalChoice {
        var user: AuthenticatedUser
        var key: Key
        var form: PostedForm
        var contract: String
        var municipality: String
        var choice: ExtensionChoice?

        init(_ req: Request) throws {
            user = try req.auth.require(AuthenticatedUser.self)
            key = try Key(req)
            form = try PostedForm(req)
            contract = form.trimmed("contract")
            municipality = user.municipality ?? ""
            choice = ExtensionChoice(rawValue: form["choice"])
        }

        /// The field its messages stand next to: the contract's and municipality's form.
        var field: String { "\(contract)-\(municipality)" }
    }

    func show(req: Request) async throws -> View {
        try await render(req)
    }

    func render(_ req: Request, form: PostedForm = PostedForm(values: [:]), errors: FieldErrors = FieldErrors(), message: String? = nil) async throws -> View {
        let user = try req.auth.require(AuthenticatedUser.self)
        let key = try Key(req)
        let (round, stored) = try await key.round(on: req.db, notice: req.application.zorginkoop.notice)
        let viewer = Self.viewer(user)
        if let own = viewer.municipality, !round.round.items.contains(where: { $0.municipality == own }) {
            throw Abort(.notFound, reason: "Uw gemeente heeft in deze verlengingsronde geen overeenkomst.")
        }
        let scope = try? await TenderStore.find(key.tender, for: user, at: req.now, on: req.db).scope
        let events = Dictionary(uniqueKeysWithValues: stored.map { ($0.contract.number, $0.events) })
        let others = stored.map(\.contract).filter { $0.tender == key.tender && $0.segment != key.segment }
        let design = try await DesignStore.region(on: req.db).design
        let day = Amsterdam.day(of: req.now)
        let reports = try await KPIStore.all(on: req.db, contracts: stored.filter { round.contractIDs[$0.contract.number] != nil })
        let kpis = Dictionary(uniqueKeysWithValues: round.round.contracts.map { c in
            (c.number, design.kpis(for: c.segment).map { KPISeries(contract: c, kpi: $0, reports: reports, on: day).summary }.joined(separator: "; "))
        })
        let page = ExtensionRoundPage(round.round, events: events, kpis: kpis, scope: scope, otherContracts: others, for: viewer, on: day,
                                      names: ContractNames(design), form: form, errors: errors, message: message)
        return try await req.view.render("extension-round", PageContext(req, title: page.title, data: page))
    }

    private func refused(_ req: Request, form: PostedForm, field: String, _ message: String, status: HTTPStatus) async throws -> Response {
        var errors = FieldErrors()
        errors.add(field, message)
        return try await render(req, form: form, errors: errors, message: message).encodeResponse(status: status, for: req)
    }

    private func back(_ req: Request, _ key: Key) -> Response {
        req.redirect(to: AppURL.extensionRound(key.tender, key.segment, key.end.description).path)
    }

    /// The lead's advice, or its adjustment after the intentions.
    func advise(req: Request) async throws -> Response {
        let user = try req.auth.require(AuthenticatedUser.self)
        let key = try Key(req)
        let form = try PostedForm(req)
        guard let recommendation = ExtensionChoice(rawValue: form["recommendation"]) else {
            return try await refused(req, form: form, field: "adviceText", "Kies of het advies verlengen of niet verlengen is.", status: .unprocessableEntity)
        }
        let now = req.now
        let notice = req.application.zorginkoop.notice
        do {
            try await req.audited("extension.advice") { db in
                let (round, _) = try await key.round(on: db, notice: notice)
                let advice = try round.round.advise(recommendation, text: form["adviceText"], by: user.email, at: now)
                try await ExtensionStore.save(advice, of: round.round, on: db)
                return ((), subject: "\(key.tender)/\(key.segment)/\(key.end)",
                        details: ["version": String(advice.version), "recommendation": advice.recommendation.rawValue, "text": advice.text])
            }
        } catch let error as ExtensionRoundError {
            return try await refused(req, form: form, field: "adviceText", error.description, status: error.status)
        }
        return back(req, key)
    }

    /// A municipality's intention for one of its contracts.
    func intend(req: Request) async throws -> Response {
        let c = try MunicipalChoice(req)
        guard let choice = c.choice else {
            return try await refused(req, form: c.form, field: c.field, Self.noChoice, status: .unprocessableEntity)
        }
        let now = req.now
        let notice = req.application.zorginkoop.notice
        do {
            try await req.audited("extension.intention") { db in
                let (round, _) = try await c.key.round(on: db, notice: notice)
                let intention = try round.round.intend(choice, contract: c.contract, municipality: c.municipality, note: c.form["note"],
                                                       by: c.user.email, at: now)
                try await ExtensionStore.save(intention, in: round, on: db)
                return ((), subject: c.contract, details: ["municipality": c.municipality, "termEnd": c.key.end.description,
                                                           "choice": choice.rawValue, "note": intention.note])
            }
        } catch let error as ExtensionRoundError {
            return try await refused(req, form: c.form, field: c.field, error.description, status: error.status)
        }
        return back(req, c.key)
    }

    /// A municipality's decision: after confirming it, since it cannot be undone.
    func decide(req: Request) async throws -> Response {
        let c = try MunicipalChoice(req)
        guard let choice = c.choice else {
            return try await refused(req, form: c.form, field: c.field, Self.noChoice, status: .unprocessableEntity)
        }
        guard c.form.checked("confirm") else {
            return try await refused(req, form: c.form, field: c.field, "Bevestig dat dit het besluit van uw college is; het kan niet worden teruggedraaid.",
                                     status: .unprocessableEntity)
        }
        let now = req.now
        let notice = req.application.zorginkoop.notice
        do {
            try await req.audited("extension.decision") { db in
                let (round, stored) = try await c.key.round(on: db, notice: notice)
                let (decision, extended) = try round.round.decide(choice, contract: c.contract, municipality: c.municipality, on: Amsterdam.day(of: now),
                                                                  reason: c.form["reason"], by: c.user.email, at: now)
                guard let target = stored.first(where: { $0.contract.number == c.contract }) else { throw Abort(.notFound) }
                try await ExtensionStore.save(decision, extended: extended, in: round, contract: target, on: db)
                var details = ["municipality": c.municipality, "termEnd": c.key.end.description, "choice": choice.rawValue, "reason": decision.reason]
                if let extended { details["newEnd"] = extended.end.description }
                return ((), subject: c.contract, details: details)
            }
        } catch let error as ExtensionRoundError {
            return try await refused(req, form: c.form, field: c.field, error.description, status: error.status)
        }
        return back(req, c.key)
    }

    static let noChoice = "Kies verlengen of niet verlengen."

    func coverage(req: Request) async throws -> View {
        let user = try req.auth.require(AuthenticatedUser.self)
        let tender = try await TenderStore.find(try req.parameters.require("code"), for: user, at: req.now, on: req.db)
        let day = try Self.day(req)
        let contracts = try await ContractStore.all(on: req.db, tender: tender.id).map(\.contract)
        let coverage = Coverage(scope: tender.scope, tender: tender.code, contracts: contracts, on: day)
        let page = CoveragePage(coverage, tenderName: tender.name, for: Self.viewer(user), canCallUp: Policy.allows(user.role, .manageAward))
        return try await req.view.render("coverage", PageContext(req, title: "Dekking \(tender.name)", data: page))
    }

    /// The day asked for (`?op=` as dd-mm-jjjj or jjjj-mm-dd), or today.
    static func day(_ req: Request) throws -> CalendarDate {
        guard let text = req.query[String.self, at: "op"]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else {
            return Amsterdam.day(of: req.now)
        }
        guard let day = CalendarDate(entered: text) else {
            throw ValidationProblems(detail: "'\(text)' is geen datum; gebruik dd-mm-jjjj of jjjj-mm-dd.", problems: [Problem("op", "'\(text)' is geen datum (dd-mm-jjjj of jjjj-mm-dd)")])
        }
        return day
    }
}

/// Coverage under /api/v1: per tender, the cells a viewer may see.
struct CoverageAPIController {
    func boot(_ api: RoutesBuilder) {
        api.on(.GET, "coverage", permission: .viewExtensions, use: list)
    }

    func list(req: Request) async throws -> Response {
        let user = try req.auth.require(AuthenticatedUser.self)
        let day = try ExtensionController.day(req)
        let code = req.query[String.self, at: "tender"]
        var tenders = try await TenderStore.all(for: user, at: req.now, on: req.db)
        if let code, !code.isEmpty {
            tenders = tenders.filter { $0.code == code }
            guard !tenders.isEmpty else { throw Abort(.notFound, reason: "Aanbesteding '\(code)' bestaat niet.") }
        }
        let contracts = try await ContractStore.all(on: req.db).map(\.contract)
        let viewer = ExtensionController.viewer(user)
        let out = tenders.filter { t in contracts.contains { $0.tender == t.code } }.map {
            CoverageJSON(Coverage(scope: $0.scope, tender: $0.code, contracts: contracts, on: day), for: viewer)
        }
        return ProcurementAPIController.json(out)
    }
}
