import Fluent
import Foundation
import Vapor
import ZorginkoopCore
import ZorginkoopInterop

/// Money in the contract period: the finance page, budgets and ceilings, the declarations received
/// and their verdicts, exports and the API.
struct FinanceController {
    func boot(_ routes: RoutesBuilder) {
        routes.on(.GET, "financien", permission: .viewFinance, use: page)
        routes.on(.GET, "financien", "export.csv", permission: .viewFinance, use: csv)
        routes.on(.GET, "financien", "export.xlsx", permission: .viewFinance, use: xlsx)
        routes.on(.POST, "financien", "budget", permission: .manageFinance, use: setBudget)
        routes.on(.POST, "financien", "plafond", permission: .manageFinance, use: setCeiling)
        routes.on(.POST, "financien", "clientenstop", permission: .manageFinance, use: recordClientStop)
        routes.on(.POST, "financien", "declaraties", permission: .receiveDeclarations, body: .stream, use: upload)
        routes.on(.GET, "financien", "declaraties", ":id", permission: .viewFinance, use: message)
        routes.on(.GET, "financien", "declaraties", ":id", "antwoord.xml", permission: .viewFinance, use: answer)
    }

    /// What a person may see of the money: the region, one municipality, or one provider.
    struct Scope: Sendable {
        var municipality: Municipality?
        /// The provider's AGB code; "" for a provider without one (who then sees nothing).
        var provider: String?
        var label: String

        func allows(_ m: DeclarationMessageRecord) -> Bool {
            (municipality == nil || m.municipality == municipality?.municipalityCode) && (provider == nil || m.provider == provider)
        }
    }

    static func scope(_ req: Request, design: Design) async throws -> Scope {
        let user = try req.auth.require(AuthenticatedUser.self)
        switch user.role {
        case .municipalityOfficial:
            let m = design.municipality(user.municipality ?? "")
            return Scope(municipality: m ?? Municipality(code: "-", name: "-", cbsCode: "-", clients: 0, clientsYear: 0, transportArrangement: ""),
                         provider: nil, label: "Uw gemeente: \(m?.name ?? "onbekend")")
        case .provider:
            var agb = ""
            if let organisation = user.organisationID { agb = try await OrganisationRecord.find(organisation, on: req.db)?.agbCode ?? "" }
            return Scope(municipality: nil, provider: agb, label: agb.isEmpty ? "Uw organisatie heeft geen AGB-code in Zorginkoop." : "Uw organisatie (AGB \(agb))")
        default:
            return Scope(municipality: nil, provider: nil, label: "De hele regio")
        }
    }

    func page(req: Request) async throws -> View { try await render(req) }

    func render(_ req: Request, notice: String? = nil, uploadProblems: [String] = [], errors: FieldErrors = FieldErrors(),
                form: [String: String] = [:]) async throws -> View {
        let input = try await Self.input(req)
        let page = FinancePage(input, notice: notice ?? req.query[String.self, at: "melding"], uploadProblems: uploadProblems, errors: errors, form: form)
        return try await req.view.render("finance", PageContext(req, title: "Financiën", data: page))
    }

