import Fluent
import Foundation
import NIOCore
import SQLKit
import Vapor

/// E-mail leaves through the outbox: a message is written in the same transaction as what it
/// tells (a notification, a reset link), so nothing is lost when the mail server is down or the
/// instance stops, and any instance sends it later. A failed attempt is retried with back-off.
enum Outbox {
    struct Mail: Sendable {
        var recipient: String
        var subject: String
        var body: String
        /// A path in the application; the instance that sends makes it a full address (`PUBLIC_URL`).
        var link: String?
    }

    /// Queues messages in the caller's transaction; none is sent before `notBefore`.
    static func enqueue(_ mails: [Mail], at now: Date, notBefore: Date? = nil, on db: Database) async throws {
        guard !mails.isEmpty else { return }
        let insert = (db as! any SQLDatabase).insert(into: "outbox")
            .columns("id", "recipient", "subject", "body", "link", "created_at", "next_attempt_at", "attempts")
        for mail in mails {
            insert.values(SQLBind(UUID.timeOrdered(at: now)), SQLBind(mail.recipient), SQLBind(mail.subject), SQLBind(mail.body),
                          SQLBind(mail.link), SQLBind(now), SQLBind(max(now, notBefore ?? now)), SQLBind(0))
        }
        try await insert.run()
    }

    /// The addresses of the active accounts of these organisations.
    static func addresses(ofOrganisations ids: [UUID], on db: Database) async throws -> [String] {
        guard !ids.isEmpty else { return [] }
        return try await UserRecord.query(on: db).filter(\.$organisation.$id ~~ ids).filter(\.$active == true).all().map(\.email)
    }

    /// The wait after the `attempts`-th failure: one minute, doubling, at most six hours.
    static func backOff(afterAttempts attempts: Int) -> TimeInterval {
        min(60 * pow(2, Double(max(attempts - 1, 0))), 6 * 3600)
    }

    struct Due: Decodable, Sendable {
        var id: UUID
        var recipient: String
        var subject: String
        var body: String
        var link: String?
        var attempts: Int
        var created_at: Date

        /// The text as sent: the message, the link in full, and where it comes from.
        func text(publicURL: String) -> String {
            body + (link.map { "\n\nBekijk het in Zorginkoop: \(publicURL)\($0)" } ?? "")
                + "\n\n-- \nDit bericht is automatisch verstuurd door Zorginkoop. Antwoorden op dit bericht worden niet gelezen; "
                + "tijdens een aanbesteding verloopt alle communicatie via het platform."
        }
    }

    /// Claims up to `limit` due messages for a minute: another instance skips them meanwhile.
    /// The claim is re-checked on the row itself, so two instances never claim the same message.
    static func claimDue(at now: Date, limit: Int = 20, on db: Database) async throws -> [Due] {
        let sql = db as! any SQLDatabase
        return try await sql.raw("""
            UPDATE outbox SET claimed_until = \(bind: now.addingTimeInterval(60))
            WHERE id IN (SELECT id FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= \(bind: now)
                         AND (claimed_until IS NULL OR claimed_until < \(bind: now)) ORDER BY next_attempt_at LIMIT \(unsafeRaw: String(limit)))
              AND (claimed_until IS NULL OR claimed_until < \(bind: now))
            RETURNING id, recipient, subject, body, link, attempts, created_at
            """).all(decoding: Due.self)
    }

    static func markSent(_ id: UUID, at now: Date, on db: Database) async throws {
        try await (db as! any SQLDatabase).update("outbox").set("sent_at", to: now).set("claimed_until", to: SQLLiteral.null)
            .set("attempts", to: SQLRaw("attempts + 1")).where("id", .equal, id).run()
    }

    static func markFailed(_ due: Due, error: String, at now: Date, on db: Database) async throws {
        let attempts = due.attempts + 1
        try await (db as! any SQLDatabase).update("outbox").set("attempts", to: attempts).set("last_error", to: String(error.prefix(500)))
            .set("next_attempt_at", to: now.addingTimeInterval(backOff(afterAttempts: attempts))).set("claimed_until", to: SQLLiteral.null)
            .where("id", .equal, due.id).run()
    }
}

/// Sends what the outbox holds, on every instance, every few seconds while the application runs.
final class MailSender: LifecycleHandler, @unchecked Sendable {
    let interval: TimeAmount
    private var task: Task<Void, Never>?

    init(interval: TimeAmount = .seconds(2)) { self.interval = interval }

    func didBootAsync(_ app: Application) async throws {
        guard let settings = app.zorginkoop.smtp else {
            app.logger.notice("Geen SMTP_HOST ingesteld: e-mail blijft in de outbox tot er een mailserver is.")
            return
        }
        let client = SMTPClient(settings: settings, group: app.eventLoopGroup)
        let interval = interval
        task = Task { [weak app] in
            while !Task.isCancelled {
                if let app { await Self.sendDue(app, client: client) }
                try? await Task.sleep(nanoseconds: UInt64(interval.nanoseconds))
            }
        }
    }

    func shutdownAsync(_ app: Application) async {
        task?.cancel()
        await task?.value
    }

    /// One round: claim what is due, send each, record the outcome. Never logs a message's text.
    static func sendDue(_ app: Application, client: SMTPClient) async {
        do {
            let clock = app.clock
            let writer = app.writer
            let due = try await app.writeGate.run(.bulk) { try await Outbox.claimDue(at: clock.now(), on: writer) }
            for mail in due {
                do {
                    try await client.send(.init(id: mail.id, recipient: mail.recipient, subject: mail.subject,
                                                body: mail.text(publicURL: app.zorginkoop.publicURL), date: mail.created_at))
                    try await app.writeGate.run(.bulk) { try await Outbox.markSent(mail.id, at: clock.now(), on: writer) }
                } catch {
                    app.logger.warning("E-mail niet verzonden; volgende poging later", metadata: ["outbox": .string(mail.id.uuidString), "fout": .string("\(error)")])
                    try await app.writeGate.run(.bulk) { try await Outbox.markFailed(mail, error: "\(error)", at: clock.now(), on: writer) }
                }
            }
        } catch {
            app.logger.warning("De outbox kon niet worden gelezen", metadata: ["fout": .string("\(error)")])
        }
    }
}
