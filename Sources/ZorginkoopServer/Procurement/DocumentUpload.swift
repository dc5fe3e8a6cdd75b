import Crypto
import Fluent
import Foundation
import SQLKit
import Vapor
import ZorginkoopCore

/// Receives one document as a stream: it is hashed as it arrives and stored sealed in chunks, so no
/// document is ever whole in memory. The document counts only once its last chunk is stored.
struct DocumentUpload {
    let tender: LoadedTender
    let bidID: UUID
    let purpose: String
    let filename: String
    let key: SymmetricKey
    let request: Request

    private func write<T: Sendable>(_ work: @escaping @Sendable (Database) async throws -> T) async throws -> T {
        try await SealedChunks.bulkWrite(request, work)
    }

    struct Refused: Error {
        var status: HTTPResponseStatus
        var message: String
    }

    /// Validates the purpose and name, then stores the bytes `chunks` yields.
    static func validate(purpose: String, filename: String, scope: TenderScope) -> String? {
        if filename.isBlank || filename.count > 200 { return "geef het bestand een naam van hoogstens 200 tekens" }
        if purpose == "general" { return nil }
        let parts = purpose.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return "onbekend doel '\(purpose)'; kies general, requirement:CODE of criterion:CODE" }
        switch parts[0] {
        case "requirement" where scope.design.requirements.contains { $0.code == parts[1] }: return nil
        case "criterion" where scope.design.lots.flatMap(\.criteria).contains { $0.code == parts[1] }: return nil
        default: return "onbekend doel '\(purpose)'; kies general, requirement:CODE of criterion:CODE"
        }
    }

    /// Stores the document and returns it; on any failure nothing of it remains.
    func store<Bytes: AsyncSequence>(_ bytes: Bytes) async throws -> DocumentInfo where Bytes.Element == ByteBuffer {
        let id = UUID.timeOrdered()
        let record = BidDocumentRecord()
        record.id = id
        record.$bid.id = bidID
        record.purpose = purpose
        record.sealedName = try VaultKeys.seal(Data(filename.utf8), key: key, context: "document-name:\(id)")
        record.kind = ""
        record.size = 0
        record.sha256 = ""
        record.chunks = 0
        record.complete = false
        record.removed = false
        try await write { try await record.create(on: $0) }
        do {
            return try await receive(bytes, into: record)
        } catch {
            try? await discard(id)
            throw error
        }
    }

    private func receive<Bytes: AsyncSequence>(_ bytes: Bytes, into record: BidDocumentRecord) async throws -> DocumentInfo where Bytes.Element == ByteBuffer {
        let id = try record.requireID()
        var kind: DocumentKind?
        let filename = self.filename
        let received = try await SealedChunks(table: "document_chunks", context: "document", id: id, key: key).receive(bytes, on: request, inspect: { prefix in
            guard let recognised = DocumentKind.recognise(prefix) else {
                throw Refused(status: .unsupportedMediaType,
                              message: "‘\(filename)’ is geen PDF, DOCX, XLSX, ODT, PNG of JPEG (het type wordt aan de inhoud herkend, niet aan de naam).")
            }
            kind = recognised
        }, checkSize: { size in
            guard size <= DocumentKind.maximumSize else {
                throw Refused(status: .payloadTooLarge, message: "‘\(filename)’ is groter dan \(DocumentKind.maximumSize / 1024 / 1024) MB.")
            }
        })
        guard received.size > 0, let kind else { throw Refused(status: .badRequest, message: "‘\(filename)’ is leeg.") }
        guard Deadline.isOnTime(request.application.clock.now(), deadline: tender.timeline.submissionDeadline) else {
            throw Refused(status: .conflict, message: "De inschrijvingstermijn sloot tijdens het uploaden van ‘\(filename)’; het document is niet opgeslagen.")
        }
        record.kind = kind.rawValue
        record.size = received.size
        record.sha256 = received.sha256
        record.chunks = received.chunks
        record.complete = true
        try await write { try await record.update(on: $0) }
        return DocumentInfo(id: id, purpose: purpose, name: filename, kind: record.kind, size: received.size, sha256: record.sha256)
    }

    private func discard(_ id: UUID) async throws {
        try await write { db in
            try await (db as! any SQLDatabase).delete(from: "document_chunks").where("document_id", .equal, SQLBind(id)).run()
            try await BidDocumentRecord.query(on: db).filter(\.$id == id).delete()
        }
    }
}

