import Foundation
import Vapor
import ZorginkoopCatalog
import ZorginkoopCore

/// An RFC 9457 problem document: the API's only error shape.
struct ProblemDetails: Content {
    var type: String = "about:blank"
    var title: String
    var status: Int
    var detail: String
    /// Field-level problems, for validation errors.
    var errors: [Problem]?
}

/// A validation failure with field-level problems, for the API (422).
struct ValidationProblems: Error {
    var detail: String
    var problems: [Problem]
}

/// Turns every error into a clear answer: problem+json for the API, a Dutch page for people.
/// Never a stack trace; unexpected errors are logged and answered with a 500 without details.
/// A plain `Middleware` that goes async only when there is an error to render: an async middleware
/// costs executor hops on every request.
struct ErrorPages: Middleware {
    func respond(to request: Request, chainingTo next: Responder) -> EventLoopFuture<Response> {
        next.respond(to: request).flatMapError { error in
            let (status, detail, problems) = describe(error, request: request)
            if status == .internalServerError {
                request.logger.report(error: error)
            }
            // Matched as text: HTTPMediaType's == treats */* as equal to everything.
            if request.isAPI || request.headers[.accept].contains(where: { $0.contains("problem+json") }) {
                return request.eventLoop.makeSucceededFuture(problemResponse(status: status, detail: detail, problems: problems))
            }
            let promise = request.eventLoop.makePromise(of: Response.self)
            promise.completeWithTask { await page(status: status, detail: detail, request: request) }
            return promise.futureResult
        }
    }

    func describe(_ error: Error, request: Request) -> (HTTPStatus, String, [Problem]?) {
        switch error {
        case let error as ValidationProblems:
            return (.unprocessableEntity, error.detail, error.problems)
        case let error as ProblemList:
            return (.unprocessableEntity, "De invoer klopt niet: " + error.problems.map(\.description).joined(separator: "; "), error.problems)
        case let error as InvalidInput:
            return (.unprocessableEntity, "De invoer past niet bij het ontwerp: " + error.problems.map(\.description).joined(separator: "; "), error.problems)
        case let error as DocumentUpload.Refused:
            return (error.status, error.message, nil)
        case let error as FileProblems:
            return (.badRequest, "De inhoud is geen geldig document.", error.problems)
        case let error as DecodingError:
            return (.badRequest, "Het verzoek kon niet worden gelezen.", [Catalog.problem(from: error)])
        case let error as AbortError where error.status == .internalServerError:
            // A 500 from a library (a template, a driver) carries internals: never show them.
            return (.internalServerError, "Er ging aan onze kant iets mis. De fout is vastgelegd; probeer het later opnieuw.", nil)
        case let error as AbortError:
            // Vapor's own aborts carry the English reason phrase; say it in Dutch.
            let reason = error.reason == error.status.reasonPhrase ? Self.dutchReason(error.status) : error.reason
            return (error.status, reason, nil)
        default:
            return (.internalServerError, "Er ging aan onze kant iets mis. De fout is vastgelegd; probeer het later opnieuw.", nil)
        }
    }

    static func dutchReason(_ status: HTTPStatus) -> String {
        switch status {
        case .notFound: "Deze pagina of dit gegeven bestaat niet."
        case .methodNotAllowed: "Deze handeling is hier niet toegestaan."
        case .payloadTooLarge: "Het verzoek is te groot."
        case .unsupportedMediaType: "Dit soort inhoud wordt hier niet geaccepteerd."
        default: "Het verzoek kon niet worden verwerkt (\(status.code))."
        }
    }

    func problemResponse(status: HTTPStatus, detail: String, problems: [Problem]?) -> Response {
        let body = ProblemDetails(title: status.reasonPhrase, status: Int(status.code), detail: detail, errors: problems)
        let response = Response(status: status)
        try? response.content.encode(body, as: .json)
        response.headers.contentType = HTTPMediaType(type: "application", subType: "problem+json", parameters: ["charset": "utf-8"])
        return response
    }

    func page(status: HTTPStatus, detail: String, request: Request) async -> Response {
        struct ErrorData: Encodable {
            var status: Int
            var title: String
            var detail: String
        }
        let title = switch status {
        case .notFound: "Pagina niet gevonden"
        case .forbidden: "Geen toegang"
        case .unauthorized: "Aanmelden vereist"
        case .tooManyRequests: "Te veel pogingen"
        case .badRequest, .unprocessableEntity: "Het verzoek klopt niet"
        default: "Er ging iets mis"
        }
        do {
            let view = try await request.view.render("error", PageContext(request, title: title, data: ErrorData(status: Int(status.code), title: title, detail: detail)))
            let response = try await view.encodeResponse(status: status, for: request)
            return response
        } catch {
            let response = Response(status: status, body: .init(string: "\(title): \(detail)"))
            response.headers.contentType = .plainText
            return response
        }
    }
}
