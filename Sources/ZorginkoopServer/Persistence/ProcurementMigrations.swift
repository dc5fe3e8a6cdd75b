import Crypto
import Fluent
import SQLKit
import Vapor

struct M007CreateTenders: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("tenders")
            .id()
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("scope", .string, .required)
            .field("timeline", .string, .required)
            .field("submission_deadline", .datetime, .required)
            .field("published_at", .datetime)
            .field("opened_at", .datetime)
            .field("sealed_key", .data, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "code")
            .create()
        try await db.schema("tender_corrections")
            .id()
            .field("tender_id", .uuid, .required, .references("tenders", "id"))
            .field("number", .int, .required)
            .field("explanation", .string, .required)
            .field("changes", .string, .required)
            .field("published_at", .datetime, .required)
            .field("published_by", .string, .required)
            .unique(on: "tender_id", "number")
            .create()
        try await db.schema("vault_confirmations")
            .id()
            .field("tender_id", .uuid, .required, .references("tenders", "id"))
            .field("officer", .string, .required)
            .field("at", .datetime, .required)
            .create()
    }

    func revert(on db: Database) async throws {
        try await db.schema("vault_confirmations").delete()
        try await db.schema("tender_corrections").delete()
        try await db.schema("tenders").delete()
    }
}

struct M008CreateBids: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("bids")
            .id()
            .field("tender_id", .uuid, .required, .references("tenders", "id"))
            .field("organisation_id", .uuid, .required, .references("organisations", "id"))
            .field("status", .string, .required)
            .field("draft", .data, .required)
            .field("version", .int, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "tender_id", "organisation_id")
            .create()
        try await db.schema("bid_submissions")
            .id()
            .field("bid_id", .uuid, .required, .references("bids", "id"))
            .field("version", .int, .required)
            .field("submitted_at", .datetime, .required)
            .field("submitted_by", .string, .required)
            .field("digest", .string, .required)
            .field("content", .data, .required)
            .field("receipt", .string, .required)
            .field("withdrawn_at", .datetime)
            .unique(on: "bid_id", "version")
            .create()
        try await db.schema("bid_documents")
            .id()
            .field("bid_id", .uuid, .required, .references("bids", "id"))
            .field("purpose", .string, .required)
            .field("sealed_name", .data, .required)
            .field("kind", .string, .required)
            .field("size", .int64, .required)
            .field("sha256", .string, .required)
            .field("chunks", .int, .required)
            .field("complete", .bool, .required)
            .field("removed", .bool, .required)
            .field("created_at", .datetime)
            .create()
        try await db.schema("document_chunks")
            .field("document_id", .uuid, .required, .references("bid_documents", "id"))
            .field("seq", .int, .required)
            .field("data", .data, .required)
            .compositeIdentifier(over: "document_id", "seq")
            .create()
    }

    func revert(on db: Database) async throws {
        try await db.schema("document_chunks").delete()
        try await db.schema("bid_documents").delete()
        try await db.schema("bid_submissions").delete()
        try await db.schema("bids").delete()
    }
}

struct M009CreateQuestions: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("notas")
            .id()
            .field("tender_id", .uuid, .required, .references("tenders", "id"))
            .field("round", .int, .required)
            .field("published_at", .datetime, .required)
            .field("published_by", .string, .required)
            .field("document", .string, .required)
            .field("digest", .string, .required)
            .unique(on: "tender_id", "round")
            .create()
        try await db.schema("questions")
            .id()
            .field("tender_id", .uuid, .required, .references("tenders", "id"))
            .field("organisation_id", .uuid, .required, .references("organisations", "id"))
            .field("asked_by", .string, .required)
            .field("round", .int, .required)
            .field("text", .string, .required)
            .field("document_reference", .string, .required)
            .field("section", .string, .required)
            .field("asked_at", .datetime, .required)
            .field("wording", .string, .required)
            .field("answer", .string, .required)
            .field("merged_into", .uuid)
            .field("nota_id", .uuid, .references("notas", "id"))
            .create()
        try await db.schema("notifications")
            .id()
            .field("organisation_id", .uuid, .required, .references("organisations", "id"))
            .field("text", .string, .required)
            .field("link", .string, .required)
            .field("created_at", .datetime, .required)
            .field("read_at", .datetime)
            .create()
    }

    func revert(on db: Database) async throws {
        try await db.schema("notifications").delete()
        try await db.schema("questions").delete()
        try await db.schema("notas").delete()
    }
}

/// Sealed chunks are ciphertext: incompressible. PostgreSQL would still try to compress every one
/// (TOAST), burning CPU in the middle of a rush; store them as they are. SQLite has nothing to change.
struct M010StoreChunksUncompressed: AsyncMigration {
    func prepare(on db: Database) async throws {
        guard let sql = db as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
        try await sql.raw("ALTER TABLE document_chunks ALTER COLUMN data SET STORAGE EXTERNAL").run()
    }

    func revert(on db: Database) async throws {
        guard let sql = db as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
        try await sql.raw("ALTER TABLE document_chunks ALTER COLUMN data SET STORAGE EXTENDED").run()
    }
}

