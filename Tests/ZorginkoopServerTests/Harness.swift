import Fluent
import Foundation
import SQLKit
import AsyncHTTPClient
import NIOPosix
import NIOConcurrencyHelpers
import Testing
import VaporTesting
@testable import ZorginkoopServer

/// A fresh database per test: a new SQLite file, or a new PostgreSQL schema when
/// TEST_DATABASE_URL is set (CI runs the suite both ways). At most `RunningApps.limit` applications
/// run at once: Swift Testing starts every test together, and each application holds a pool of
/// database connections (PostgreSQL refuses more than its max_connections) and a server.
func withApp(secureCookies: Bool = false, smtp: SMTPSettings? = nil, _ body: (Application) async throws -> Void) async throws {
    await RunningApps.shared.enter()
    do {
        try await runApp(secureCookies: secureCookies, smtp: smtp, body)
    } catch {
        await RunningApps.shared.leave()
        throw error
    }
    await RunningApps.shared.leave()
}

/// A counting semaphore for the applications the tests run side by side.
actor RunningApps {
    static let shared = RunningApps()
    static let limit = 6
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func enter() async {
        if running < Self.limit {
            running += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Hands the place straight to the next waiting test, so none can overtake it.
    func leave() {
        if waiting.isEmpty {
            running -= 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}

private func runApp(secureCookies: Bool, smtp: SMTPSettings?, _ body: (Application) async throws -> Void) async throws {
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
        try await configure(app, AppConfiguration(database: database, vault: testVault, secureCookies: secureCookies, bcryptCost: 4, databasePoolSize: 2,
                                                  smtp: smtp, publicURL: "http://zorginkoop.test"))
        try await LiveServer.start(app)
        _ = Authenticators.of(app)  // made before the test's browsers run side by side
        try await body(app)
    } catch {
        await cleanUp(app, database, sqliteFile)
        throw error
    }
    await cleanUp(app, database, sqliteFile)
}

private func cleanUp(_ app: Application, _ database: AppConfiguration.DatabaseEngine, _ sqliteFile: String?) async {
    await LiveServer.stop(app)
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

/// A response as the browser received it over the socket.
struct WebResponse: Sendable {
    var status: HTTPStatus
    var headers: HTTPHeaders
    var body: ByteBuffer
}

/// The test's application serving on a port of its own on the loopback address, as in production,
/// and one HTTP client for its browsers: connections are kept alive and reused, bodies go out in
/// network-sized pieces, and redirects are not followed (the tests check them).
final class LiveServer: @unchecked Sendable {
    let port: Int
    let client: HTTPClient

    private struct Key: StorageKey { typealias Value = LiveServer }

    private init(port: Int, client: HTTPClient) {
        self.port = port
        self.client = client
    }

    static func of(_ app: Application) async throws -> LiveServer {
        guard let running = app.storage[Key.self] else { throw Abort(.internalServerError, reason: "the test's server is not running") }
        return running
    }

    /// Started once per test, before the test's own requests, which may run in parallel.
    static func start(_ app: Application) async throws {
        try await app.asyncBoot()
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        guard let port = app.http.server.shared.localAddress?.port else { throw Abort(.internalServerError, reason: "no port") }
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
                                configuration: .init(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5), read: .seconds(60))))
        app.storage[Key.self] = LiveServer(port: port, client: client)
    }

    static func stop(_ app: Application) async {
        guard let live = app.storage[Key.self] else { return }
        try? await live.client.shutdown()
        await app.server.shutdown()
        app.storage[Key.self] = nil
    }

    func send(_ method: HTTPMethod, _ path: String, headers: HTTPHeaders, body: ByteBuffer?) async throws -> WebResponse {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        request.headers = headers
        if let body { request.body = .bytes(body) }
        let response = try await client.execute(request, timeout: .seconds(120))
        let received = try await response.body.collect(upTo: 64 * 1024 * 1024)
        return WebResponse(status: response.status, headers: response.headers, body: received)
    }
}

/// A browser: keeps the session cookie and the form token between requests, and talks to the
/// application's real server. The form token comes from the page that carries the form, as a
/// person's browser gets it.
final class Browser: @unchecked Sendable {
    let app: Application
    var cookie: String?
    var csrf: String?

    init(_ app: Application) { self.app = app }

    @discardableResult
    func get(_ path: String, headers: HTTPHeaders = [:]) async throws -> WebResponse {
        let response = try await LiveServer.of(app).send(.GET, path, headers: withCookie(headers), body: nil)
        remember(response)
        return response
    }

    @discardableResult
    func post(_ path: String, form: [String: String], includeCSRF: Bool = true) async throws -> WebResponse {
        if includeCSRF && csrf == nil { try await get("/inloggen") }
        var fields = form
        if includeCSRF, fields["_csrf"] == nil { fields["_csrf"] = csrf }
        let body = fields.map { "\(escape($0.key))=\(escape($0.value))" }.joined(separator: "&")
        var headers = withCookie([:])
        headers.contentType = .urlEncodedForm
        let response = try await LiveServer.of(app).send(.POST, path, headers: headers, body: ByteBuffer(string: body))
        remember(response)
        return response
    }

    /// Any request, as the browser would send it (its cookie), with the body given.
    func send(_ method: HTTPMethod, _ path: String, headers: HTTPHeaders = [:], body: ByteBuffer?) async throws -> WebResponse {
        let response = try await LiveServer.of(app).send(method, path, headers: withCookie(headers), body: body)
        remember(response)
        return response
    }

    /// Logs in as a person does: the password, then (for an account with a second factor) the
    /// code from the app on the person's phone; a role that needs a second factor and has none
    /// sets up the app on the page it is sent to. Returns the password step's answer, or the
    /// code step's when that refused.
    func login(_ email: String, password: String = testPassword) async throws -> WebResponse {
        try await get("/inloggen")
        let response = try await post("/inloggen", form: ["email": email, "password": password])
        guard response.status == .seeOther else { return response }
        if response.headers.first(name: .location)?.hasPrefix(AppURL.loginCode.path) == true {
            let code = try await enterCode(email)
            guard code.status == .seeOther else { return code }
        }
        // Like a browser, follow to the next page: login issues a new form token.
        let next = try await get("/account")
        if next.headers.first(name: .location) == AppURL.accountSecondFactor.path { try await setUpAuthenticator(email) }
        return response
    }

    /// The code step: the app's code now, or (when this step's code was just used by another login
    /// of the same account) the next one, as a person waits for the app's next code.
    func enterCode(_ email: String) async throws -> WebResponse {
        guard let secret = Authenticators.of(app)[email] else { throw Abort(.internalServerError, reason: "no authenticator for \(email)") }
        try await get(AppURL.loginCode.path)
        let step = TOTP.step(at: app.clock.now())
        var answer = try await post(AppURL.loginCode.path, form: ["code": TOTP.code(secret: secret, step: step)])
        if answer.status == .unauthorized {
            answer = try await post(AppURL.loginCode.path, form: ["code": TOTP.code(secret: secret, step: step + 1)])
        }
        return answer
    }

    /// Types the key shown on the set-up page into the "app" and confirms with its code.
    @discardableResult
    func setUpAuthenticator(_ email: String) async throws -> WebResponse {
        let page = try await get(AppURL.accountSecondFactor.path).body.string
        guard let range = page.range(of: #"id="totp-key">[A-Z2-7 ]+<"#, options: .regularExpression),
              let secret = Base32.decode(String(page[range].dropFirst(#"id="totp-key">"#.count).dropLast())) else {
            throw Abort(.internalServerError, reason: "no key on the set-up page")
        }
        let answer = try await post(AppURL.accountSecondFactor.path, form: ["code": TOTP.code(secret: secret, step: TOTP.step(at: app.clock.now()))])
        Authenticators.of(app)[email] = secret
        try await get("/account")
        return answer
    }

    private func escape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? s
    }

    private func withCookie(_ headers: HTTPHeaders) -> HTTPHeaders {
        var headers = headers
        if let cookie { headers.replaceOrAdd(name: .cookie, value: "zorginkoop-sessie=\(cookie)") }
        return headers
    }

    private func remember(_ response: WebResponse) {
        if let set = response.headers.setCookie?["zorginkoop-sessie"] {
            cookie = set.string.isEmpty ? nil : set.string
        }
        let body = response.body.string
        if let range = body.range(of: #"name="_csrf" value="([^"]+)""#, options: .regularExpression) {
            csrf = String(body[range]).components(separatedBy: "value=\"")[1].dropLast().description
        }
    }
}

/// Runs blocking work (a raw socket, a child process) on a thread of its own: on Swift's
/// cooperative pool (two threads here) it would stop the server's own handlers meanwhile.
func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
    }
}

func blocking(_ work: @escaping @Sendable () -> Void) async {
    await withCheckedContinuation { continuation in
        Thread.detachNewThread { work(); continuation.resume() }
    }
}

/// The authenticator apps of the test's people: each account's key, by e-mail address.
final class Authenticators: @unchecked Sendable {
    private let keys = NIOLockedValueBox<[String: Data]>([:])
    private struct Key: StorageKey { typealias Value = Authenticators }

    static func of(_ app: Application) -> Authenticators {
        if let known = app.storage[Key.self] { return known }
        let made = Authenticators()
        app.storage[Key.self] = made
        return made
    }

    subscript(email: String) -> Data? {
        get { keys.withLockedValue { $0[email] } }
        set { keys.withLockedValue { $0[email] = newValue } }
    }
}

/// API calls with a personal access token.
func apiRequest(_ app: Application, _ method: HTTPMethod, _ path: String, token: String?, json: String? = nil) async throws -> WebResponse {
    var headers = HTTPHeaders()
    if let token { headers.bearerAuthorization = .init(token: token) }
    if json != nil { headers.contentType = .json }
    return try await LiveServer.of(app).send(method, path, headers: headers, body: json.map { ByteBuffer(string: $0) })
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
    func postMultipart(_ path: String, fields: [(String, String)], file: (field: String, filename: String, bytes: [UInt8])) async throws -> WebResponse {
        let boundary = "----zorginkoop\(UUID().uuidString.prefix(8))"
        var body = ByteBuffer()
        for (name, value) in [(CSRFMiddleware.field, csrf ?? "")] + fields {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.field)\"; filename=\"\(file.filename)\"\r\nContent-Type: application/octet-stream\r\n\r\n")
        body.writeBytes(file.bytes)
        body.writeString("\r\n--\(boundary)--\r\n")
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        return try await send(.POST, path, headers: headers, body: body)
    }
}
