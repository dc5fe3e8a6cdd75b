import Foundation
import MultipartKit
import Vapor

/// Reads a browser's multipart form as it arrives: the text fields first, then the one file part
/// as a stream of bytes. The body is pulled only as fast as the file is consumed (stored in the
/// vault), in the consumer's own task, so nothing is buffered beyond one network chunk; text fields
/// are limited in size, and a body that ends inside the file is refused, never stored as complete.
final class MultipartFileStream: @unchecked Sendable {
    /// The most bytes of text fields accepted before the file.
    static let fieldLimit = 64 * 1024

    private let parser: MultipartParser
    let body: StreamedBody
    // Parser state: touched only by the parser's callbacks, which run inside `pull` (one task).
    private var disposition = ""
    private var text = ByteBuffer()
    private var textBytes = 0
    private var fields: [String: String] = [:]
    private var file: (name: String, fields: [String: String])?
    private var pending: [ByteBuffer] = []
    private var fileDone = false
    private var bodyEnded = false

    init(boundary: String, body: StreamedBody) {
        parser = MultipartParser(boundary: boundary)
        self.body = body
        parser.onHeader = { [unowned self] name, value in
            if name.lowercased() == "content-disposition" { disposition = value }
        }
        parser.onBody = { [unowned self] buffer in
            if let filename = parameter("filename") {
                if file == nil { file = (filename, fields) }
                if !fileDone { pending.append(buffer) }
            } else {
                textBytes += buffer.readableBytes
                if textBytes <= Self.fieldLimit { text.writeBuffer(&buffer) }
            }
        }
        parser.onPartComplete = { [unowned self] in
            if let filename = parameter("filename") {
                if file == nil { file = (filename, fields) }
                fileDone = true
            } else if let name = parameter("name") {
                fields[name] = text.readString(length: text.readableBytes) ?? ""
            }
            text.clear()
            disposition = ""
        }
    }

    /// Feeds the parser one chunk of the body; false once the body has ended.
    private func pull() async throws -> Bool {
        guard !bodyEnded, let chunk = try await body.next() else {
            bodyEnded = true
            return false
        }
        do {
            try parser.execute(chunk)
        } catch {
            throw Abort(.badRequest, reason: "Het formulier kon niet worden gelezen (geen geldige multipart/form-data).")
        }
        if textBytes > Self.fieldLimit {
            throw Abort(.payloadTooLarge, reason: "De tekstvelden van het formulier zijn groter dan \(Self.fieldLimit / 1024) kB.")
        }
        return true
    }

    /// The fields sent before the file, the file's name, and its bytes to read.
    func fieldsAndFile() async throws -> ([String: String], String, FileBytes) {
        while file == nil {
            guard try await pull() else { break }
        }
        guard let file, !file.name.isBlank else {
            throw Abort(.badRequest, reason: "Kies een bestand om te uploaden.")
        }
        return (file.fields, file.name, FileBytes(reader: self))
    }

    /// The next bytes of the file; nil at its end. A body that ends inside the file is an error.
    /// A small upload read whole (a CSV, a message) after its form token is checked: nil when the
    /// file is larger than `limit`, which is refused before more is read.
    static func smallFile(_ req: Request, limit: Int) async throws -> Data? {
        let stream = try of(req)
        defer { stream.body.discardRest() }
        let (fields, _, file) = try await stream.fieldsAndFile()
        try req.verifyStreamedFormToken(fields[CSRFMiddleware.field])
        var data = Data()
        for try await chunk in file {
            data.append(contentsOf: chunk.readableBytesView)
            guard data.count <= limit else { return nil }
        }
        return data
    }

    fileprivate func nextFileBytes() async throws -> ByteBuffer? {
        while pending.isEmpty {
            if fileDone { return nil }
            guard try await pull() else {
                throw Abort(.badRequest, reason: "Het bestand is niet volledig ontvangen; er is niets opgeslagen.")
            }
        }
        return pending.removeFirst()
    }

    private func parameter(_ key: String) -> String? {
        for part in disposition.split(separator: ";") {
            let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0] == key { return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        }
        return nil
    }

    struct FileBytes: AsyncSequence {
        typealias Element = ByteBuffer
        let reader: MultipartFileStream

        struct AsyncIterator: AsyncIteratorProtocol {
            let reader: MultipartFileStream
            mutating func next() async throws -> ByteBuffer? { try await reader.nextFileBytes() }
        }

        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(reader: reader) }
    }
}
