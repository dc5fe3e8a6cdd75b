import Foundation
import NIOCore
import NIOPosix

/// Sends one message per connection to the configured SMTP server: EHLO, AUTH PLAIN when a user
/// name is set, MAIL, RCPT, DATA, QUIT. Every reply is checked; a refusal or silence (30 seconds)
/// is an error that the outbox records and retries later.
struct SMTPClient {
    let settings: SMTPSettings
    let group: EventLoopGroup

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    struct Message: Sendable {
        var id: UUID
        var recipient: String
        var subject: String
        var body: String
        var date: Date
    }

    func send(_ message: Message) async throws {
        for address in [settings.from, message.recipient] where address.contains(where: { "\r\n<> ".contains($0) }) || !address.contains("@") {
            throw Failure(description: "ongeldig e-mailadres '\(address)'")
        }
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(.seconds(10))
            .connect(host: settings.host, port: settings.port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        let timeout = Task {
            try await Task.sleep(for: .seconds(30))
            channel.channel.close(promise: nil)
        }
        defer { timeout.cancel() }
        try await channel.executeThenClose { inbound, outbound in
            var replies = ReplyReader(inbound.makeAsyncIterator())
            func say(_ line: String, expect codes: Set<Int>) async throws {
                try await outbound.write(ByteBuffer(string: line + "\r\n"))
                try await replies.expect(codes, after: line.hasPrefix("AUTH") ? "AUTH" : line)
            }
            try await replies.expect([220], after: "verbinden")
            try await say("EHLO zorginkoop", expect: [250])
            if let username = settings.username {
                let credentials = Data("\u{0}\(username)\u{0}\(settings.password ?? "")".utf8).base64EncodedString()
                try await say("AUTH PLAIN \(credentials)", expect: [235])
            }
            try await say("MAIL FROM:<\(settings.from)>", expect: [250])
            try await say("RCPT TO:<\(message.recipient)>", expect: [250, 251])
            try await say("DATA", expect: [354])
            try await outbound.write(ByteBuffer(string: Self.render(message, from: settings.from)))
            try await say(".", expect: [250])
            try? await say("QUIT", expect: [221])
        }
    }

    /// The message as sent: headers, then the text in base64 (any UTF-8, lines of 76), ending in CRLF.
    static func render(_ message: Message, from: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Europe/Amsterdam")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let subject = "=?UTF-8?B?\(Data(message.subject.utf8).base64EncodedString())?="
        let body = Data(message.body.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        return [
            "From: Zorginkoop <\(from)>",
            "To: <\(message.recipient)>",
            "Subject: \(subject)",
            "Date: \(formatter.string(from: message.date))",
            "Message-ID: <\(message.id.uuidString.lowercased())@zorginkoop>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=UTF-8",
            "Content-Transfer-Encoding: base64",
            "",
            body,
            "",
        ].joined(separator: "\r\n")
    }

    /// Reads SMTP replies (possibly of several lines: `250-…` then `250 …`) from the connection.
    struct ReplyReader {
        var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        var pending: [UInt8] = []

        init(_ inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator) { self.inbound = inbound }

        mutating func line() async throws -> String {
            while true {
                if let end = pending.firstIndex(of: 0x0A) {
                    let line = String(decoding: pending[..<end], as: UTF8.self).trimmingCharacters(in: .newlines)
                    pending.removeSubrange(...end)
                    return line
                }
                guard let chunk = try await inbound.next() else { throw Failure(description: "de mailserver verbrak de verbinding") }
                pending += Array(chunk.readableBytesView)
                if pending.count > 64 * 1024 { throw Failure(description: "de mailserver stuurt een te lang antwoord") }
            }
        }

        mutating func expect(_ codes: Set<Int>, after step: String) async throws {
            var text: [String] = []
            while true {
                let line = try await line()
                text.append(line)
                guard line.count >= 3, let code = Int(line.prefix(3)) else { throw Failure(description: "onleesbaar antwoord op \(step): \(line)") }
                if line.count > 3 && Array(line)[3] == "-" { continue }
                guard codes.contains(code) else { throw Failure(description: "de mailserver weigerde \(step): \(text.joined(separator: " "))") }
                return
            }
        }
    }
}
