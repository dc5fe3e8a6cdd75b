import Fluent
import Foundation
import Vapor
import ZorginkoopCore
import ZorginkoopInterop

/// KPIs in the contract period: values against their targets over time, and providers' reports
/// by form, CSV upload and API.
struct KPIController {
    /// An uploaded CSV of reports is small; anything larger is refused before it is read.
    static let maxUpload = 1 << 20

    func boot(_ routes: RoutesBuilder) {
        routes.on(.GET, "kpi", permission: .viewContracts, use: page)
        routes.on(.GET, "kpi", "export.csv", permission: .viewContracts, use: csv)
        routes.on(.GET, "kpi", "export.xlsx", permission: .viewContracts, use: xlsx)
        routes.on(.POST, "kpi", "rapporteren", permission: .reportKPIs, use: report)
        routes.on(.POST, "kpi", "upload", permission: .reportKPIs, body: .stream, use: upload)
    }

    func page(req: Request) async throws -> View {
        try await render(req)
    }

    func render(_ req: Request, form: PostedForm = PostedForm(values: [:]), errors: FieldErrors = FieldErrors(), uploadProblems: [String] = [],
                notice: String? = nil) async throws -> View {
        let user = try req.auth.require(AuthenticatedUser.self)
        let stored = try await ContractStore.all(on: req.db).filter { $0.contract.isVisible(to: ContractController.viewer(user)) }
        let reports = try await KPIStore.all(on: req.db, contracts: stored)
        let segment = req.query[String.self, at: "segment"].flatMap { $0.isEmpty ? nil : $0 }
        let page = KPIPage(contracts: stored.map(\.contract), reports: reports, design: try await DesignStore.region(on: req.db).design, segment: segment,
                           on: Amsterdam.day(of: req.now), canReport: Policy.allows(user.role, .reportKPIs), form: form, errors: errors,
                           uploadProblems: uploadProblems, notice: notice ?? req.query[String.self, at: "melding"])
        return try await req.view.render("kpis", PageContext(req, title: "KPI's", data: page))
    }

    func csv(req: Request) async throws -> Response { Download.csv(try await sheet(req), filename: "kpi.csv") }

    func xlsx(req: Request) async throws -> Response { Download.xlsx(try await sheet(req), filename: "kpi.xlsx") }

    /// The page's contracts (visibility and segment) as a sheet.
    private func sheet(_ req: Request) async throws -> Sheet {
        let user = try req.auth.require(AuthenticatedUser.self)
        let segment = req.query[String.self, at: "segment"].flatMap { $0.isEmpty ? nil : $0 }
        let stored = try await ContractStore.all(on: req.db).filter { $0.contract.isVisible(to: ContractController.viewer(user)) }
        let reports = try await KPIStore.all(on: req.db, contracts: stored)
        return KPISheet.sheet(stored.map(\.contract).filter { segment == nil || $0.segment == segment }, reports: reports,
                              design: try await DesignStore.region(on: req.db).design, on: Amsterdam.day(of: req.now))
    }