extension DocumentUpload {
    /// Removes uploads that never completed (a crash or a cut connection) once they are old enough
    /// that no instance can still be receiving them. They never counted; this only frees the space.
    static func sweepAbandoned(_ app: Application, olderThan age: TimeInterval = 6 * 3600) async throws {
        let cutoff = app.clock.now().addingTimeInterval(-age)
        let abandoned = try await BidDocumentRecord.query(on: app.db).filter(\.$complete == false).filter(\.$createdAt < cutoff).all()
        guard !abandoned.isEmpty else { return }
        let ids = try abandoned.map { try $0.requireID() }
        try await app.decisions.transaction { db in
            try await (db as! any SQLDatabase).delete(from: "document_chunks").where("document_id", .in, SQLBind.group(ids)).run()
            try await BidDocumentRecord.query(on: db).filter(\.$id ~~ ids).delete()
        }
        app.logger.info("Removed \(ids.count) abandoned uploads")
    }

    /// The same for tender documents: a version that never completed has no document and no number.
    static func sweepAbandonedTenderDocuments(_ app: Application, olderThan age: TimeInterval = 6 * 3600) async throws {
        let cutoff = app.clock.now().addingTimeInterval(-age)
        let abandoned = try await TenderDocumentVersionRecord.query(on: app.db).filter(\.$complete == false).filter(\.$uploadedAt < cutoff).all()
        guard !abandoned.isEmpty else { return }
        let ids = try abandoned.map { try $0.requireID() }
        try await app.decisions.transaction { db in
            try await (db as! any SQLDatabase).delete(from: TenderDocumentService.chunkTable).where("document_id", .in, SQLBind.group(ids)).run()
            try await TenderDocumentVersionRecord.query(on: db).filter(\.$id ~~ ids).delete()
        }
        app.logger.info("Removed \(ids.count) abandoned tender-document uploads")
    }
}

/// The sealed chunks of one stored document: bid documents in `document_chunks`, tender documents
/// in `tender_document_chunks` (the same layout; each table references its own documents). Every
/// chunk is sealed with the tender key, with its document and position as authenticated data.
struct SealedChunks: Sendable {
    let table: String
    /// The prefix of each chunk's authenticated data: `document` or `tender-document`.
    let context: String
    let id: UUID
    let key: SymmetricKey

    struct Received: Sendable {
        var size: Int
        var sha256: String
        var chunks: Int
    }

    /// Document writes are bulk: on SQLite decisions on the writer go first. On PostgreSQL they
    /// commit without waiting for the disk: a document counts only once an audited, durable commit
    /// lists it (a submission, a tender document's version), and that commit flushes the log up to
    /// and including the document's rows.
    static func bulkWrite<T: Sendable>(_ request: Request, _ work: @escaping @Sendable (Database) async throws -> T) async throws -> T {
        let db = request.writer
        guard case .postgres = request.application.zorginkoop.database else {
            return try await request.application.writeGate.run(.bulk) { try await work(db) }
        }
        return try await request.application.writeGate.run(.bulk) {
            try await db.transaction { connection in
                try await (connection as! any SQLDatabase).raw("SET LOCAL synchronous_commit TO OFF").run()
                return try await work(connection)
            }
        }
    }

