import Fluent
import Foundation
import Vapor
import ZorginkoopCore

/// A request for a new account, from the command line, the administrator's form or the demo.
public struct NewAccount: Sendable {
    public var email: String
    public var name: String
    public var role: Role
    public var municipality: String?
    public var organisation: String?
    public var password: String
    /// A one-time password, chosen by someone else: the holder must replace it at first login.
    public var oneTimePassword: Bool

    public init(email: String, name: String, role: Role, municipality: String? = nil, organisation: String? = nil, password: String,
                oneTimePassword: Bool = false) {
        self.email = email
        self.name = name
        self.role = role
        self.municipality = municipality
        self.organisation = organisation
        self.password = password
        self.oneTimePassword = oneTimePassword
    }
}

/// Problems with a new account, per field, in Dutch.
public struct AccountProblems: Error, Sendable {
    public var fields: [String: String]
}

public enum Accounts {
    static let minimumPasswordLength = 12

    /// Checks the account against the region; returns the problems per field name.
    static func problems(_ account: NewAccount, region: Design, on db: Database) async throws -> [String: String] {
        var problems: [String: String] = [:]
        let email = account.email.trimmingCharacters(in: .whitespaces).lowercased()
        let parts = email.split(separator: "@")
        if parts.count != 2 || parts[0].isEmpty || !parts[1].contains(".") || email.count > 254
            || email.unicodeScalars.contains(where: { $0.properties.isWhitespace || TextRules.forbiddenCharacter(inName: String($0)) != nil }) {
            problems["email"] = "Vul een geldig e-mailadres in, zoals naam@gemeente.nl."
        } else if try await UserRecord.query(on: db).filter(\.$email == email).count() > 0 {
            problems["email"] = "Er bestaat al een account met dit e-mailadres."
        }
        if account.name.trimmingCharacters(in: .whitespaces).isEmpty {
            problems["name"] = "Vul een naam in."
        } else if let problem = nameProblem(account.name) {
            problems["name"] = problem
        }
        if account.password.count < minimumPasswordLength {
            problems["password"] = "Kies een wachtwoord van minstens \(minimumPasswordLength) tekens."
        }
        switch account.role {
        case .municipalityOfficial:
            if let code = account.municipality, region.municipality(code) != nil {
                break
            }
            problems["municipality"] = "Kies de gemeente van deze medewerker (\(region.region.municipalities.map(\.code).joined(separator: ", ")))."
        case .provider:
            if (account.organisation ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                problems["organisation"] = "Vul de organisatie van deze zorgaanbieder in."
            } else if let problem = nameProblem(account.organisation ?? "") {
                problems["organisation"] = problem
            }
        default:
            if account.municipality != nil && !(account.municipality ?? "").isEmpty {
                problems["municipality"] = "Alleen een gemeentelijk medewerker hoort bij een gemeente."
            }
        }
        return problems
    }

    /// A name of a person or an organisation: shown on letters and in the audit trail, so no
    /// characters that hide or reorder it, and of a length that fits on a line.
    static func nameProblem(_ name: String) -> String? {
        if let problem = TextRules.problem(inName: name) { return problem.prefix(1).uppercased() + problem.dropFirst() + "." }
        if name.count > 200 { return "Een naam heeft hoogstens 200 tekens." }
        return nil
    }

