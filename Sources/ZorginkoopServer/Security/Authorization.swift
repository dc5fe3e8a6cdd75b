import Vapor

/// The roles a person can have. One per account.
public enum Role: String, CaseIterable, Codable, Sendable {
    case procurementOfficer = "procurement-officer"
    case municipalityOfficial = "municipality-official"
    case assessor
    case provider
    case financeConsultant = "finance-consultant"
    case auditor
    case administrator

    public var dutchName: String {
        switch self {
        case .procurementOfficer: "Inkoper (penvoerder)"
        case .municipalityOfficial: "Gemeentelijk medewerker"
        case .assessor: "Beoordelaar"
        case .provider: "Zorgaanbieder"
        case .financeConsultant: "Financieel adviseur"
        case .auditor: "Auditor"
        case .administrator: "Beheerder"
        }
    }
}

/// What a route lets someone do. Every route names exactly one; `Policy` decides who may.
public enum Permission: String, CaseIterable, Sendable {
    /// The region at a glance: municipalities, the design the region runs on. Everyone signed in.
    case viewRegion
    /// Designs including drafts under preparation: not for providers (contact ban, equal information).
    case viewDesigns
    /// Create and edit draft designs.
    case editDesigns
    /// Read and export the audit trail.
    case readAudit
    /// Accounts of other people.
    case manageUsers
    /// One's own account and access tokens.
    case manageOwnAccount
    /// Tenders: officials see all, providers only published ones (decided where they are read).
    case viewTenders
    /// Create, change and publish tenders; handle questions and publish the Nota van Inlichtingen.
    case manageTenders
    /// A provider's own bid: draft, documents, submission, withdrawal, receipts.
    case prepareBids
    /// Ask questions in a question round (providers only: the contact ban).
    case askQuestions
    /// Confirm the opening of a vault (two different officers open it).
    case openVault
    /// Read bids once the vault is open.
    case readOpenedBids
    /// A provider's own organisation: colleagues.
    case manageOrganisation
    /// The assessment pages: officers run them, assessors score on them, auditors read them.
    case viewAssessment
    /// Form committees, check requirements, record consensus and draws.
    case manageAssessment
    /// Declare conflicts of interest and score (assessors; what they may see, the core decides).
    case scoreBids
    /// The ranking and selection per sub-segment, and the award advice.
    case viewRanking
    /// The award: approvals, the provisional decision, objections, contracts (officials' view).
    case viewAward
    /// A municipality's go/no-go on the provisional award.
    case approveAward
    /// Publish the provisional and final award, handle objections, call up the waiting room.
    case manageAward
    /// A bidder's own award letter and objections.
    case readOwnLetter
    /// The contract register: the region's people see every contract, an official those of the own
    /// municipality, a provider its own (decided by `ContractViewer`).
    case viewContracts
    /// Enter private-tender contracts, accept start proofs, record contract changes.
    case manageContracts
    /// The extension rounds and the coverage of capacity: the region's people and auditors; an
    /// official sees the own municipality's part.
    case viewExtensions
    /// The lead's extension advice, and its adjustment.
    case adviseExtensions
    /// A municipality's intention and decision to extend, for its own municipality.
    case decideExtensions
    /// A provider reports the KPI values of its own contracts.
    case reportKPIs
    /// A provider asks to add or remove a subcontractor of its own contract.
    case requestContractChanges
    /// Money in the contract period: spend against budgets and ceilings, the alerts, the
    /// declarations received. An official sees the own municipality's, a provider its own.
    case viewFinance
    /// Set budgets and ceilings, record a client stop: the finance consultant.
    case manageFinance
    /// Receive declaration messages: the finance consultant for the region, an official for the
    /// own municipality.
    case receiveDeclarations
}

