import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import NIOPosix
import SQLKit
import Leaf
import LeafKit
import Vapor

/// Sets the application up: database, sessions, middleware, views, routes; migrates and loads
/// the region. Tests call this too, with their own database.
public func configure(_ app: Application, _ config: AppConfiguration) async throws {
    app.zorginkoop = config
    if case .sqlite = config.database {
        // SQLite statements block a thread while they wait for the write lock. The shared default
        // pool has one thread per core: a waiting writer could hold the thread the lock holder needs.
        app.threadPool = NIOThreadPool(numberOfThreads: 8)
    }
    try useDatabase(app, config.database, poolSize: config.databasePoolSize)
    app.pinWriter()
    app.sessions.use { app in ChangeAwareSessions(base: app.fluent.sessions.driver()) }
    app.sessions.configuration.cookieName = "zorginkoop-sessie"
    app.sessions.configuration.cookieFactory = { id in
        HTTPCookies.Value(string: id.string, expires: nil, maxAge: 8 * 3600, path: "/",
                          isSecure: config.secureCookies, isHTTPOnly: true, sameSite: .lax)
    }
    Migrations.add(to: app)

    app.middleware = Middlewares()
    app.middleware.use(RouteLoggingMiddleware(logLevel: .debug))
    app.middleware.use(ErrorPages())
    app.middleware.use(SecurityHeadersMiddleware())
    app.routes.defaultMaxBodySize = "1mb"

    app.views.use(.leaf)
    app.leaf.configuration = LeafConfiguration(rootDirectory: Resources.viewsDirectory)
    // The templates live in the build folder (.build/…), which the default "visible files only" limit refuses.
    app.leaf.sources = .singleSource(NIOLeafFiles(fileio: app.fileio, limits: [.toSandbox, .requireExtensions],
                                                  sandboxDirectory: Resources.viewsDirectory, viewDirectory: Resources.viewsDirectory))
    app.leaf.cache.isEnabled = app.environment.isRelease || app.environment == .production

    MetricsBootstrap.once()
    app.lifecycle.use(MailSender())
    try routes(app)
    switch config.database {
    case let .postgres(_, schema?):
        try await (app.db as! any SQLDatabase).raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").run()
    case .sqlite:
        // Write-ahead logging (kept in the file): readers never wait for a writer, and a writer
        // waits only for the other writer. Commits stay durable: synchronous is FULL. A writer
        // that waits sleeps between tries (busy_timeout) rather than spinning, on every connection.
        // A page cache of up to 32 MB per connection (the default 2 MB made every batch of
        // submissions read its index pages back from the file) and savepoint journals in memory
        // (a group of decisions runs each in a savepoint): measured with perf, docs/performance.md.
        try await (app.db as! any SQLDatabase).raw("PRAGMA journal_mode=WAL").run()
        for eventLoop in app.eventLoopGroup.makeIterator() {
            let db = app.databases.database(logger: app.logger, on: eventLoop)! as! any SQLDatabase
            try await db.raw("PRAGMA busy_timeout = 30000").run()
            try await db.raw("PRAGMA synchronous = FULL").run()
            try await db.raw("PRAGMA cache_size = -32768").run()
            try await db.raw("PRAGMA temp_store = MEMORY").run()
            try await db.raw("PRAGMA mmap_size = 268435456").run()
        }
    case .postgres:
        break
    }
    try await app.autoMigrate()
    _ = try await DesignStore.loadRegionIfEmpty(app)
    try await DocumentUpload.sweepAbandoned(app)
    try await DocumentUpload.sweepAbandonedTenderDocuments(app)
}

private func useDatabase(_ app: Application, _ engine: AppConfiguration.DatabaseEngine, poolSize: Int) throws {
    switch engine {
    case let .sqlite(path):
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        app.databases.use(.sqlite(.file(path), sqlLogLevel: .debug), as: .sqlite)
    case let .postgres(url, schema):
        var configuration = try SQLPostgresConfiguration(url: url)
        if let schema {
            guard schema.range(of: "^[a-z_][a-z0-9_]{0,62}$", options: .regularExpression) != nil else {
                throw Abort(.internalServerError, reason: "DATABASE_SCHEMA '\(schema)' is geen geldige schemanaam (kleine letters, cijfers, _)")
            }
            configuration.searchPath = [schema]
        }
        // Several connections per event loop: uploads, decisions and page reads run side by side
        // (PostgreSQL has no single-writer limit; SQLite keeps one connection per loop).
        app.databases.use(.postgres(configuration: configuration, maxConnectionsPerEventLoop: poolSize, sqlLogLevel: .debug), as: .psql)
    }
}

/// Files the server ships: templates and static assets, found next to the executable.
enum Resources {
    static var viewsDirectory: String { Bundle.module.resourceURL!.appendingPathComponent("Views").path + "/" }
    static var stylesheet: URL { Bundle.module.resourceURL!.appendingPathComponent("Public/app.css") }
    static var openAPIDocument: URL { Bundle.module.resourceURL!.appendingPathComponent("Public/openapi.json") }
}
