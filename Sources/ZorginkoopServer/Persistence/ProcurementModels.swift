import Crypto
import Fluent
import Foundation
import Vapor
import ZorginkoopCore

/// A tender as run on the platform: a tender of a design with its chosen sub-segments, go/no-go
/// and timeline (`scope` and `timeline` as JSON), and its vault key sealed by the master key.
final class TenderRecord: Model, @unchecked Sendable {
    static let schema = "tenders"

    @ID(key: .id) var id: UUID?
    @Field(key: "code") var code: String
    @Field(key: "name") var name: String
    /// `TenderScope` as JSON: the design is copied in, so the tender keeps its own frozen design.
    @Field(key: "scope") var scope: String
    /// SHA-256 of `scope`: requests compare it with their decoded copy instead of reading the scope.
    @OptionalField(key: "scope_digest") var scopeDigest: String?
    /// `TenderTimeline` as JSON.
    @Field(key: "timeline") var timeline: String
    @Field(key: "submission_deadline") var submissionDeadline: Date
    @OptionalField(key: "published_at") var publishedAt: Date?
    @OptionalField(key: "opened_at") var openedAt: Date?
    @Field(key: "sealed_key") var sealedKey: Data
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    /// The only way the scope is written: its text and its digest together.
    func setScope(_ value: TenderScope) {
        scope = StoredJSON.string(value)
        scopeDigest = SHA256.hash(data: Data(scope.utf8)).hex
    }
}

/// A change to a published tender, published to everyone.
final class TenderCorrectionRecord: Model, @unchecked Sendable {
    static let schema = "tender_corrections"

    @ID(key: .id) var id: UUID?
    @Parent(key: "tender_id") var tender: TenderRecord
    @Field(key: "number") var number: Int
    @Field(key: "explanation") var explanation: String
    /// The changed values, as JSON `[{"field", "old", "new"}]`.
    @Field(key: "changes") var changes: String
    @Field(key: "published_at") var publishedAt: Date
    @Field(key: "published_by") var publishedBy: String

    init() {}
}

/// A provider's bid in a tender: one per organisation. The draft is sealed with the tender key.
final class BidRecord: Model, @unchecked Sendable {
    static let schema = "bids"

    @ID(key: .id) var id: UUID?
    @Parent(key: "tender_id") var tender: TenderRecord
    @Parent(key: "organisation_id") var organisation: OrganisationRecord
    /// `draft`, `submitted` or `withdrawn`.
    @Field(key: "status") var status: String
    @Field(key: "draft") var draft: Data
    /// Submissions so far; the last one counts unless withdrawn.
    @Field(key: "version") var version: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
}

/// One submitted version of a bid: its sealed content and its receipt (in clear: timestamps and digests only).
final class BidSubmissionRecord: Model, @unchecked Sendable {
    static let schema = "bid_submissions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "bid_id") var bid: BidRecord
    @Field(key: "version") var version: Int
    @Field(key: "submitted_at") var submittedAt: Date
    @Field(key: "submitted_by") var submittedBy: String
    @Field(key: "digest") var digest: String
    /// `SealedSubmission` as JSON, sealed with the tender key.
    @Field(key: "content") var content: Data
    /// `Receipt` as JSON.
    @Field(key: "receipt") var receipt: String
    @OptionalField(key: "withdrawn_at") var withdrawnAt: Date?

    init() {}
}

/// A document attached to a bid. Its name and bytes are sealed; its size, type and digest are not.
final class BidDocumentRecord: Model, @unchecked Sendable {
    static let schema = "bid_documents"

    @ID(key: .id) var id: UUID?
    @Parent(key: "bid_id") var bid: BidRecord
    /// `requirement:CODE`, `criterion:CODE` or `general`.
    @Field(key: "purpose") var purpose: String
    @Field(key: "sealed_name") var sealedName: Data
    @Field(key: "kind") var kind: String
    @Field(key: "size") var size: Int
    @Field(key: "sha256") var sha256: String
    @Field(key: "chunks") var chunks: Int
    /// Set when the last chunk is stored; an upload cut off halfway never counts.
    @Field(key: "complete") var complete: Bool
    /// Taken off the draft; kept while an earlier submission lists it.
    @Field(key: "removed") var removed: Bool
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

final class VaultConfirmationRecord: Model, @unchecked Sendable {
    static let schema = "vault_confirmations"

    @ID(key: .id) var id: UUID?
    @Parent(key: "tender_id") var tender: TenderRecord
    @Field(key: "officer") var officer: String
    @Field(key: "at") var at: Date

