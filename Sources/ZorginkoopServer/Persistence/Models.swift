import Fluent
import Foundation
import Vapor

// Fluent models live here and in migrations only; controllers hand the domain plain values.

final class UserRecord: Model, @unchecked Sendable {
    static let schema = "users"

    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "name") var name: String
    @Field(key: "role") var role: String
    @OptionalField(key: "municipality") var municipality: String?
    @OptionalParent(key: "organisation_id") var organisation: OrganisationRecord?
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "active") var active: Bool
    /// The password was chosen by someone else: the holder must choose their own before anything else.
    @Field(key: "must_change_password") var mustChangePassword: Bool
    /// Sessions of an earlier epoch no longer count: a new password starts the next one.
    @Field(key: "session_epoch") var sessionEpoch: Int
    /// When the second factor was confirmed; nil without one (the key itself is read by `SecondFactor` only).
    @OptionalField(key: "totp_confirmed_at") var secondFactorConfirmedAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(email: String, name: String, role: Role, municipality: String?, organisationID: UUID?, passwordHash: String) {
        self.email = email
        self.name = name
        self.role = role.rawValue
        self.municipality = municipality
        self.$organisation.id = organisationID
        self.passwordHash = passwordHash
        self.active = true
        self.mustChangePassword = false
        self.sessionEpoch = 0
    }
}

final class OrganisationRecord: Model, @unchecked Sendable {
    static let schema = "organisations"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @OptionalField(key: "kvk_number") var kvkNumber: String?
    @OptionalField(key: "agb_code") var agbCode: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(name: String, kvkNumber: String?, agbCode: String?) {
        self.name = name
        self.kvkNumber = kvkNumber
        self.agbCode = agbCode
    }
}

/// A design as stored: the bundled one the region runs on, and officials' draft copies.
final class DesignRecord: Model, @unchecked Sendable {
    static let schema = "designs"

    @ID(key: .id) var id: UUID?
    @Field(key: "code") var code: String
    @Field(key: "name") var name: String
    /// `region` for the design the region runs on, `draft` for an editable copy.
    @Field(key: "status") var status: String
    @OptionalField(key: "based_on") var basedOn: String?
    /// The design as JSON, in the same format as the bundled files.
    @Field(key: "document") var document: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    init(code: String, name: String, status: String, basedOn: String?, document: String) {
        self.code = code
        self.name = name
        self.status = status
        self.basedOn = basedOn
        self.document = document
    }
}

final class LoginAttemptRecord: Model, @unchecked Sendable {
    static let schema = "login_attempts"

    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "address") var address: String
    @Field(key: "succeeded") var succeeded: Bool
    @Field(key: "at") var at: Date

    init() {}

    init(email: String, address: String, succeeded: Bool, at: Date) {
        self.email = email
        self.address = address
        self.succeeded = succeeded
        self.at = at
    }
}

final class APITokenRecord: Model, @unchecked Sendable {
    static let schema = "api_tokens"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: UserRecord
    @Field(key: "name") var name: String
    /// SHA-256 of the token: the token itself is shown once and never stored.
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "revoked") var revoked: Bool
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(userID: UUID, name: String, tokenHash: String) {
        self.$user.id = userID
        self.name = name
        self.tokenHash = tokenHash
        self.revoked = false
    }
}

final class AuditEntryRecord: Model, @unchecked Sendable {
    static let schema = "audit_entries"

    @ID(key: .id) var id: UUID?
    /// The entry's place in the chain, assigned inside the writing transaction.
    @Field(key: "seq") var seq: Int
    @Field(key: "at") var at: Date
    @Field(key: "actor") var actor: String
    @Field(key: "actor_role") var actorRole: String
    @Field(key: "action") var action: String
    @Field(key: "subject") var subject: String
    @Field(key: "details") var details: String
    @Field(key: "previous_hash") var previousHash: String
    @Field(key: "hash") var hash: String

    init() {}
}

/// The single row that holds the chain's last sequence number and hash. Updating it first in
/// every audited transaction serialises appends on both engines.
final class AuditHeadRecord: Model, @unchecked Sendable {
    static let schema = "audit_head"

    @ID(custom: "id", generatedBy: .user) var id: Int?
    @Field(key: "seq") var seq: Int
    @Field(key: "hash") var hash: String

    init() {}

    init(id: Int, seq: Int, hash: String) {
        self.id = id
        self.seq = seq
        self.hash = hash
    }
}
