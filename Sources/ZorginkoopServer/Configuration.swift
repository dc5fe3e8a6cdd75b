import Foundation
import Vapor
import ZorginkoopCore

/// Everything the application reads from its environment, read in one place.
public struct AppConfiguration: Sendable {
    public enum DatabaseEngine: Sendable, Equatable {
        case sqlite(path: String)
        /// `schema`: the PostgreSQL schema to keep the tables in, so several regions (or test runs) share one database.
        case postgres(url: String, schema: String? = nil)
    }

    public var database: DatabaseEngine
    /// Whether cookies carry `Secure`: set when the application is served over TLS.
    public var secureCookies: Bool
    /// The bundled design that makes up the region on first start.
    public var regionDesign: String
    /// Fill the database with demo users, organisations and data on first start.
    public var demo: Bool
    /// The bcrypt work factor for new password hashes (12 in production; tests use the minimum).
    public var bcryptCost: Int
    /// The master key that seals every tender's vault key.
    public var vault: VaultKeys
    /// PostgreSQL connections per event loop (SQLite always has one).
    public var databasePoolSize: Int
    /// Where e-mail goes; nil keeps it in the outbox until a mail server is configured.
    public var smtp: SMTPSettings?
    /// The address users reach, for links in e-mail (`PUBLIC_URL`).
    public var publicURL: String
    /// How long before a term ends a municipality decides on extending it and tells the provider.
    public var notice: NoticePolicy

    public init(database: DatabaseEngine, vault: VaultKeys, secureCookies: Bool = false, regionDesign: String = "achterhoek-2026",
                demo: Bool = false, bcryptCost: Int = 12, databasePoolSize: Int = 4, smtp: SMTPSettings? = nil,
                publicURL: String = "http://127.0.0.1:8080", notice: NoticePolicy = NoticePolicy()) {
        self.database = database
        self.notice = notice
        self.smtp = smtp
        self.publicURL = publicURL
        self.vault = vault
        self.databasePoolSize = databasePoolSize
        self.secureCookies = secureCookies
        self.regionDesign = regionDesign
        self.demo = demo
        self.bcryptCost = bcryptCost
    }

    /// - `DATABASE_URL`: `postgres://user:password@host:5432/name` selects PostgreSQL; otherwise SQLite.
    /// - `DATABASE_SCHEMA`: with PostgreSQL, the schema for the tables (default: the server's search path).
    /// - `SQLITE_PATH`: the SQLite file (default `data/zorginkoop.sqlite`, or `data/demo.sqlite` with demo).
    /// - `PUBLIC_URL`: the address users reach; `https://…` makes cookies `Secure`.
    /// - `REGION_DESIGN`: bundled design for the region (default `achterhoek-2026`).
    /// - `DATABASE_POOL_SIZE`: with PostgreSQL, connections per event loop (default 4).
    /// - `SMTP_HOST`, `SMTP_PORT` (default 25), `SMTP_FROM` (required with a host), `SMTP_USERNAME`
    ///   and `SMTP_PASSWORD` (AUTH PLAIN, optional): the mail server every notification is sent through.
    /// - `EXTENSION_NOTICE_MONTHS`: months before a term's end by which a municipality decides on
    ///   an extension and tells the provider (default 6, seed 002).
    /// - `VAULT_MASTER_KEY`: base64 of 32 random bytes (`zorginkoop vault new-key`). Required with
    ///   PostgreSQL; with SQLite a key file next to the database is made on first start, so a
    ///   database dump alone never opens the vault.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment, demo: Bool = false) throws -> AppConfiguration {
        let database: DatabaseEngine
        if let url = env["DATABASE_URL"], !url.isEmpty, url.hasPrefix("postgres") {
            database = .postgres(url: url, schema: env["DATABASE_SCHEMA"].flatMap { $0.isEmpty ? nil : $0 })
        } else {
            database = .sqlite(path: env["SQLITE_PATH"] ?? (demo ? "data/demo.sqlite" : "data/zorginkoop.sqlite"))
        }
        return AppConfiguration(
            database: database,
            vault: try vaultKeys(env, database: database),
            secureCookies: (env["PUBLIC_URL"] ?? "").lowercased().hasPrefix("https://"),
            regionDesign: env["REGION_DESIGN"] ?? "achterhoek-2026",
            demo: demo,
            databasePoolSize: try poolSize(env["DATABASE_POOL_SIZE"]),
            smtp: try SMTPSettings.fromEnvironment(env),
            publicURL: (env["PUBLIC_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "http://127.0.0.1:8080").trimmingCharacters(in: CharacterSet(charactersIn: "/")),
            notice: NoticePolicy(monthsBeforeEnd: try noticeMonths(env["EXTENSION_NOTICE_MONTHS"])))
    }
}

/// A configuration value that is missing or malformed, named for the operator.
public struct ConfigurationError: Error, CustomStringConvertible {
    public var description: String
}

private func poolSize(_ text: String?) throws -> Int {
    guard let text, !text.isEmpty else { return 4 }
    guard let size = Int(text), (1...64).contains(size) else {
        throw ConfigurationError(description: "DATABASE_POOL_SIZE: verwacht een aantal verbindingen per event loop van 1 tot en met 64 (niet '\(text)')")
    }
    return size
}

private func noticeMonths(_ text: String?) throws -> Int {
    guard let text, !text.isEmpty else { return 6 }
    guard let months = Int(text), (1...24).contains(months) else {
        throw ConfigurationError(description: "EXTENSION_NOTICE_MONTHS: verwacht een aantal maanden van 1 tot en met 24 (niet '\(text)')")
    }
    return months
}

private func vaultKeys(_ env: [String: String], database: AppConfiguration.DatabaseEngine) throws -> VaultKeys {
    if let text = env["VAULT_MASTER_KEY"], !text.isEmpty {
        guard let keys = VaultKeys(base64: text) else {
            throw ConfigurationError(description: "VAULT_MASTER_KEY: verwacht base64 van 32 bytes (maak er een met `zorginkoop vault new-key`)")
        }
        return keys
    }
    guard case let .sqlite(path) = database else {
        throw ConfigurationError(description: "VAULT_MASTER_KEY ontbreekt: met PostgreSQL moet elke instantie dezelfde hoofdsleutel krijgen (`zorginkoop vault new-key`)")
    }
    let keyFile = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("vault-master.key")
    if let text = try? String(contentsOf: keyFile, encoding: .utf8) {
        guard let keys = VaultKeys(base64: text) else {
            throw ConfigurationError(description: "\(keyFile.path): geen geldige hoofdsleutel (base64 van 32 bytes)")
        }
        return keys
    }
    try FileManager.default.createDirectory(at: keyFile.deletingLastPathComponent(), withIntermediateDirectories: true)
    let generated = VaultKeys.generateBase64()
    guard FileManager.default.createFile(atPath: keyFile.path, contents: Data(generated.utf8), attributes: [.posixPermissions: 0o600]) else {
        throw ConfigurationError(description: "\(keyFile.path): kan de hoofdsleutel niet aanmaken")
    }
    return VaultKeys(base64: generated)!
}

extension Application {
    private struct ConfigurationKey: StorageKey {
        typealias Value = AppConfiguration
    }

    public var zorginkoop: AppConfiguration {
        get { storage[ConfigurationKey.self]! }
        set { storage[ConfigurationKey.self] = newValue }
    }
}