    init() {}
}

/// A provider's question in a question round, and the officer's handling of it.
final class QuestionRecord: Model, @unchecked Sendable {
    static let schema = "questions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "tender_id") var tender: TenderRecord
    @Parent(key: "organisation_id") var organisation: OrganisationRecord
    @Field(key: "asked_by") var askedBy: String
    @Field(key: "round") var round: Int
    @Field(key: "text") var text: String
    @Field(key: "document_reference") var documentReference: String
    @Field(key: "section") var section: String
    /// The tender document cited (M017), and its version when the question was asked; nil for a
    /// question without one, and for older questions that cite by free text (`documentReference`).
    @OptionalField(key: "document_id") var documentID: UUID?
    @OptionalField(key: "document_version") var documentVersion: Int?
    @Field(key: "asked_at") var askedAt: Date
    /// The wording to publish (anonymised by the officer); starts as the question's text.
    @Field(key: "wording") var wording: String
    @Field(key: "answer") var answer: String
    @OptionalField(key: "merged_into") var mergedInto: UUID?
    @OptionalField(key: "nota_id") var notaID: UUID?

    init() {}
}

final class NotaRecord: Model, @unchecked Sendable {
    static let schema = "notas"

    @ID(key: .id) var id: UUID?
    @Parent(key: "tender_id") var tender: TenderRecord
    @Field(key: "round") var round: Int
    @Field(key: "published_at") var publishedAt: Date
    @Field(key: "published_by") var publishedBy: String
    /// `NotaVanInlichtingen` as JSON.
    @Field(key: "document") var document: String
    @Field(key: "digest") var digest: String

    init() {}
}

/// A message to a provider organisation in the application.
final class NotificationRecord: Model, @unchecked Sendable {
    static let schema = "notifications"

    @ID(key: .id) var id: UUID?
    @Parent(key: "organisation_id") var organisation: OrganisationRecord
    @Field(key: "text") var text: String
    @Field(key: "link") var link: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "read_at") var readAt: Date?

    init() {}
}

/// The assessment of one segment of a tender: the core's `SegmentAssessment` as JSON (committee,
/// declarations, requirement checks, individual scores, consensus with revisions).
final class SegmentAssessmentRecord: Model, @unchecked Sendable {
    static let schema = "segment_assessments"

    @ID(key: .id) var id: UUID?
    @Parent(key: "tender_id") var tender: TenderRecord
    @Field(key: "segment") var segment: String
    @Field(key: "document") var document: String
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
}

/// A draw that ordered bids with equal scores in a sub-segment: who drew, when, the order.
final class DrawRecord: Model, @unchecked Sendable {
    static let schema = "draws"

    @ID(key: .id) var id: UUID?
    @Parent(key: "tender_id") var tender: TenderRecord
    @Field(key: "sub_segment") var subSegment: String
    /// Bid ids as JSON, the winner of the draw first.
    @Field(key: "bid_order") var order: String
    @Field(key: "drawn_by") var drawnBy: String
    @Field(key: "drawn_at") var drawnAt: Date

    init() {}
}

/// The award of a tender: municipalities' approvals, the provisional decision with its letters,
/// objections, final awards with contracts and waiting-room call-ups (`AwardState` as JSON).
final class AwardRecord: Model, @unchecked Sendable {
    static let schema = "awards"

    @ID(key: .id) var id: UUID?
    @Parent(key: "tender_id") var tender: TenderRecord
    @Field(key: "document") var document: String
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
}

/// A document an officer attached to a tender: its number in the tender (1, 2, …), title and kind
/// (`TenderDocumentKind`). Its files are the versions.
final class TenderDocumentRecord: Model, @unchecked Sendable {
    static let schema = "tender_documents"

    @ID(key: .id) var id: UUID?
    @Parent(key: "tender_id") var tender: TenderRecord
    @Field(key: "number") var number: Int
    @Field(key: "title") var title: String
    @Field(key: "kind") var kind: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// One version of a tender document: the file (its bytes sealed in `tender_document_chunks`), who
/// uploaded it and when, and for a correction its number in the tender and its reason. Every
/// version is kept. A version being received has no document and version 0 until it is complete.
final class TenderDocumentVersionRecord: Model, @unchecked Sendable {
    static let schema = "tender_document_versions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "tender_id") var tender: TenderRecord
    @OptionalParent(key: "document_id") var document: TenderDocumentRecord?
    @Field(key: "version") var version: Int
    @Field(key: "filename") var filename: String
    @Field(key: "content_type") var contentType: String
    @Field(key: "size") var size: Int
    @Field(key: "sha256") var sha256: String
    @Field(key: "chunks") var chunks: Int
    @Field(key: "complete") var complete: Bool
    @OptionalField(key: "uploaded_by") var uploadedBy: UUID?
    @Field(key: "uploaded_by_email") var uploadedByEmail: String
    @Field(key: "uploaded_at") var uploadedAt: Date
    @OptionalField(key: "correction_number") var correctionNumber: Int?
    @OptionalField(key: "correction_reason") var correctionReason: String?

    init() {}
}
