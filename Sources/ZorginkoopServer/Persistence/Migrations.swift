import Fluent
import SQLKit
import FluentSQLiteDriver
import Vapor

// Numbered migrations. Never edit one that has landed: add the next. SQLite can only add columns,
// so every migration is written for both engines.

struct M001CreateOrganisations: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("organisations")
            .id()
            .field("name", .string, .required)
            .field("kvk_number", .string)
            .field("agb_code", .string)
            .field("created_at", .datetime)
            .unique(on: "name")
            .create()
    }

    func revert(on db: Database) async throws { try await db.schema("organisations").delete() }
}

struct M002CreateUsers: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("users")
            .id()
            .field("email", .string, .required)
            .field("name", .string, .required)
            .field("role", .string, .required)
            .field("municipality", .string)
            .field("organisation_id", .uuid, .references("organisations", "id"))
            .field("password_hash", .string, .required)
            .field("active", .bool, .required)
            .field("created_at", .datetime)
            .unique(on: "email")
            .create()
    }

    func revert(on db: Database) async throws { try await db.schema("users").delete() }
}

struct M003CreateDesigns: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("designs")
            .id()
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("status", .string, .required)
            .field("based_on", .string)
            .field("document", .string, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "code")
            .create()
    }

    func revert(on db: Database) async throws { try await db.schema("designs").delete() }
}

struct M004CreateLoginAttempts: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("login_attempts")
            .id()
            .field("email", .string, .required)
            .field("address", .string, .required)
            .field("succeeded", .bool, .required)
            .field("at", .datetime, .required)
            .create()
    }

    func revert(on db: Database) async throws { try await db.schema("login_attempts").delete() }
}

struct M005CreateAPITokens: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("api_tokens")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id"))
            .field("name", .string, .required)
            .field("token_hash", .string, .required)
            .field("revoked", .bool, .required)
            .field("created_at", .datetime)
            .unique(on: "token_hash")
            .create()
    }

    func revert(on db: Database) async throws { try await db.schema("api_tokens").delete() }
}

struct M006CreateAuditTrail: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("audit_entries")
            .id()
            .field("seq", .int, .required)
            .field("at", .datetime, .required)
            .field("actor", .string, .required)
            .field("actor_role", .string, .required)
            .field("action", .string, .required)
            .field("subject", .string, .required)
            .field("details", .string, .required)
            .field("previous_hash", .string, .required)
            .field("hash", .string, .required)
            .unique(on: "seq")
            .create()
        try await db.schema("audit_head")
            .field("id", .int, .identifier(auto: false))
            .field("seq", .int, .required)
            .field("hash", .string, .required)
            .create()
        try await AuditHeadRecord(id: 1, seq: 0, hash: AuditChain.genesisHash).create(on: db)
    }

    func revert(on db: Database) async throws {
        try await db.schema("audit_head").delete()
        try await db.schema("audit_entries").delete()
    }
}

enum Migrations {
    static func add(to app: Application) {
        app.migrations.add(M001CreateOrganisations())
        app.migrations.add(M002CreateUsers())
        app.migrations.add(M003CreateDesigns())
        app.migrations.add(M004CreateLoginAttempts())
        app.migrations.add(M005CreateAPITokens())
        app.migrations.add(M006CreateAuditTrail())
        app.migrations.add(SessionRecord.migration)
        app.migrations.add(M007CreateTenders())
        app.migrations.add(M008CreateBids())
        app.migrations.add(M009CreateQuestions())
        app.migrations.add(M010StoreChunksUncompressed())
        app.migrations.add(M011CreateAssessments())
        app.migrations.add(M012CreateAwards())
        app.migrations.add(M013IndexParents())
        app.migrations.add(M014AddScopeDigest())
        app.migrations.add(M015AddPasswordChangeRequired())
        app.migrations.add(M016CreateOutboxAndPasswordResets())
        app.migrations.add(M017CreateTenderDocuments())
        app.migrations.add(M018AddSecondFactor())
        app.migrations.add(M019CreateContractRegister())
        app.migrations.add(M020CreateExtensionRounds())
        app.migrations.add(M021CreateKPIReports())
        app.migrations.add(M022CreateSubcontractorRequests())
        app.migrations.add(M023ContractTenderCodes())
        app.migrations.add(M024CreateFinance())
    }
}

/// Accounts whose password someone else chose (an administrator's form, a colleague's invitation,
/// the first start) must choose their own at first login; a new password ends every session that
/// began before it.
struct M015AddPasswordChangeRequired: AsyncMigration {
    func prepare(on db: Database) async throws {
        // One column a statement: SQLite adds one column per ALTER TABLE.
        try await db.schema("users").field("must_change_password", .bool, .required, .sql(.default(false))).update()
        try await db.schema("users").field("session_epoch", .int, .required, .sql(.default(0))).update()
    }

    func revert(on db: Database) async throws {
        try await db.schema("users").deleteField("session_epoch").update()
        try await db.schema("users").deleteField("must_change_password").update()
    }
}

/// The e-mail outbox (a message is written in the transaction of what it tells, and sent later by
/// any instance, retried with back-off) and single-use password-reset links.
struct M016CreateOutboxAndPasswordResets: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("outbox")
            .field("id", .uuid, .identifier(auto: false))
            .field("recipient", .string, .required)
            .field("subject", .string, .required)
            .field("body", .string, .required)
            .field("link", .string)
            .field("created_at", .datetime, .required)
            .field("next_attempt_at", .datetime, .required)
            .field("attempts", .int, .required)
            .field("claimed_until", .datetime)
            .field("sent_at", .datetime)
            .field("last_error", .string)
            .create()
        try await (db as! any SQLDatabase).create(index: "outbox_due").on("outbox").column("sent_at").column("next_attempt_at").run()
        try await db.schema("password_resets")
            .field("id", .uuid, .identifier(auto: false))
            .field("user_id", .uuid, .required, .references("users", "id"))
            .field("token_hash", .string, .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .unique(on: "token_hash")
            .create()
    }

    func revert(on db: Database) async throws {
        try await db.schema("password_resets").delete()
        try await db.schema("outbox").delete()
    }
}

/// The second factor: an account's TOTP key (sealed under the master key), when it was confirmed,
/// the last step accepted (a code works once), and single-use recovery codes as digests.
struct M018AddSecondFactor: AsyncMigration {
    func prepare(on db: Database) async throws {
        // One column a statement: SQLite adds one column per ALTER TABLE.
        try await db.schema("users").field("totp_secret", .data).update()
        try await db.schema("users").field("totp_confirmed_at", .datetime).update()
        try await db.schema("users").field("totp_last_step", .int64).update()
        try await db.schema("recovery_codes")
            .field("id", .uuid, .identifier(auto: false))
            .field("user_id", .uuid, .required, .references("users", "id"))
            .field("code_hash", .string, .required)
            .field("created_at", .datetime, .required)
            .field("used_at", .datetime)
            .create()
        try await (db as! any SQLDatabase).create(index: "recovery_codes_user").on("recovery_codes").column("user_id").run()
    }

    func revert(on db: Database) async throws {
        try await db.schema("recovery_codes").delete()
        try await db.schema("users").deleteField("totp_last_step").update()
        try await db.schema("users").deleteField("totp_confirmed_at").update()
        try await db.schema("users").deleteField("totp_secret").update()
    }
}