    static func input(_ req: Request) async throws -> FinancePage.Input {
        let user = try req.auth.require(AuthenticatedUser.self)
        let design = try await DesignStore.region(on: req.db).design
        let scope = try await Self.scope(req, design: design)
        let today = Amsterdam.day(of: req.now)
        let year = req.query[Int.self, at: "jaar"].flatMap { (2000...2100).contains($0) ? $0 : nil } ?? today.year
        let municipality = scope.municipality?.code ?? req.query[String.self, at: "gemeente"].flatMap { design.municipality($0)?.code }
        let segment = req.query[String.self, at: "segment"].flatMap { design.segment($0)?.code }
        let spend = try await FinanceStore.spend(on: req.db, municipality: scope.municipality?.municipalityCode, provider: scope.provider)
        let months = spend.values.flatMap(\.keys).filter { $0.year == year }
        let records = try await FinanceStore.ceilings(on: req.db).filter { scope.provider == nil || $0.provider == scope.provider }
            .filter { scope.municipality == nil || $0.municipality.isEmpty || $0.municipality == scope.municipality?.code }
        let ceilings = records.map(\.ceiling)
        var firstSeen: [Ceiling: CalendarDate] = [:]
        var stops: [Ceiling: (from: CalendarDate, note: String)] = [:]
        for r in records {
            if let seen = r.alertSeenOn.flatMap(CalendarDate.init(iso:)) { firstSeen[r.ceiling] = seen }
            if let from = r.clientStopFrom.flatMap(CalendarDate.init(iso:)) { stops[r.ceiling] = (from, r.clientStopNote ?? "") }
        }
        let budgets = try await FinanceStore.budgets(on: req.db).filter { scope.municipality == nil || $0.municipality == scope.municipality?.code }
        let yearSpend = YearSpend(year: year, spend: spend, design: design, budgets: scope.provider == nil ? budgets : [], ceilings: ceilings,
                                  through: months.max(), today: today, firstSeen: firstSeen)
        try await Self.rememberAlerts(yearSpend, records: records, on: req.db)
        let contracts = try await ContractStore.all(on: req.db).map(\.contract)
        return FinancePage.Input(
            design: design, year: year, spend: yearSpend,
            messages: try await FinanceStore.messages(on: req.db, municipality: scope.municipality?.municipalityCode, provider: scope.provider),
            providerNames: try await Self.providerNames(on: req.db), clientStops: stops,
            unpayable: scope.provider == nil ? ContractedProduct.unpayable(contracts, design: design, agbCodes: try await FinanceStore.agbCodes(on: req.db)) : [],
            municipality: municipality, segment: segment, scope: scope.label,
            canManage: Policy.allows(user.role, .manageFinance), canReceive: Policy.allows(user.role, .receiveDeclarations))
    }

    /// The first day an alert is seen is its notice day: kept, so the consultation and decision
    /// dates stay put.
    static func rememberAlerts(_ spend: YearSpend, records: [CeilingRecord], on db: Database) async throws {
        for row in spend.ceilings where row.alert != nil {
            guard let record = records.first(where: { $0.ceiling == row.ceiling }), record.alertSeenOn == nil, let alert = row.alert else { continue }
            record.alertSeenOn = alert.noticeOn.description
            try await record.save(on: db)
        }
    }

    static func providerNames(on db: Database) async throws -> [String: String] {
        var out: [String: String] = [:]
        for o in try await OrganisationRecord.query(on: db).filter(\.$agbCode != nil).all() { if let agb = o.agbCode { out[agb] = o.name } }
        return out
    }

    func csv(req: Request) async throws -> Response { Download.csv(try await sheet(req), filename: "uitgaven.csv") }
    func xlsx(req: Request) async throws -> Response { Download.xlsx(try await sheet(req), filename: "uitgaven.xlsx") }

    private func sheet(_ req: Request) async throws -> Sheet {
        let design = try await DesignStore.region(on: req.db).design
        let scope = try await Self.scope(req, design: design)
        let year = req.query[Int.self, at: "jaar"] ?? Amsterdam.day(of: req.now).year
        var spend = try await FinanceStore.spend(on: req.db, municipality: scope.municipality?.municipalityCode, provider: scope.provider)
        if let m = req.query[String.self, at: "gemeente"].flatMap({ design.municipality($0)?.municipalityCode }), !m.isEmpty {
            spend = spend.filter { $0.key.municipality == m }
        }
        if let s = req.query[String.self, at: "segment"], !s.isEmpty { spend = spend.filter { $0.key.segment == s } }
        return SpendSheet.sheet(spend, year: year, design: design, providerNames: try await Self.providerNames(on: req.db))
    }

    // MARK: - Budgets, ceilings, client stops

