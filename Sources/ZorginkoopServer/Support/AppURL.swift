import Foundation

/// Every page and link of the web application, in one place.
enum AppURL {
    case home
    case login(next: String?)
    case logout
    case designs
    case design(String)
    case designCopy(String)
    case designEdit(String)
    case audit
    case auditCSV
    case account
    case accountTokens
    case accountToken(UUID)
    case users

    var path: String {
        switch self {
        case .home: "/"
        case let .login(next):
            next.map { "/inloggen?verder=\($0.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(["&", "=", "?"])) ?? "/")" } ?? "/inloggen"
        case .logout: "/uitloggen"
        case .designs: "/ontwerpen"
        case let .design(code): "/ontwerpen/\(code)"
        case let .designCopy(code): "/ontwerpen/\(code)/kopie"
        case let .designEdit(code): "/ontwerpen/\(code)/bewerken"
        case .audit: "/audit"
        case .auditCSV: "/audit.csv"
        case .account: "/account"
        case .accountTokens: "/account/tokens"
        case let .accountToken(id): "/account/tokens/\(id.uuidString)/intrekken"
        case .users: "/beheer/gebruikers"
        }
    }
}
