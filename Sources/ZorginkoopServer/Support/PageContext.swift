import Vapor

/// What every page's layout needs, around the page's own data.
struct PageContext<Data: Encodable>: Encodable {
    struct NavItem: Encodable {
        var label: String
        var href: String
        var current: Bool
    }

    struct UserInfo: Encodable {
        var name: String
        var role: String
    }

    var title: String
    var user: UserInfo?
    var nav: [NavItem]
    var csrf: String
    var data: Data

    init(_ request: Request, title: String, data: Data) {
        self.title = title
        self.data = data
        let user = request.auth.get(AuthenticatedUser.self)
        self.user = user.map { UserInfo(name: $0.name, role: $0.role.dutchName) }
        // Pages with forms: every page of a signed-in user (logout), and the forms anyone may fill in.
        self.csrf = user != nil || AppURL.anonymousForms.contains(request.url.path) ? request.csrfToken : ""
        var items: [(String, AppURL, Permission)] = [("Regio", .home, .viewRegion), ("Aanbestedingen", .tenders, .viewTenders),
                                                      ("Contracten", .contracts, .viewContracts),
                                                      ("Verlengingen", .extensions, .viewExtensions), ("KPI's", .kpis, .viewContracts),
                                                      ("Financiën", .finance, .viewFinance),
                                                      ("Ontwerpen", .designs, .viewDesigns), ("Meldingen", .notifications, .prepareBids),
                                                      ("Mijn organisatie", .organisation, .manageOrganisation),
                                                      ("Audittrail", .audit, .readAudit), ("Gebruikers", .users, .manageUsers),
                                                      ("Mijn account", .account, .manageOwnAccount)]
        if let user {
            items = items.filter { Policy.allows(user.role, $0.2) }
        } else {
            items = []
        }
        let path = request.url.path
        nav = items.map { label, url, _ in
            NavItem(label: label, href: url.path, current: url.path == "/" ? path == "/" : path.hasPrefix(url.path))
        }
    }
}
