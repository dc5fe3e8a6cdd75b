import Fluent
import Foundation
import Vapor

/// Choosing one's own password: required after a one-time password, possible at any time. A new
/// password ends every other session of the account.
struct PasswordController {
    func boot(_ routes: RoutesBuilder) {
        routes.on(.GET, "account", "wachtwoord", permission: .manageOwnAccount, use: form)
        routes.on(.POST, "account", "wachtwoord", permission: .manageOwnAccount, use: change)
    }

    struct PageData: Encodable {
        var action: String
        var required: Bool
        var errors: [String: String]
        var hasErrors: Bool
        var changed: Bool
    }

    func form(req: Request) async throws -> View {
        try await render(req, errors: [:], changed: req.query[String.self, at: "gewijzigd"] != nil)
    }

    func render(_ req: Request, errors: [String: String], changed: Bool) async throws -> View {
        let user = try req.auth.require(AuthenticatedUser.self)
        return try await req.view.render("password", PageContext(req, title: "Wachtwoord wijzigen", data: PageData(
            action: AppURL.accountPassword.path, required: user.mustChangePassword, errors: errors, hasErrors: !errors.isEmpty, changed: changed)))
    }

    func change(req: Request) async throws -> Response {
        let user = try req.auth.require(AuthenticatedUser.self)
        let form = try PostedForm(req)
        let epoch: Int
        do {
            epoch = try await Accounts.changePassword(of: user.id, current: form["current"], new: form["new"], repeated: form["repeat"],
                                              clock: req.application.clock, cost: req.application.zorginkoop.bcryptCost, on: req.writer)
        } catch let problems as AccountProblems {
            return try await render(req, errors: problems.fields, changed: false).encodeResponse(status: .unprocessableEntity, for: req)
        }
        // This session goes on, as one that began with the new password; all others have ended.
        req.session.data["epoch"] = String(epoch)
        return req.redirect(to: AppURL.accountPassword.path + "?gewijzigd=1")
    }
}
