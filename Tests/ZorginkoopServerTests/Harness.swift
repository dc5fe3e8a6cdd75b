import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting
@testable import ZorginkoopServer

/// A fresh database per test: a new SQLite file, or a new PostgreSQL schema when
/// TEST_DATABASE_URL is set (CI runs the suite both ways).
func withApp(secureCookies: Bool = false, _ body: (Application) async throws -> Void) async throws {
    let app = try await Application.make(.testing)
    app.logger.logLevel = ProcessInfo.processInfo.environment["TEST_LOG"] == nil ? .warning : .debug
    let id = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
    let database: AppConfiguration.DatabaseEngine
    var sqliteFile: String?
    if let url = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"], !url.isEmpty {
        database = .postgres(url: url, schema: "test_\(id)")
    } else {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("zorginkoop-test-\(id).sqlite").path
        sqliteFile = path
        database = .sqlite(path: path)
    }
    do {
        try await configure(app, AppConfiguration(database: database, vault: testVault, secureCookies: secureCookies, bcryptCost: 4, databasePoolSize: 2))
        try await body(app)
    } catch {
        await cleanUp(app, database, sqliteFile)
        throw error
    }
    await cleanUp(app, database, sqliteFile)
}

private func cleanUp(_ app: Application, _ database: AppConfiguration.DatabaseEngine, _ sqliteFile: String?) async {
    if case let .postgres(_, schema?) = database {
        try? await (app.db as! any SQLDatabase).raw("DROP SCHEMA IF EXISTS \(ident: schema) CASCADE").run()
    }
    try? await app.asyncShutdown()
    if let sqliteFile {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: sqliteFile + suffix) }
    }
}

let testPassword = "correct-horse-battery"

/// Creates an account with the role; returns its e-mail address.
@discardableResult
func makeUser(_ app: Application, _ role: Role, email: String? = nil) async throws -> String {
    let email = email ?? "\(role.rawValue)@test.nl"
    try await Accounts.create(NewAccount(email: email, name: "Test \(role.dutchName)", role: role,
                                         municipality: role == .municipalityOfficial ? "doetinchem" : nil,
                                         organisation: role == .provider ? "Zorggroep Test" : nil,
                                         password: testPassword),
                              actor: "test", clock: app.clock, cost: app.zorginkoop.bcryptCost, on: app.db)
    return email
}

/// A browser: keeps the session cookie and the form token between requests.
final class Browser: @unchecked Sendable {
    let app: Application
    var cookie: String?
    var csrf: String?

    init(_ app: Application) { self.app = app }

    @discardableResult
    func get(_ path: String, headers: HTTPHeaders = [:]) async throws -> TestingHTTPResponse {
        let response = try await app.testing().sendRequest(.GET, path, headers: withCookie(headers))
        remember(response)
        return response
    }

    @discardableResult
    func post(_ path: String, form: [String: String], includeCSRF: Bool = true) async throws -> TestingHTTPResponse {
        if includeCSRF && csrf == nil { try await get("/inloggen") }
        var fields = form
        if includeCSRF, fields["_csrf"] == nil { fields["_csrf"] = csrf }
        let body = fields.map { "\(escape($0.key))=\(escape($0.value))" }.joined(separator: "&")
        var headers = withCookie([:])
        headers.contentType = .urlEncodedForm
        let response = try await app.testing().sendRequest(.POST, path, headers: headers, body: ByteBuffer(string: body))
        remember(response)
        return response
    }

    func login(_ email: String, password: String = testPassword) async throws -> TestingHTTPResponse {
        try await get("/inloggen")
        let response = try await post("/inloggen", form: ["email": email, "password": password])
        // Like a browser, follow to the next page: login issues a new form token.
        if response.status == .seeOther { try await get("/account") }
        return response
    }

    private func escape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? s
    }

    private func withCookie(_ headers: HTTPHeaders) -> HTTPHeaders {
        var headers = headers
        if let cookie { headers.replaceOrAdd(name: .cookie, value: "zorginkoop-sessie=\(cookie)") }
        return headers
    }

    private func remember(_ response: TestingHTTPResponse) {
        if let set = response.headers.setCookie?["zorginkoop-sessie"] {
            cookie = set.string.isEmpty ? nil : set.string
        }
        let body = response.body.string
        if let range = body.range(of: #"name="_csrf" value="([^"]+)""#, options: .regularExpression) {
            csrf = String(body[range]).components(separatedBy: "value=\"")[1].dropLast().description
        }
    }
}

/// API calls with a personal access token.
func apiRequest(_ app: Application, _ method: HTTPMethod, _ path: String, token: String?, json: String? = nil) async throws -> TestingHTTPResponse {
    var headers = HTTPHeaders()
    if let token { headers.bearerAuthorization = .init(token: token) }
    if json != nil { headers.contentType = .json }
    return try await app.testing().sendRequest(method, path, headers: headers, body: json.map { ByteBuffer(string: $0) })
}

/// A token for a new user with the role.
func makeToken(_ app: Application, _ role: Role) async throws -> String {
    let email = try await makeUser(app, role, email: "api-\(role.rawValue)@test.nl")
    let user = try await UserRecord.query(on: app.db).filter(\.$email == email).first()!
    let token = Tokens.generate()
    try await APITokenRecord(userID: try user.requireID(), name: "test", tokenHash: Tokens.digest(token)).create(on: app.db)
    return token
}

/// One master key for the test run: each test's database gets its own tender keys under it.
let testVault = VaultKeys(base64: VaultKeys.generateBase64())!

extension Browser {
    /// A multipart form as a browser sends it: the fields (the form token first), then the file.
    func postMultipart(_ path: String, fields: [(String, String)], file: (field: String, filename: String, bytes: [UInt8])) async throws -> TestingHTTPResponse {
        let boundary = "----zorginkoop\(UUID().uuidString.prefix(8))"
        var body = ByteBuffer()
        for (name, value) in [(CSRFMiddleware.field, csrf ?? "")] + fields {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.field)\"; filename=\"\(file.filename)\"\r\nContent-Type: application/octet-stream\r\n\r\n")
        body.writeBytes(file.bytes)
        body.writeString("\r\n--\(boundary)--\r\n")
        var headers = HTTPHeaders()
        if let cookie { headers.replaceOrAdd(name: .cookie, value: "zorginkoop-sessie=\(cookie)") }
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        return try await app.testing().sendRequest(.POST, path, headers: headers, body: body)
    }
}
