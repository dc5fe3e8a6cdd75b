import Foundation
import NIOCore
import Vapor

/// A person of the demo using the application as a browser and an API client would: every request
/// goes through the application's own responder (its routes, middleware, sessions, form tokens,
/// permissions and audit), in process and without a socket, so the demo's data is made by the
/// same code as real use.
final class DemoVisitor: @unchecked Sendable {
    struct StepFailed: Error, CustomStringConvertible {
        var step: String
        var status: HTTPStatus
        var excerpt: String
        var description: String { "De demo kon '\(step)' niet uitvoeren (HTTP \(status.code)): \(excerpt)" }
    }

    let email: String
    private let app: Application
    private let responder: any Responder
    private var cookie: String?
    private var csrf: String?
    var token: String?

    private init(_ email: String, app: Application, responder: any Responder) {
        self.email = email
        self.app = app
        self.responder = responder
    }

    /// Signs in as a person does: the password, then the code from the demo's authenticator.
    static func signIn(_ email: String, password: String, app: Application, responder: any Responder) async throws -> DemoVisitor {
        let visitor = DemoVisitor(email, app: app, responder: responder)
        try await visitor.get(AppURL.login(next: nil).path)
        let answer = try await visitor.post(AppURL.login(next: nil).path, form: ["email": email, "password": password], expect: [.seeOther])
        if answer.headers.first(name: .location)?.hasPrefix(AppURL.loginCode.path) == true, let secret = Base32.decode(SecondFactor.demoKey) {
            try await visitor.get(AppURL.loginCode.path)
            let code = TOTP.code(secret: secret, step: TOTP.step(at: app.clock.now()))
            try await visitor.post(AppURL.loginCode.path, form: ["code": code], expect: [.seeOther])
        }
        // Login issues a new form token: read it from the next page, as a browser does.
        try await visitor.get(AppURL.account.path)
        return visitor
    }

    @discardableResult
    func get(_ path: String) async throws -> Response {
        try await send(.GET, path, headers: [:], body: nil)
    }

    /// Posts a form with the page's form token; an answer outside `expect` stops the demo with its message.
    @discardableResult
    func post(_ path: String, form: [String: String], expect: Set<HTTPStatus> = [.seeOther]) async throws -> Response {
        var fields = form
        fields[CSRFMiddleware.field] = csrf
        let body = fields.map { "\(escape($0.key))=\(escape($0.value))" }.joined(separator: "&")
        var headers = HTTPHeaders()
        headers.contentType = .urlEncodedForm
        return try check(try await send(.POST, path, headers: headers, body: ByteBuffer(string: body)), "POST \(path)", expect)
    }

    /// A call to the API with the visitor's personal access token, made on the account page the first time.
    @discardableResult
    func api(_ method: HTTPMethod, _ path: String, json: String? = nil, xml: Data? = nil, expect: Set<HTTPStatus> = [.ok, .created]) async throws -> ByteBuffer {
        var headers = HTTPHeaders()
        headers.bearerAuthorization = .init(token: try await accessToken())
        if json != nil { headers.contentType = .json }
        if xml != nil { headers.contentType = .xml }
        let body = json.map { ByteBuffer(string: $0) } ?? xml.map { ByteBuffer(bytes: $0) }
        let response = try await send(method, path, headers: headers, body: body, keepSession: false)
        return try check(response, "\(method) \(path)", expect).body.buffer ?? ByteBuffer()
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    private func accessToken() async throws -> String {
        if let token { return token }
        let page = try await post(AppURL.accountTokens.path, form: ["name": "demo"], expect: [.created])
        let text = page.body.string ?? ""
        guard let range = text.range(of: #"<code class="token">[^<]+</code>"#, options: .regularExpression) else {
            throw StepFailed(step: "token aanmaken", status: page.status, excerpt: "geen token op de accountpagina")
        }
        let made = String(text[range].dropFirst(#"<code class="token">"#.count).dropLast("</code>".count))
        token = made
        return made
    }

    private func send(_ method: HTTPMethod, _ path: String, headers: HTTPHeaders, body: ByteBuffer?, keepSession: Bool = true) async throws -> Response {
        var headers = headers
        if keepSession, let cookie { headers.replaceOrAdd(name: .cookie, value: "\(app.sessions.configuration.cookieName)=\(cookie)") }
        let request = Request(application: app, method: method, url: URI(path: path), headers: headers, collectedBody: body,
                              remoteAddress: try? SocketAddress(ipAddress: "127.0.0.1", port: 0), logger: app.logger,
                              on: app.eventLoopGroup.any())
        let response = try await responder.respond(to: request).get()
        // A streamed body (a download) is read to its end, as a browser does.
        if response.body.buffer == nil, let collected = try await response.body.collect(on: request.eventLoop).get() {
            response.body = Response.Body(buffer: collected)
        }
        if keepSession { remember(response) }
        return response
    }

    private func check(_ response: Response, _ step: String, _ expect: Set<HTTPStatus>) throws -> Response {
        guard expect.contains(response.status) else {
            let text = response.body.string ?? ""
            // The page's or problem's messages, not its navigation.
            let excerpt = text.range(of: "notice|problem|detail|fout", options: .regularExpression).map { String(text[$0.lowerBound...].prefix(600)) }
                ?? String(text.prefix(600))
            throw StepFailed(step: step, status: response.status, excerpt: excerpt)
        }
        return response
    }

    private func remember(_ response: Response) {
        if let set = response.headers.setCookie?[app.sessions.configuration.cookieName] {
            cookie = set.string.isEmpty ? nil : set.string
        }
        let body = response.body.string ?? ""
        if let range = body.range(of: #"name="_csrf" value="[^"]+""#, options: .regularExpression) {
            csrf = String(body[range].dropFirst(#"name="_csrf" value=""#.count).dropLast())
        }
    }

    private func escape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? s
    }
}
