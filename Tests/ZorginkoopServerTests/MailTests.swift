import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting
@testable import ZorginkoopServer

/// A real SMTP server for a test: `Tests/Support/SMTP/smtp_sink.py` (aiosmtpd, from PyPI) on a free
/// loopback port, writing each message it accepts as JSON with its subject and text decoded.
final class TestMailServer: @unchecked Sendable {
    struct Message: Decodable {
        var to: [String]
        var subject: String
        var text: String
    }

    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zorginkoop-mail-\(UUID().uuidString)")
    private(set) var port = 0
    private var process: Process?
    private static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Support/SMTP/smtp_sink.py")

    var settings: SMTPSettings { SMTPSettings(host: "127.0.0.1", port: port, from: "inkoop@doetinchem.nl") }

    /// Starts the server on a free port, or on the port it had before it was stopped; returns when
    /// it listens (it prints its port once it does).
    func start() async throws {
        let process = Process()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script.path, folder.path] + (port == 0 ? [] : [String(port)])
        process.standardOutput = output
        process.standardInput = Pipe()
        try process.run()
        self.process = process
        let line = try await blocking {
            var text = ""
            while !text.contains("\n") {
                let data = output.fileHandleForReading.availableData
                if data.isEmpty { break }
                text += String(decoding: data, as: UTF8.self)
            }
            return text
        }
        guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            remove()
            throw Abort(.internalServerError, reason: "the SMTP server did not start (pip install aiosmtpd): \(line)")
        }
        self.port = port
    }

    /// Stops the server, as a mail server that goes down; `start()` brings it back on its port.
    func stop() async {
        guard let process else { return }
        process.terminate()
        await blocking { process.waitUntilExit() }
        self.process = nil
    }

    /// At the test's end: the process ends on its signal (or when the test process's end closes its stdin).
    func remove() {
        process?.terminate()
        process = nil
        try? FileManager.default.removeItem(at: folder)
    }

    func messages() -> [Message] {
        let files = (try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? []
        return files.filter { $0.pathExtension == "json" }.compactMap { url in
            (try? Data(contentsOf: url)).flatMap { try? JSONDecoder().decode(Message.self, from: $0) }
        }
    }

    /// Waits (at most 30 s) until `count` messages have arrived.
    func waitFor(_ count: Int) async throws -> [Message] {
        for _ in 0..<300 {
            let received = messages()
            if received.count >= count { return received }
            try await Task.sleep(for: .milliseconds(100))
        }
        return messages()
    }
}