    /// Creates the account (and its organisation when new), audited in the same transaction.
    @discardableResult
    public static func create(_ account: NewAccount, actor: String, actorRole: String = "system", clock: AppClock, cost: Int = 12,
                              on db: Database) async throws -> UUID {
        let region = try await DesignStore.region(on: db).design
        let problems = try await problems(account, region: region, on: db)
        guard problems.isEmpty else { throw AccountProblems(fields: problems) }
        let hash = try Bcrypt.hash(account.password, cost: cost)
        let email = account.email.trimmingCharacters(in: .whitespaces).lowercased()
        let organisationName = account.role == .provider ? account.organisation?.trimmingCharacters(in: .whitespaces) : nil
        let municipality = account.role == .municipalityOfficial ? account.municipality : nil
        return try await db.audited("user.created", subject: email, actor: actor, actorRole: actorRole, clock: clock,
                                    details: ["role": account.role.rawValue, "municipality": municipality ?? "",
                                              "organisation": organisationName ?? ""]) { db in
            // Checked again under the chain's lock: two requests for one address create one account.
            if try await UserRecord.query(on: db).filter(\.$email == email).count() > 0 {
                throw AccountProblems(fields: ["email": "Er bestaat al een account met dit e-mailadres."])
            }
            var organisationID: UUID?
            if let organisationName {
                if let existing = try await OrganisationRecord.query(on: db).filter(\.$name == organisationName).first() {
                    organisationID = existing.id
                } else {
                    let organisation = OrganisationRecord(name: organisationName, kvkNumber: nil, agbCode: nil)
                    try await organisation.create(on: db)
                    organisationID = organisation.id
                }
            }
            let user = UserRecord(email: email, name: account.name, role: account.role, municipality: municipality,
                                  organisationID: organisationID, passwordHash: hash)
            user.mustChangePassword = account.oneTimePassword
            try await user.create(on: db)
            return try user.requireID()
        }
    }
}

/// A care provider signing up: its organisation and its first user.
public struct ProviderRegistration: Sendable {
    public var organisation: String
    public var kvkNumber: String
    public var agbCode: String
    public var name: String
    public var email: String
    public var password: String

    public init(organisation: String, kvkNumber: String, agbCode: String, name: String, email: String, password: String) {
        self.organisation = organisation
        self.kvkNumber = kvkNumber
        self.agbCode = agbCode
        self.name = name
        self.email = email
        self.password = password
    }
}

extension Accounts {
    /// Registers a provider organisation with its first user; both, audited, or neither.
    @discardableResult
    public static func register(_ registration: ProviderRegistration, clock: AppClock, cost: Int = 12, on db: Database) async throws -> UUID {
        let name = registration.organisation.trimmingCharacters(in: .whitespacesAndNewlines)
        let kvk = Registration.normalised(registration.kvkNumber)
        let agb = Registration.normalised(registration.agbCode)
        let account = NewAccount(email: registration.email, name: registration.name, role: .provider, organisation: name, password: registration.password)
        var problems = try await problems(account, region: try await DesignStore.region(on: db).design, on: db)
        if name.isEmpty { problems["organisation"] = "Vul de naam van uw organisatie in." }
        if let problem = Registration.kvkProblem(kvk) { problems["kvkNumber"] = "KvK-nummer: \(problem)." }
        if let problem = Registration.agbProblem(agb) { problems["agbCode"] = "AGB-code: \(problem)." }
        if try await OrganisationRecord.query(on: db).group(.or, { $0.filter(\.$name == name).filter(\.$kvkNumber == kvk) }).count() > 0 {
            problems["organisation"] = "Deze organisatie (naam of KvK-nummer) is al geregistreerd; vraag een collega u uit te nodigen."
        }
        guard problems.isEmpty else { throw AccountProblems(fields: problems) }
        let hash = try Bcrypt.hash(registration.password, cost: cost)
        let email = registration.email.trimmingCharacters(in: .whitespaces).lowercased()
        return try await db.audited("provider.registered", subject: name, actor: email, actorRole: Role.provider.rawValue, clock: clock,
                                    details: ["kvk": kvk, "agb": agb, "email": email]) { db in
            let organisations = try await OrganisationRecord.query(on: db).group(.or, { $0.filter(\.$name == name).filter(\.$kvkNumber == kvk) }).count()
            let users = try await UserRecord.query(on: db).filter(\.$email == email).count()
            if organisations + users > 0 {
                throw AccountProblems(fields: ["organisation": "Deze organisatie of dit e-mailadres is al geregistreerd."])
            }
            let organisation = OrganisationRecord(name: name, kvkNumber: kvk, agbCode: agb)
            try await organisation.create(on: db)
            let user = UserRecord(email: email, name: registration.name, role: .provider, municipality: nil,
                                  organisationID: try organisation.requireID(), passwordHash: hash)
            try await user.create(on: db)
            return try organisation.requireID()
        }
    }
}

