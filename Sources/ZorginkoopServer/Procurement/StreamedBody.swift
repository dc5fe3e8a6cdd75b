import NIOCore
import Vapor

/// A request body that one handler reads as it arrives, and that is read to its end when the handler
/// stops early. Vapor skips a body nobody started to read, but not one whose reading stopped halfway
/// (an upload refused as too large or of the wrong type): the connection's next request would then
/// wait behind the rest of it forever.
final class StreamedBody: AsyncSequence, @unchecked Sendable {
    typealias Element = ByteBuffer

    /// The most bytes read and dropped after a refusal; a client that sends more loses its connection's reuse.
    static let discardLimit = 256 * 1024 * 1024

    private var iterator: Request.Body.AsyncIterator
    private var ended = false

    init(_ body: Request.Body) {
        iterator = body.makeAsyncIterator()
    }

    func next() async throws -> ByteBuffer? {
        guard !ended, let chunk = try await iterator.next() else {
            ended = true
            return nil
        }
        return chunk
    }

    /// Drops what is left of the body in the background; nothing when it has been read to its end.
    /// Called only once the reading handler has stopped, so the iterator has one user at a time.
    func discardRest() {
        guard !ended else { return }
        Task {
            var dropped = 0
            while dropped < Self.discardLimit, let chunk = try? await next() {
                dropped += chunk.readableBytes
            }
        }
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        let body: StreamedBody
        mutating func next() async throws -> ByteBuffer? { try await body.next() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(body: self) }
}