    func report(req: Request) async throws -> Response {
        let form = try PostedForm(req)
        let line = KPIIntake.Line(place: "report", contract: form.trimmed("contract"), kpi: form.trimmed("kpi"), period: form.trimmed("period"),
                                  value: form.trimmed("value"))
        let status = try await Self.store([line], req)
        guard status.problems.isEmpty else {
            var errors = FieldErrors()
            for p in status.problems { errors.add(p.path, p.message) }
            return try await render(req, form: form, errors: errors).encodeResponse(status: .unprocessableEntity, for: req)
        }
        return req.redirect(to: AppURL.kpis.path + "?melding=" + "Rapportage opgeslagen.".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
    }

    /// A CSV of reports (`overeenkomst;kpi;periode;waarde`): all lines are stored, or none, with
    /// the faults of every line.
    func upload(req: Request) async throws -> Response {
        guard let data = try await MultipartFileStream.smallFile(req, limit: Self.maxUpload) else {
            return try await render(req, uploadProblems: ["Het bestand is groter dan 1 MB; er is niets opgeslagen."]).encodeResponse(status: .payloadTooLarge, for: req)
        }
        let lines: [KPIIntake.Line]
        do { lines = try KPIIntake.lines(csv: data) } catch {
            return try await render(req, uploadProblems: [error.dutch + " Er is niets opgeslagen."]).encodeResponse(status: .unprocessableEntity, for: req)
        }
        let status = try await Self.store(lines, req)
        guard status.problems.isEmpty else {
            return try await render(req, uploadProblems: status.problems.map { "\($0.path.prefix(1).uppercased() + $0.path.dropFirst()): \($0.message)" }
                                        + ["Er is niets opgeslagen; verbeter het bestand en upload het opnieuw."])
                .encodeResponse(status: .unprocessableEntity, for: req)
        }
        return req.redirect(to: AppURL.kpis.path + "?melding=" + "\(status.stored) rapportage(s) opgeslagen.".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
    }

    /// Checks every line against the provider's own contracts and stores them all in one audited
    /// transaction, or nothing when one is wrong.
    static func store(_ lines: [KPIIntake.Line], _ req: Request) async throws -> (stored: Int, problems: [Problem]) {
        let user = try req.auth.require(AuthenticatedUser.self)
        let stored = try await ContractStore.all(on: req.db).filter { $0.contract.isVisible(to: ContractController.viewer(user)) }
        let intake = KPIIntake(contracts: stored.map(\.contract), design: try await DesignStore.region(on: req.db).design,
                               day: Amsterdam.day(of: req.now), by: user.email)
        let (reports, problems) = intake.check(lines)
        guard problems.isEmpty, !reports.isEmpty else {
            return (0, problems.isEmpty ? [Problem("report", "De aanlevering bevat geen rapportages.")] : problems)
        }
        let ids = Dictionary(uniqueKeysWithValues: stored.map { ($0.contract.number, $0.id) })
        let now = req.now
        try await req.audited("kpi.reported") { db in
            let corrected = try await KPIStore.save(reports, contracts: ids, at: now, on: db)
            var details = ["reports": reports.map { "\($0.contract) \($0.kpi) \($0.period) \(DutchFormat.thousandths($0.value))" }.joined(separator: "; ")]
            if !corrected.isEmpty {
                details["corrected"] = corrected.map { "\($0.0.contract) \($0.0.kpi) \($0.0.period): was \(DutchFormat.thousandths($0.1))" }.joined(separator: "; ")
            }
            return ((), subject: Array(Set(reports.map(\.contract))).sorted().joined(separator: ", "), details: details)
        }
        return (reports.count, [])
    }
}

/// KPI reports under /api/v1: read with the register's visibility; providers post their own.
struct KPIAPIController {
    func boot(_ api: RoutesBuilder) {
        api.on(.GET, "kpi-reports", permission: .viewContracts, use: list)
        api.on(.POST, "kpi-reports", permission: .reportKPIs, use: create)
    }

    func list(req: Request) async throws -> Response {
        let user = try req.auth.require(AuthenticatedUser.self)
        let stored = try await ContractStore.all(on: req.db).filter { $0.contract.isVisible(to: ContractController.viewer(user)) }
        let design = try await DesignStore.region(on: req.db).design
        let contract = req.query[String.self, at: "contract"]
        let reports = try await KPIStore.all(on: req.db, contracts: stored).filter { contract == nil || $0.contract == contract }
        return ProcurementAPIController.json(reports.sorted { ($0.contract, $0.kpi, $0.period) < ($1.contract, $1.kpi, $1.period) }.map { r in
            let kind = design.kpis.first { $0.code == r.kpi }?.period
            return KPIReportJSON(r, due: kind.flatMap { KPIPeriod(r.period, kind: $0) }?.due)
        })
    }

    struct Item: Decodable {
        var contract: String
        var kpi: String
        var period: String
        /// A JSON number, or text with a decimal comma.
        var value: String

        enum CodingKeys: String, CodingKey { case contract, kpi, period, value }

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            contract = try c.decode(String.self, forKey: .contract)
            kpi = try c.decode(String.self, forKey: .kpi)
            period = try c.decode(String.self, forKey: .period)
            if let number = try? c.decode(Decimal.self, forKey: .value) {
                value = NSDecimalNumber(decimal: number).stringValue.replacingOccurrences(of: ".", with: ",")
            } else {
                value = try c.decode(String.self, forKey: .value)
            }
        }
    }

    func create(req: Request) async throws -> Response {
        let items: [Item]
        do { items = try req.content.decode([Item].self) } catch {
            throw ValidationProblems(detail: "Verwacht een lijst van rapportages met contract, kpi, period en value.", problems: [])
        }
        let lines = items.enumerated().map { i, item in
            KPIIntake.Line(place: "[\(i)]", contract: item.contract, kpi: item.kpi.uppercased(), period: item.period, value: item.value)
        }
        let status = try await KPIController.store(lines, req)
        guard status.problems.isEmpty else { throw ValidationProblems(detail: "Niet opgeslagen: een of meer rapportages kloppen niet.", problems: status.problems) }
        let response = Response(status: .created)
        try response.content.encode(["stored": status.stored])
        return response
    }
}