@Suite("E-mail through the outbox, against a real SMTP server")
struct MailTests {
    @Test("A publication's notification reaches every provider account by e-mail; while the server is down it waits in the outbox and is retried")
    func notificationsByEmail() async throws {
        let mail = TestMailServer()
        // Its port is known, and nothing listens there: the mail server is down.
        try await mail.start()
        await mail.stop()
        defer { mail.remove() }
        try await withApp(smtp: mail.settings) { app in
            let time = TestClock(CrisisTender.t0.addingTimeInterval(-3600))
            app.clock = time.clock
            let officer = try await makeAccount(app, .procurementOfficer, email: "inkoper1@doetinchem.nl")
            _ = try await makeAccount(app, .provider, email: "info@zorg-a.nl", organisation: "Zorg A")
            try await CrisisTender.create(app, officer: officer)
            // Due at the publication's time, not before; and the mail server is not running yet.
            #expect(try await Outbox.claimDue(at: time.clock.now(), on: app.db).isEmpty)
            time.set(CrisisTender.t0)
            try await Task.sleep(for: .seconds(4))
            struct Row: Decodable { var attempts: Int; var last_error: String?; var sent_at: Date? }
            let failed = try #require(try await (app.db as! any SQLDatabase).raw("SELECT attempts, last_error, sent_at FROM outbox").first(decoding: Row.self))
            #expect(failed.attempts >= 1 && failed.last_error != nil && failed.sent_at == nil)
            try await mail.start()
            // The back-off (a minute after the first failure) passes.
            time.set(CrisisTender.t0.addingTimeInterval(61))
            let received = try await mail.waitFor(1)
            #expect(received.count == 1)
            #expect(received.first?.to == ["info@zorg-a.nl"])
            #expect(received.first?.subject.contains("Nieuwe aanbesteding gepubliceerd") == true)
            #expect(received.first?.text.contains("http://zorginkoop.test/aanbestedingen/\(CrisisTender.code)") == true)
            // The server has the message before the worker records it as sent: wait (at most 10 s) for the record.
            var sent: Row?
            for _ in 0..<100 {
                sent = try await (app.db as! any SQLDatabase).raw("SELECT attempts, last_error, sent_at FROM outbox").first(decoding: Row.self)
                if sent?.sent_at != nil { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(sent?.sent_at != nil)
        }
    }

    @Test("A forgotten password: a single-use link by e-mail, valid 30 minutes, that ends every session")
    func passwordResetByEmail() async throws {
        let mail = TestMailServer()
        try await mail.start()
        defer { mail.remove() }
        try await withApp(smtp: mail.settings) { app in
            let time = TestClock(CrisisTender.t0)
            app.clock = time.clock
            let email = try await makeUser(app, .procurementOfficer)
            let signedIn = Browser(app)
            #expect(try await signedIn.login(email).status == .seeOther)
            let browser = Browser(app)
            #expect(try await browser.get("/inloggen").body.string.contains("href=\"/wachtwoord-vergeten\""))
            try await browser.get("/wachtwoord-vergeten")
            let unknown = try await browser.post("/wachtwoord-vergeten", form: ["email": "niemand@doetinchem.nl"])
            let known = try await browser.post("/wachtwoord-vergeten", form: ["email": email])
            // The same answer whether or not the address has an account.
            #expect(unknown.status == .ok && known.status == .ok && unknown.body.string == known.body.string)
            let received = try await mail.waitFor(1)
            #expect(received.count == 1 && received.first?.to == [email])
            let text = try #require(received.first?.text)
            let token = try #require(text.range(of: #"token=zk_[A-Za-z0-9_-]+"#, options: .regularExpression).map { String(text[$0].dropFirst(6)) })
            let page = try await browser.get("/wachtwoord-herstellen?token=\(token)")
            #expect(page.body.string.contains("name=\"token\""))
            let reset = try await browser.post("/wachtwoord-herstellen", form: ["token": token, "new": "een heel nieuw wachtwoord", "repeat": "een heel nieuw wachtwoord"])
            #expect(reset.status == .seeOther)
            #expect(try await Browser(app).login(email, password: "een heel nieuw wachtwoord").status == .seeOther)
            let ended = try await signedIn.get("/aanbestedingen")
            #expect(ended.status == .seeOther)
            // Used once.
            let again = try await browser.post("/wachtwoord-herstellen", form: ["token": token, "new": "nog een ander wachtwoord", "repeat": "nog een ander wachtwoord"])
            #expect(again.status == .unprocessableEntity && again.body.string.contains("verlopen of al gebruikt"))
            // And only for 30 minutes.
            try await browser.get("/wachtwoord-vergeten")
            _ = try await browser.post("/wachtwoord-vergeten", form: ["email": email])
            let second = try await mail.waitFor(2)
            let late = try #require(second.map(\.text).first { !$0.contains(token) })
            let lateToken = try #require(late.range(of: #"token=zk_[A-Za-z0-9_-]+"#, options: .regularExpression).map { String(late[$0].dropFirst(6)) })
            time.set(CrisisTender.t0.addingTimeInterval(PasswordResets.lifetime + 1))
            let expired = try await browser.post("/wachtwoord-herstellen", form: ["token": lateToken, "new": "nog een ander wachtwoord", "repeat": "nog een ander wachtwoord"])
            #expect(expired.status == .unprocessableEntity)
            #expect(try await AuditEntryRecord.query(on: app.db).filter(\.$action == "user.password-reset").count() == 1)
        }
    }
}
