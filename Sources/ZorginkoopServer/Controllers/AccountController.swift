import Fluent
import Foundation
import Vapor

struct AccountController {
    func boot(_ routes: RoutesBuilder) {
        routes.on(.GET, "account", permission: .manageOwnAccount, use: page)
        routes.on(.POST, "account", "tokens", permission: .manageOwnAccount, use: createToken)
        routes.on(.POST, "account", "tokens", ":id", "intrekken", permission: .manageOwnAccount, use: revokeToken)
    }

    struct TokenRow: Encodable {
        var name: String
        var created: String
        var revoked: Bool
        var revokeAction: String
    }

    struct PageData: Encodable {
        var email: String
        var role: String
        var municipality: String?
        var tokens: [TokenRow]
        var newToken: String?
        var error: String?
        var createAction: String
        var passwordHref = AppURL.accountPassword.path
        var secondFactorHref = AppURL.accountSecondFactor.path
    }

    func page(req: Request) async throws -> View {
        try await render(req, newToken: nil, error: nil)
    }

    func render(_ req: Request, newToken: String?, error: String?) async throws -> View {
        let user = try req.auth.require(AuthenticatedUser.self)
        let tokens = try await APITokenRecord.query(on: req.db).filter(\.$user.$id == user.id).sort(\.$createdAt, .descending).all()
        let data = PageData(
            email: user.email, role: user.role.dutchName, municipality: user.municipality,
            tokens: try tokens.map { t in
                TokenRow(name: t.name, created: t.createdAt.map(DutchTime.dateTime) ?? "–", revoked: t.revoked,
                         revokeAction: AppURL.accountToken(try t.requireID()).path)
            },
            newToken: newToken, error: error, createAction: AppURL.accountTokens.path)
        return try await req.view.render("account", PageContext(req, title: "Mijn account", data: data))
    }

    struct TokenForm: Content {
        var name: String?
    }

    func createToken(req: Request) async throws -> Response {
        let user = try req.auth.require(AuthenticatedUser.self)
        let name = (try req.content.decode(TokenForm.self).name ?? "").trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 80 else {
            return try await render(req, newToken: nil, error: "Geef het token een naam van 1 tot 80 tekens, zodat u het later herkent.")
                .encodeResponse(status: .unprocessableEntity, for: req)
        }
        let token = Tokens.generate()
        try await req.audited("token.created", subject: user.email, details: ["name": name]) { db in
            try await APITokenRecord(userID: user.id, name: name, tokenHash: Tokens.digest(token)).create(on: db)
        }
        return try await render(req, newToken: token, error: nil).encodeResponse(status: .created, for: req)
    }

    func revokeToken(req: Request) async throws -> Response {
        let user = try req.auth.require(AuthenticatedUser.self)
        guard let id = req.parameters.get("id", as: UUID.self),
              let token = try await APITokenRecord.query(on: req.db).filter(\.$id == id).filter(\.$user.$id == user.id).first() else {
            throw Abort(.notFound, reason: "Dit token bestaat niet of is niet van u.")
        }
        let name = token.name
        try await req.audited("token.revoked", subject: user.email, details: ["name": name]) { db in
            token.revoked = true
            try await token.update(on: db)
        }
        return req.redirect(to: AppURL.account.path)
    }
}