extension Accounts {
    /// Replaces a password after checking the current one; ends every session that began before,
    /// audited. Problems per field: current, new, repeat.
    /// Returns the instant from which sessions count.
    @discardableResult
    public static func changePassword(of id: UUID, current: String, new: String, repeated: String, clock: AppClock, cost: Int,
                                      on db: Database) async throws -> Int {
        guard let user = try await UserRecord.find(id, on: db), user.active else { throw Abort(.notFound) }
        var problems: [String: String] = [:]
        if !(try Bcrypt.verify(current, created: user.passwordHash)) { problems["current"] = "Dit is niet uw huidige wachtwoord." }
        if new.count < minimumPasswordLength {
            problems["new"] = "Kies een wachtwoord van minstens \(minimumPasswordLength) tekens."
        } else if new == current {
            problems["new"] = "Kies een ander wachtwoord dan het huidige."
        }
        if problems["new"] == nil && repeated != new { problems["repeat"] = "De twee nieuwe wachtwoorden zijn niet gelijk." }
        guard problems.isEmpty else { throw AccountProblems(fields: problems) }
        let hash = try Bcrypt.hash(new, cost: cost)
        return try await db.audited("user.password-changed", subject: user.email, actor: user.email, actorRole: user.role, clock: clock,
                                    details: ["eenmalig wachtwoord vervangen": user.mustChangePassword ? "ja" : "nee"]) { db in
            try await UserRecord.query(on: db).filter(\.$id == id)
                .set(\.$passwordHash, to: hash).set(\.$mustChangePassword, to: false).update()
            return try await Accounts.startSessionEpoch(of: id, on: db)
        }
    }

    /// Removes a lost second factor (the administrator's page, or the command line for the only
    /// administrator): the account's sessions end, and its holder sets up a new app at the next login.
    public static func removeSecondFactor(email: String, actor: String, actorRole: String, clock: AppClock, on db: Database) async throws {
        let address = email.trimmingCharacters(in: .whitespaces).lowercased()
        guard let user = try await UserRecord.query(on: db).filter(\.$email == address).first() else {
            throw AccountProblems(fields: ["email": "Er is geen account met het e-mailadres \(address)."])
        }
        let id = try user.requireID()
        guard user.secondFactorConfirmedAt != nil else {
            throw AccountProblems(fields: ["email": "Het account \(address) heeft geen tweestapsverificatie ingesteld."])
        }
        try await db.audited("user.second-factor-removed", subject: address, actor: actor, actorRole: actorRole, clock: clock) { db in
            try await SecondFactor.remove(of: id, on: db)
            _ = try await startSessionEpoch(of: id, on: db)
        }
    }

    /// Ends every session of the account: the next epoch, returned for the session that goes on.
    static func startSessionEpoch(of id: UUID, on db: Database) async throws -> Int {
        guard let user = try await UserRecord.find(id, on: db) else { throw Abort(.notFound) }
        user.sessionEpoch += 1
        try await user.update(on: db)
        return user.sessionEpoch
    }

    /// An administrator (de)activates an account: an inactive account's sessions and tokens stop
    /// on its next request, because both are checked against the account every time.
    public static func setActive(_ active: Bool, user id: UUID, actor: String, actorRole: String, reason: String, clock: AppClock,
                                 on db: Database) async throws {
        guard let user = try await UserRecord.find(id, on: db) else { throw Abort(.notFound, reason: "Dit account bestaat niet.") }
        try await db.audited(active ? "user.activated" : "user.deactivated", subject: user.email, actor: actor, actorRole: actorRole,
                             clock: clock, details: ["reden": reason]) { db in
            try await UserRecord.query(on: db).filter(\.$id == id).set(\.$active, to: active).update()
        }
    }
}