    /// Stores the bytes as they arrive: hashed, `checkSize` told the size so far at every piece,
    /// `inspect` shown the first `DocumentKind.prefixLength` bytes (or all, when fewer) once before
    /// anything is stored, then sealed in chunks of `BidService.chunkSize`.
    func receive<Bytes: AsyncSequence>(_ bytes: Bytes, on request: Request, inspect: (Data) throws -> Void,
                                       checkSize: (Int) throws -> Void) async throws -> Received where Bytes.Element == ByteBuffer {
        var hasher = SHA256()
        var pending = Data()
        pending.reserveCapacity(BidService.chunkSize)
        var size = 0
        var seq = 0
        var inspected = false
        let (table, id, key, context) = (self.table, self.id, self.key, self.context)
        func flush(final: Bool) async throws {
            if !inspected && (pending.count >= DocumentKind.prefixLength || final) {
                try inspect(pending.prefix(DocumentKind.prefixLength))
                inspected = true
            }
            while pending.count >= BidService.chunkSize || (final && !pending.isEmpty) {
                let piece = pending.prefix(BidService.chunkSize)
                let sealed = try VaultKeys.seal(Data(piece), key: key, context: "\(context):\(id):\(seq)")
                let index = seq
                try await Self.bulkWrite(request) { db in
                    try await (db as! any SQLDatabase).insert(into: table)
                        .columns("document_id", "seq", "data").values(SQLBind(id), SQLBind(index), SQLBind(sealed)).run()
                }
                seq += 1
                pending.removeFirst(piece.count)
            }
        }
        for try await var buffer in bytes {
            size += buffer.readableBytes
            try checkSize(size)
            buffer.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
            pending.append(contentsOf: buffer.readBytes(length: buffer.readableBytes) ?? [])
            if pending.count >= BidService.chunkSize { try await flush(final: false) }
        }
        if size > 0 { try await flush(final: true) }
        return Received(size: size, sha256: hasher.finalize().hex, chunks: seq)
    }

    /// Removes the chunks (of an upload that failed).
    func delete(on db: Database) async throws {
        try await (db as! any SQLDatabase).delete(from: table).where("document_id", .equal, SQLBind(id)).run()
    }

    /// The document as a download: its chunks opened one by one as they are sent.
    func response(name: String, kind: DocumentKind?, size: Int, on req: Request) -> Response {
        let db = req.db as! any SQLDatabase
        let (table, id, key, context) = (self.table, self.id, self.key, self.context)
        let response = Response(status: .ok, body: .init(asyncStream: { writer in
            do {
                var seq = 0
                while let row = try await db.select().column("data").from(table)
                    .where("document_id", .equal, SQLBind(id)).where("seq", .equal, SQLBind(seq))
                    .first(decoding: DocumentReader.ChunkRow.self) {
                    let plain = try VaultKeys.open(row.data, key: key, context: "\(context):\(id):\(seq)")
                    try await writer.writeBuffer(ByteBuffer(data: plain))
                    seq += 1
                }
                try await writer.write(.end)
            } catch {
                try? await writer.write(.error(error))
            }
        }, count: size))
        response.headers.contentType = kind.map { k in
            let parts = k.mediaType.split(separator: "/").map(String.init)
            return HTTPMediaType(type: parts[0], subType: parts[1])
        } ?? .binary
        let ascii = name.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0 != "\\" && $0.value >= 0x20 && $0.value < 0x7F ? String($0) : "_" }.joined()
        var disposition = "attachment; filename=\"\(ascii)\""
        if ascii != name, let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: ".-_"))) {
            disposition += "; filename*=UTF-8''\(encoded)"
        }
        response.headers.replaceOrAdd(name: .contentDisposition, value: disposition)
        return response
    }
}

/// Reads a sealed bid document back, chunk by chunk.
enum DocumentReader {
    struct ChunkRow: Decodable { var data: Data }

    static func response(_ document: DocumentInfo, key: SymmetricKey, on req: Request) -> Response {
        SealedChunks(table: "document_chunks", context: "document", id: document.id, key: key)
            .response(name: document.name, kind: DocumentKind(rawValue: document.kind), size: document.size, on: req)
    }
}