struct M011CreateAssessments: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("segment_assessments")
            .id()
            .field("tender_id", .uuid, .required, .references("tenders", "id"))
            .field("segment", .string, .required)
            .field("document", .string, .required)
            .field("updated_at", .datetime)
            .unique(on: "tender_id", "segment")
            .create()
        try await db.schema("draws")
            .id()
            .field("tender_id", .uuid, .required, .references("tenders", "id"))
            .field("sub_segment", .string, .required)
            .field("bid_order", .string, .required)
            .field("drawn_by", .string, .required)
            .field("drawn_at", .datetime, .required)
            .unique(on: "tender_id", "sub_segment")
            .create()
    }

    func revert(on db: Database) async throws {
        try await db.schema("draws").delete()
        try await db.schema("segment_assessments").delete()
    }
}

struct M012CreateAwards: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("awards")
            .id()
            .field("tender_id", .uuid, .required, .references("tenders", "id"))
            .field("document", .string, .required)
            .field("updated_at", .datetime)
            .unique(on: "tender_id")
            .create()
    }

    func revert(on db: Database) async throws { try await db.schema("awards").delete() }
}

/// Indexes for the lookups every bid, question and notification page makes by its parent. Without
/// the one on `bid_documents.bid_id` every submission scanned all documents of all bids.
struct M013IndexParents: AsyncMigration {
    static let indexes = [
        ("bid_documents_bid", "bid_documents", "bid_id"),
        ("questions_tender", "questions", "tender_id, organisation_id"),
        ("notifications_organisation", "notifications", "organisation_id"),
    ]

    func prepare(on db: Database) async throws {
        let sql = db as! any SQLDatabase
        for (name, table, columns) in Self.indexes {
            try await sql.raw("CREATE INDEX IF NOT EXISTS \(unsafeRaw: name) ON \(unsafeRaw: table) (\(unsafeRaw: columns))").run()
        }
    }

    func revert(on db: Database) async throws {
        let sql = db as! any SQLDatabase
        for (name, _, _) in Self.indexes {
            try await sql.raw("DROP INDEX IF EXISTS \(unsafeRaw: name)").run()
        }
    }
}

/// The scope's digest next to the scope, filled in for the tenders that exist.
struct M014AddScopeDigest: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("tenders").field("scope_digest", .string).update()
        struct Row: Decodable { var id: UUID; var scope: String }
        let sql = db as! any SQLDatabase
        for tender in try await sql.select().columns("id", "scope").from("tenders").all(decoding: Row.self) {
            try await sql.update("tenders").set("scope_digest", to: SHA256.hash(data: Data(tender.scope.utf8)).hex)
                .where("id", .equal, tender.id).run()
        }
    }

    func revert(on db: Database) async throws {
        try await db.schema("tenders").deleteField("scope_digest").update()
    }
}

/// Tender documents (selection guide, programme of requirements, draft contract, annexes) in
/// numbered versions, and the document a question cites. A version's bytes are stored as the bid
/// documents' are: sealed with the tender key in chunks, in a chunk table of the same layout whose
/// rows reference the version (the bid documents' chunk table references `bid_documents`, and a
/// SQLite table cannot change its foreign keys). A version counts once `complete` is set, in the
/// audited transaction that numbers it; until then it has no document and no number.
struct M017CreateTenderDocuments: AsyncMigration {
    func prepare(on db: Database) async throws {
        try await db.schema("tender_documents")
            .id()
            .field("tender_id", .uuid, .required, .references("tenders", "id"))
            .field("number", .int, .required)
            .field("title", .string, .required)
            .field("kind", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "tender_id", "number")
            .create()
        try await db.schema("tender_document_versions")
            .id()
            .field("tender_id", .uuid, .required, .references("tenders", "id"))
            .field("document_id", .uuid, .references("tender_documents", "id"))
            .field("version", .int, .required)
            .field("filename", .string, .required)
            .field("content_type", .string, .required)
            .field("size", .int64, .required)
            .field("sha256", .string, .required)
            .field("chunks", .int, .required)
            .field("complete", .bool, .required)
            .field("uploaded_by", .uuid)
            .field("uploaded_by_email", .string, .required)
            .field("uploaded_at", .datetime, .required)
            .field("correction_number", .int)
            .field("correction_reason", .string)
            .unique(on: "document_id", "version")
            .create()
        try await db.schema("tender_document_chunks")
            .field("document_id", .uuid, .required, .references("tender_document_versions", "id"))
            .field("seq", .int, .required)
            .field("data", .data, .required)
            .compositeIdentifier(over: "document_id", "seq")
            .create()
        let sql = db as! any SQLDatabase
        try await sql.raw("CREATE INDEX IF NOT EXISTS tender_document_versions_tender ON tender_document_versions (tender_id)").run()
        if sql.dialect.name == "postgresql" {
            // Sealed chunks are incompressible (see M010).
            try await sql.raw("ALTER TABLE tender_document_chunks ALTER COLUMN data SET STORAGE EXTERNAL").run()
        }
        // The document a question cites, and its version then; older rows keep their free-text reference.
        try await db.schema("questions").field("document_id", .uuid).update()
        try await db.schema("questions").field("document_version", .int).update()
    }

    func revert(on db: Database) async throws {
        try await db.schema("questions").deleteField("document_version").update()
        try await db.schema("questions").deleteField("document_id").update()
        try await db.schema("tender_document_chunks").delete()
        try await db.schema("tender_document_versions").delete()
        try await db.schema("tender_documents").delete()
    }
}