    func setBudget(req: Request) async throws -> Response {
        let form = try PostedForm(req)
        let design = try await DesignStore.region(on: req.db).design
        var errors = FieldErrors()
        let year = Int(form.trimmed("year"))
        if year == nil { errors.add("year", "Geef een jaartal, zoals 2027.") }
        let amount = DutchFormat.parseCents(form.trimmed("amount")).map { Money(cents: $0) }
        if amount == nil { errors.add("amount", "Geef een bedrag in euro's, zoals 1.250.000,00.") }
        if let year, let amount {
            let budget = Budget(year: year, municipality: form.trimmed("municipality"), segment: form.trimmed("segment"), amount: amount)
            for p in budget.problems(in: design) { errors.add(p.path, Self.sentence(p.message)) }
            if errors.isEmpty {
                let by = try req.auth.require(AuthenticatedUser.self).email
                let now = req.now
                try await req.audited("finance.budget-set") { db in
                    let old = try await FinanceStore.setBudget(budget, by: by, at: now, on: db)
                    var details = ["budget": amount.dutch]
                    if let old { details["was"] = old.dutch }
                    return ((), subject: "\(budget.municipality) \(budget.segment) \(budget.year)", details: details)
                }
                return Self.back(req, "Budget \(design.municipality(budget.municipality)?.name ?? budget.municipality) \(budget.segment) \(year) vastgesteld op \(amount.dutch).", year: year)
            }
        }
        return try await render(req, errors: errors, form: form.values).encodeResponse(status: .unprocessableEntity, for: req)
    }

    func setCeiling(req: Request) async throws -> Response {
        let form = try PostedForm(req)
        let design = try await DesignStore.region(on: req.db).design
        var errors = FieldErrors()
        let year = Int(form.trimmed("ceilingYear"))
        if year == nil || !(2000...2100).contains(year!) { errors.add("ceilingYear", "Geef een jaartal, zoals 2027.") }
        let provider = form.trimmed("provider")
        if let problem = Registration.agbProblem(provider) { errors.add("provider", "AGB-code: \(problem).") }
        let municipality = form.trimmed("ceilingMunicipality")
        if !municipality.isEmpty, design.municipality(municipality) == nil { errors.add("ceilingMunicipality", "'\(municipality)' is geen gemeente van de regio.") }
        let annual = DutchFormat.parseCents(form.trimmed("annual")).map { Money(cents: $0) }
        if annual == nil || annual!.cents <= 0 { errors.add("annual", "Geef het plafond voor een heel jaar in euro's, groter dan € 0,00.") }
        let startText = form.trimmed("contractStart")
        let start = startText.isEmpty ? nil : CalendarDate(iso: startText)
        if !startText.isEmpty, start == nil { errors.add("contractStart", "Geef een datum (jjjj-mm-dd), of laat het leeg.") }
        guard errors.isEmpty, let year, let annual else {
            return try await render(req, errors: errors, form: form.values).encodeResponse(status: .unprocessableEntity, for: req)
        }
        let ceiling = Ceiling(provider: provider, municipality: municipality.isEmpty ? nil : municipality, year: year, annual: annual, contractStart: start)
        let by = try req.auth.require(AuthenticatedUser.self).email
        let now = req.now
        try await req.audited("finance.ceiling-set", subject: "AGB \(provider) \(year)",
                              details: ["plafond": annual.dutch, "pro rata": ceiling.amount.dutch, "gemeente": municipality.isEmpty ? "alle" : municipality]) { db in
            let row = try await FinanceStore.ceiling(year: year, provider: provider, municipality: municipality, on: db) ?? CeilingRecord()
            row.year = year
            row.provider = provider
            row.municipality = municipality
            row.annualCents = annual.cents
            row.contractStart = start?.description
            row.setBy = by
            row.setAt = now
            try await row.save(on: db)
        }
        return Self.back(req, "Plafond \(year) voor AGB \(provider) vastgesteld op \(ceiling.amount.dutch)\(start == nil ? "" : " (naar rato)").", year: year)
    }

    func recordClientStop(req: Request) async throws -> Response {
        let form = try PostedForm(req)
        var errors = FieldErrors()
        let year = Int(form.trimmed("stopYear")) ?? 0
        let provider = form.trimmed("stopProvider"), municipality = form.trimmed("stopMunicipality")
        let from = CalendarDate(iso: form.trimmed("from"))
        if from == nil { errors.add("from", "Geef de eerste dag van de cliëntenstop (jjjj-mm-dd).") }
        let note = form.trimmed("note")
        if note.isEmpty { errors.add("note", "Schrijf op wat is afgesproken en met wie.") }
        let record = try await FinanceStore.ceiling(year: year, provider: provider, municipality: municipality, on: req.db)
        if record == nil { errors.add("stopProvider", "Er is geen plafond \(year) voor AGB \(provider); een cliëntenstop hoort bij een plafond.") }
        guard errors.isEmpty, let from, let record else {
            return try await render(req, errors: errors, form: form.values).encodeResponse(status: .unprocessableEntity, for: req)
        }
        try await req.audited("finance.client-stop", subject: "AGB \(provider) \(year)", details: ["vanaf": from.dutch, "afspraak": note]) { db in
            record.clientStopFrom = from.description
            record.clientStopNote = note
            try await record.save(on: db)
        }
        return Self.back(req, "Cliëntenstop vanaf \(from.dutch) vastgelegd.", year: year)
    }

