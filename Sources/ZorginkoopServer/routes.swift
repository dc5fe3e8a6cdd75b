import Fluent
import Vapor

func routes(_ app: Application) throws {
    // Liveness: the process answers (no database), for load balancers and as the benchmarks' bare route.
    app.get("health", "live") { _ -> Response in
        let response = Response(status: .ok, body: .init(string: "{\"status\":\"ok\"}"))
        response.headers.contentType = .json
        return response
    }
    // Readiness: the database answers too.
    app.get("health") { req async throws -> Response in
        // Ready means the database answers.
        _ = try await DesignRecord.query(on: req.db).count()
        let response = Response(status: .ok, body: .init(string: "{\"status\":\"ok\"}"))
        response.headers.contentType = .json
        return response
    }
    app.get("metrics") { _ -> Response in
        let response = Response(status: .ok, body: .init(string: MetricsBootstrap.render()))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["version": "0.0.4"])
        return response
    }

    // The one static asset, as a route: a global file middleware would look on disk for every request.
    let stylesheet = try Data(contentsOf: Resources.stylesheet)
    app.get("app.css") { _ -> Response in
        let response = Response(status: .ok, body: .init(data: stylesheet))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "css", parameters: ["charset": "utf-8"])
        response.headers.cacheControl = .init(maxAge: 3600)
        return response
    }

    let web = app.grouped(app.sessions.middleware, SessionUserAuthenticator(), InputGuard(), CSRFMiddleware())
    SessionController().boot(web)
    RegionController().boot(web)
    DesignController().boot(web)
    AuditController().boot(web)
    AccountController().boot(web)
    PasswordController().boot(web)
    PasswordResetController().boot(web)
    SecondFactorController().boot(web)
    UsersController().boot(web)
    TenderController().boot(web)
    TenderDocumentController().boot(web)
    BidController().boot(web)
    VaultController().boot(web)
    QuestionController().boot(web)
    ProviderController().boot(web)
    AssessmentController().boot(web)
    RankingController().boot(web)
    AwardController().boot(web)
    ContractController().boot(web)
    ContractChangeController().boot(web)
    ExtensionController().boot(web)
    KPIController().boot(web)
    FinanceController().boot(web)
    PublicRegisterController().boot(web)

    let api = app.grouped("api", "v1").grouped(InputGuard(), BearerTokenAuthenticator())
    APIController().boot(api)
    ProcurementAPIController().boot(api)
    ContractAPIController().boot(api)
    CoverageAPIController().boot(api)
    KPIAPIController().boot(api)
    FinanceAPIController().boot(api)
}