/// Who may do what: decided here and nowhere else.
public enum Policy {
    public static func allows(_ role: Role, _ permission: Permission) -> Bool {
        switch permission {
        case .viewRegion, .manageOwnAccount:
            return true
        case .viewDesigns:
            return role != .provider
        case .editDesigns:
            return role == .procurementOfficer
        case .readAudit:
            return role == .auditor || role == .administrator
        case .manageUsers:
            return role == .administrator
        case .viewTenders:
            return true
        case .manageTenders, .openVault:
            return role == .procurementOfficer
        case .prepareBids, .askQuestions, .manageOrganisation:
            return role == .provider
        case .readOpenedBids:
            return role == .procurementOfficer || role == .auditor
        case .viewAssessment:
            return role == .procurementOfficer || role == .assessor || role == .auditor
        case .manageAssessment:
            return role == .procurementOfficer
        case .scoreBids:
            return role == .assessor
        case .viewRanking, .viewAward:
            return role == .procurementOfficer || role == .municipalityOfficial || role == .auditor
        case .approveAward:
            return role == .municipalityOfficial
        case .manageAward:
            return role == .procurementOfficer
        case .readOwnLetter:
            return role == .provider
        case .viewContracts:
            return role != .assessor && role != .administrator
        case .manageContracts, .adviseExtensions:
            return role == .procurementOfficer
        case .viewExtensions:
            return role == .procurementOfficer || role == .municipalityOfficial || role == .auditor || role == .financeConsultant
        case .decideExtensions:
            return role == .municipalityOfficial
        case .reportKPIs, .requestContractChanges:
            return role == .provider
        case .viewFinance:
            return role != .assessor && role != .administrator
        case .manageFinance:
            return role == .financeConsultant
        case .receiveDeclarations:
            return role == .financeConsultant || role == .municipalityOfficial
        }
    }
}

/// Stores a route's permission on the route itself, so tests can walk every route.
extension Route {
    public var permission: Permission? {
        userInfo["permission"] as? Permission
    }

    /// Whether the handler reads the body as a stream (and so checks a form token itself).
    var streamsBody: Bool { userInfo["streamsBody"] as? Bool ?? false }
}

extension RoutesBuilder {
    /// Registers a route that requires a signed-in user with `permission`.
    @discardableResult
    func on<Response: AsyncResponseEncodable>(
        _ method: HTTPMethod, _ path: PathComponent..., permission: Permission,
        body: HTTPBodyStreamStrategy = .collect,
        use closure: @Sendable @escaping (Request) async throws -> Response
    ) -> Route {
        let route = self.grouped(RequirePermission(permission: permission))
            .on(method, path, body: body, use: closure)
        route.userInfo["permission"] = permission
        if case .stream = body { route.userInfo["streamsBody"] = true }
        return route
    }
}

/// Lets a request through only for a signed-in user whose role has the permission.
struct RequirePermission: Middleware {
    let permission: Permission

    func respond(to request: Request, chainingTo next: Responder) -> EventLoopFuture<Response> {
        guard let user = request.auth.get(AuthenticatedUser.self) else {
            if request.isAPI {
                return request.eventLoop.makeFailedFuture(Abort(.unauthorized, reason: "Aanmelden vereist: gebruik een persoonlijk toegangstoken (Authorization: Bearer …)."))
            }
            return request.eventLoop.makeSucceededFuture(request.redirect(to: AppURL.login(next: request.url.string).path))
        }
        guard Policy.allows(user.role, permission) else {
            return request.eventLoop.makeFailedFuture(Abort(.forbidden, reason: "Uw rol (\(user.role.dutchName)) geeft geen toegang tot deze pagina."))
        }
        // A one-time password opens only the page where it is replaced (and logout).
        if user.mustChangePassword, ![AppURL.accountPassword.path, AppURL.logout.path].contains(request.url.path) {
            if request.isAPI {
                return request.eventLoop.makeFailedFuture(Abort(.forbidden, reason: "Kies eerst een eigen wachtwoord (Mijn account → Wachtwoord wijzigen)."))
            }
            return request.eventLoop.makeSucceededFuture(request.redirect(to: AppURL.accountPassword.path))
        }
        // A role that needs a second factor sets one up before anything else. (An API token is a
        // long random secret of its own, made in a session that had the second factor.)
        if user.role.requiresSecondFactor, !user.hasSecondFactor, !request.isAPI,
           ![AppURL.accountSecondFactor.path, AppURL.accountPassword.path, AppURL.logout.path].contains(request.url.path) {
            return request.eventLoop.makeSucceededFuture(request.redirect(to: AppURL.accountSecondFactor.path))
        }
        return next.respond(to: request)
    }
}

extension Request {
    var isAPI: Bool { url.path.hasPrefix("/api/") }
}
