import Foundation
import NIOCore
import Vapor
import ZorginkoopCatalog
import ZorginkoopCore

/// Every collected body passes here before any handler reads it: a form field or JSON text with a
/// control character the database cannot keep (NUL above all), JSON nested too deep, or a number too
/// large to count with, is refused with the field or place named, and nothing is stored.
/// It also collects the body first: middleware runs before Vapor collects a body for the handler, so
/// a body that arrives in several network reads would otherwise be seen only in part.
/// (A plain `Middleware`: an async one costs executor hops on every request.)
struct InputGuard: Middleware {
    func respond(to request: Request, chainingTo next: Responder) -> EventLoopFuture<Response> {
        let collected: EventLoopFuture<Void> = request.route?.streamsBody != true && request.body.data == nil
            ? request.body.collect(max: request.application.routes.defaultMaxBodySize.value).map { _ in }
            : request.eventLoop.makeSucceededVoidFuture()
        return collected.flatMapThrowing {
            if let body = request.body.data, body.readableBytes > 0, let problem = Self.problem(in: body, contentType: request.headers.contentType) {
                throw ValidationProblems(detail: "Het verzoek is niet verwerkt: \(problem.path.isEmpty ? "" : "\(problem.path): ")\(problem.message). Er is niets opgeslagen.",
                                         problems: [problem])
            }
        }.flatMap { next.respond(to: request) }
    }

    static func problem(in body: ByteBuffer, contentType: HTTPMediaType?) -> Problem? {
        switch contentType?.subType {
        case "x-www-form-urlencoded":
            return formProblem(String(buffer: body))
        case "json", "problem+json", "merge-patch+json":
            return JSONLimits.problem(in: Data(buffer: body))
        default:
            return nil
        }
    }

    /// The first field whose name or value holds a forbidden character, decoded as the form decoder would.
    static func formProblem(_ text: String) -> Problem? {
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            let name = parts[0]
            for part in parts {
                if let scalar = TextRules.forbiddenCharacter(in: part) {
                    return Problem(TextRules.forbiddenCharacter(in: name) == nil ? name : "veldnaam",
                                   "bevat een stuurteken (\(TextRules.describe(scalar))) dat niet kan worden opgeslagen")
                }
            }
        }
        return nil
    }
}