    static func sentence(_ text: String) -> String { text.prefix(1).uppercased() + text.dropFirst() + (text.hasSuffix(".") ? "" : ".") }

    static func back(_ req: Request, _ notice: String, year: Int) -> Response {
        req.redirect(to: AppURL.finance.path + "?jaar=\(year)&melding=" + notice.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
    }

    // MARK: - Declarations

    /// A JW323/WMO323 file: every line checked and stored with its verdict, or nothing stored and
    /// the problems listed by element.
    func upload(req: Request) async throws -> Response {
        guard let data = try await MultipartFileStream.smallFile(req, limit: DeclarationIntake.maxSize) else {
            return try await render(req, uploadProblems: ["Het bestand is groter dan 50 MB; er is niets opgeslagen. Lever per maand aan."])
                .encodeResponse(status: .payloadTooLarge, for: req)
        }
        guard !data.isEmpty else {
            return try await render(req, uploadProblems: ["Kies een JW323- of WMO323-bestand."]).encodeResponse(status: .unprocessableEntity, for: req)
        }
        switch try await DeclarationIntake.receiving(data, req: req) {
        case let .refused(problems):
            return try await render(req, uploadProblems: problems.map { "\($0.path): \($0.message)" } + ["Er is niets opgeslagen."])
                .encodeResponse(status: .unprocessableEntity, for: req)
        case let .received(id, lines, rejected):
            let notice = "Declaratie ontvangen: \(lines) regel(s), waarvan \(rejected) afgewezen. Het antwoordbericht staat klaar."
            return req.redirect(to: AppURL.declarationMessage(id).path + "?melding=" + notice.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
        }
    }

    /// The message the viewer may see, or 404 (not 403: whether it exists is not told).
    static func visibleMessage(_ req: Request) async throws -> (DeclarationMessageRecord, Design) {
        guard let id = req.parameters.get("id", as: UUID.self), let m = try await DeclarationMessageRecord.find(id, on: req.db) else { throw Abort(.notFound) }
        let design = try await DesignStore.region(on: req.db).design
        guard try await scope(req, design: design).allows(m) else { throw Abort(.notFound) }
        return (m, design)
    }

    func message(req: Request) async throws -> View {
        let (m, design) = try await Self.visibleMessage(req)
        let user = try req.auth.require(AuthenticatedUser.self)
        let page = DeclarationMessagePage(m, lines: try await FinanceStore.lines(of: m.id!, on: req.db), design: design,
                                          providerName: try await Self.providerNames(on: req.db)[m.provider], mayReadAnswer: Self.mayReadAnswer(user.role))
        struct Data: Encodable { var message: DeclarationMessagePage; var notice: String? }
        return try await req.view.render("declaration", PageContext(req, title: "Declaratie \(m.number)",
                                                                    data: Data(message: page, notice: req.query[String.self, at: "melding"])))
    }

    /// The answer lists BSNs: those who handle the declaration read it, each reading audited.
    static func mayReadAnswer(_ role: Role) -> Bool { [.financeConsultant, .municipalityOfficial, .provider].contains(role) }

    func answer(req: Request) async throws -> Response {
        let (m, _) = try await Self.visibleMessage(req)
        let user = try req.auth.require(AuthenticatedUser.self)
        guard Self.mayReadAnswer(user.role) else { throw Abort(.forbidden, reason: "Het antwoordbericht bevat BSN's; uw rol leest het niet.") }
        let xml = try req.application.zorginkoop.vault.openPersonal(m.answerSealed, context: "declaration-answer:\(m.id!.uuidString)")
        try await req.audited("declarations.answer-read", subject: "\(m.provider) \(m.number) (\(m.answerId))") { _ in }
        let response = Response(status: .ok, body: .init(data: xml))
        response.headers.contentType = .xml
        response.headers.contentDisposition = .init(.attachment, filename: "\(m.law == CareLaw.jeugdwet.rawValue ? "JW325" : "WMO325")-\(m.answerId).xml")
        return response
    }
}

/// Declarations and spend under /api/v1.
struct FinanceAPIController {
    func boot(_ api: RoutesBuilder) {
        api.on(.GET, "spend", permission: .viewFinance, use: spend)
        api.on(.POST, "declarations", permission: .receiveDeclarations, body: .collect(maxSize: ByteCount(value: DeclarationIntake.maxSize)), use: receive)
        api.on(.GET, "declarations", ":id", permission: .viewFinance, use: verdicts)
    }

    struct CellJSON: Content {
        var municipality: String, segment: String, provider: String, month: String
        var approved: String, alwaysPaid: String, volume: Int, lines: Int, rejected: String, rejectedLines: Int
    }

    func spend(req: Request) async throws -> Response {
        let design = try await DesignStore.region(on: req.db).design
        let scope = try await FinanceController.scope(req, design: design)
        let year = req.query[Int.self, at: "year"]
        let spend = try await FinanceStore.spend(on: req.db, municipality: scope.municipality?.municipalityCode, provider: scope.provider)
        var cells: [CellJSON] = []
        for key in spend.keys.sorted() {
            for (month, s) in spend[key]!.sorted(by: { $0.key < $1.key }) where year == nil || month.year == year {
                cells.append(CellJSON(municipality: key.municipality, segment: key.segment, provider: key.provider, month: month.description,
                                      approved: s.approved.euros, alwaysPaid: s.alwaysPaid.euros, volume: s.volume, lines: s.lines,
                                      rejected: s.rejected.euros, rejectedLines: s.rejectedLines))
            }
        }
        return ProcurementAPIController.json(cells)
    }

    struct LineJSON: Content {
        var position: Int, reference: String, allocation: String, product: String, begin: String, end: String, volume: Int
        var amount: String, direction: String, approved: Bool, rules: [String], returnCodes: [String], contract: String?
    }
    struct MessageJSON: Content {
        var id: UUID, number: String, messageId: String, provider: String, municipality: String, lines: Int, rejected: Int
        var declared: String, approved: String, answer: String, verdicts: [LineJSON]
    }

    func receive(req: Request) async throws -> Response {
        guard let body = req.body.data, body.readableBytes > 0 else {
            throw ValidationProblems(detail: "Stuur het JW323- of WMO323-bericht als XML in de body.", problems: [])
        }
        switch try await DeclarationIntake.receiving(Data(buffer: body), req: req) {
        case let .refused(problems):
            throw ValidationProblems(detail: "Niet ontvangen: het bericht klopt niet. Er is niets opgeslagen.", problems: problems)
        case let .received(id, _, _):
            let response = try await json(id, req)
            response.status = .created
            return response
        }
    }

    func verdicts(req: Request) async throws -> Response {
        let (m, _) = try await FinanceController.visibleMessage(req)
        return try await json(m.id!, req)
    }

    private func json(_ id: UUID, _ req: Request) async throws -> Response {
        guard let m = try await DeclarationMessageRecord.find(id, on: req.db) else { throw Abort(.notFound) }
        let lines = try await FinanceStore.lines(of: id, on: req.db).map { r in
            let rules = r.brokenRules
            return LineJSON(position: r.position + 1, reference: r.reference, allocation: r.allocation, product: "\(r.category) \(r.code)",
                            begin: r.periodBegin, end: r.periodEnd, volume: r.volume, amount: Money(cents: r.amountCents).euros,
                            direction: r.credit ? "C" : "D", approved: rules.isEmpty, rules: rules.map(\.storedName),
                            returnCodes: Array(Set(rules.map(\.returnCode))).sorted(), contract: r.contract)
        }
        return ProcurementAPIController.json(MessageJSON(id: id, number: m.number, messageId: m.messageId, provider: m.provider, municipality: m.municipality,
                                                         lines: m.lineCount, rejected: m.rejectedCount, declared: Money(cents: m.declaredCents).euros,
                                                         approved: Money(cents: m.approvedCents).euros, answer: AppURL.declarationAnswer(id).path,
                                                         verdicts: lines))
    }
}
