import Crypto
import Fluent
import Foundation
import SQLKit
import Vapor

/// Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP, HMAC-SHA1, 30-second steps,
/// six digits): what every authenticator app (Microsoft, Google, FreeOTP) computes.
enum TOTP {
    static let period: TimeInterval = 30
    static let digits = 6

    static func step(at date: Date) -> Int64 { Int64((date.timeIntervalSince1970 / period).rounded(.down)) }

    static func code(secret: Data, step: Int64) -> String {
        var counter = UInt64(step).bigEndian
        let message = withUnsafeBytes(of: &counter) { Data($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let truncated = (UInt32(mac[offset] & 0x7F) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        let value = truncated % 1_000_000
        let text = String(value)
        return String(repeating: "0", count: digits - text.count) + text
    }

    /// The step whose code this is, one step either side of now (a phone's clock drifts a little),
    /// and only a step after the last one accepted: a code works once (RFC 6238, section 5.2).
    static func acceptedStep(for code: String, secret: Data, at now: Date, after lastStep: Int64?) -> Int64? {
        let digitsOnly = code.filter { !$0.isWhitespace }
        guard digitsOnly.count == digits, digitsOnly.allSatisfy(\.isASCII), digitsOnly.allSatisfy(\.isNumber) else { return nil }
        let current = step(at: now)
        for candidate in [current - 1, current, current + 1] where candidate > (lastStep ?? Int64.min) {
            if constantTimeEqual(Self.code(secret: secret, step: candidate), digitsOnly) { return candidate }
        }
        return nil
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// The address an authenticator app reads (as a link on a phone, or typed in by its key).
    static func provisioningURI(secret: Data, account: String) -> String {
        let label = "Zorginkoop:\(account)".addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/", "?", "&", "#"])) ?? account
        return "otpauth://totp/\(label)?secret=\(Base32.encode(secret))&issuer=Zorginkoop&algorithm=SHA1&digits=6&period=30"
    }
}

/// RFC 4648 base32, without padding: the form in which authenticator apps take a key.
enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

    static func encode(_ data: Data) -> String {
        var result = ""
        var buffer = 0, bits = 0
        for byte in data {
            buffer = (buffer << 8) | Int(byte)
            bits += 8
            while bits >= 5 {
                result.append(alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
        }
        if bits > 0 { result.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return result
    }

    static func decode(_ text: String) -> Data? {
        var bytes: [UInt8] = []
        var buffer = 0, bits = 0
        for character in text.uppercased() where character != "=" && !character.isWhitespace {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            buffer = ((buffer << 5) | value) & 0xFFFF
            bits += 5
            if bits >= 8 {
                bytes.append(UInt8((buffer >> (bits - 8)) & 0xFF))
                bits -= 8
            }
        }
        return Data(bytes)
    }
}

extension Role {
    /// Roles that see sealed bids, scores, decisions or every account: a password alone is not enough.
    var requiresSecondFactor: Bool {
        switch self {
        case .procurementOfficer, .municipalityOfficial, .assessor, .administrator: true
        case .provider, .financeConsultant, .auditor: false
        }
    }
}

/// The second factor of an account: its TOTP key (sealed under the master key, never stored
/// plain), the last step accepted, and ten single-use recovery codes (stored as digests).
enum SecondFactor {
    static let recoveryCodeCount = 10

    struct State: Decodable {
        var totp_secret: Data?
        var totp_confirmed_at: Date?
        var totp_last_step: Int64?
    }

    static func state(of user: UUID, on db: Database) async throws -> State? {
        try await (db as! any SQLDatabase).select().columns("totp_secret", "totp_confirmed_at", "totp_last_step")
            .from(UserRecord.schema).where("id", .equal, user).first(decoding: State.self)
    }

    private static func context(_ user: UUID) -> String { "totp:\(user.uuidString)" }

    static func secret(of user: UUID, state: State, keys: VaultKeys) throws -> Data? {
        guard let sealed = state.totp_secret else { return nil }
        return try VaultKeys.open(sealed, key: keys.master, context: context(user))
    }

    /// The key being set up: the one not yet confirmed, so a reload shows the key already scanned,
    /// or a new one.
    static func pendingSecret(of user: UUID, keys: VaultKeys, on db: Database) async throws -> Data {
        if let state = try await state(of: user, on: db), state.totp_confirmed_at == nil, let secret = try secret(of: user, state: state, keys: keys) {
            return secret
        }
        let secret = Data((0..<20).map { _ in UInt8.random(in: 0...255) })
        try await (db as! any SQLDatabase).update(UserRecord.schema)
            .set("totp_secret", to: try VaultKeys.seal(secret, key: keys.master, context: context(user)))
            .set("totp_confirmed_at", to: SQLLiteral.null).set("totp_last_step", to: SQLLiteral.null)
            .where("id", .equal, user).run()
        return secret
    }

    enum Check {
        case totp(step: Int64)
        case recoveryCode(UUID)
        case wrong
    }

    /// Checks a code from the app, or a recovery code, against the account: read in the caller's
    /// transaction under the audit chain's lock, so a code is accepted once.
    static func check(_ code: String, user: UUID, at now: Date, keys: VaultKeys, on db: Database) async throws -> Check {
        guard let state = try await state(of: user, on: db), let secret = try secret(of: user, state: state, keys: keys) else { return .wrong }
        if let step = TOTP.acceptedStep(for: code, secret: secret, at: now, after: state.totp_last_step) { return .totp(step: step) }
        let normalised = normaliseRecoveryCode(code)
        guard normalised.count == 10 else { return .wrong }
        struct Row: Decodable { var id: UUID }
        let row = try await (db as! any SQLDatabase).select().column("id").from("recovery_codes")
            .where("user_id", .equal, user).where("code_hash", .equal, Tokens.digest(normalised)).where("used_at", .is, SQLLiteral.null)
            .first(decoding: Row.self)
        return row.map { .recoveryCode($0.id) } ?? .wrong
    }

    /// Records what `check` accepted, so neither the code nor the recovery code works again.
    static func consume(_ check: Check, user: UUID, at now: Date, on db: Database) async throws {
        switch check {
        case let .totp(step):
            try await (db as! any SQLDatabase).update(UserRecord.schema).set("totp_last_step", to: step).where("id", .equal, user).run()
        case let .recoveryCode(id):
            try await (db as! any SQLDatabase).update("recovery_codes").set("used_at", to: now).where("id", .equal, id).run()
        case .wrong:
            break
        }
    }

    /// Confirms the key being set up with a code from the app; returns the recovery codes, shown once.
    static func confirm(user: UUID, code: String, at now: Date, keys: VaultKeys, on db: Database) async throws -> [String]? {
        guard let state = try await state(of: user, on: db), state.totp_confirmed_at == nil,
              let secret = try secret(of: user, state: state, keys: keys),
              let step = TOTP.acceptedStep(for: code, secret: secret, at: now, after: nil) else { return nil }
        try await (db as! any SQLDatabase).update(UserRecord.schema).set("totp_confirmed_at", to: now).set("totp_last_step", to: step)
            .where("id", .equal, user).run()
        return try await newRecoveryCodes(for: user, at: now, on: db)
    }

    static func newRecoveryCodes(for user: UUID, at now: Date, on db: Database) async throws -> [String] {
        let sql = db as! any SQLDatabase
        try await sql.delete(from: "recovery_codes").where("user_id", .equal, user).run()
        let codes = (0..<recoveryCodeCount).map { _ in String((0..<10).map { _ in Base32.alphabet.randomElement()! }).lowercased() }
        let insert = sql.insert(into: "recovery_codes").columns("id", "user_id", "code_hash", "created_at")
        for code in codes { insert.values(SQLBind(UUID()), SQLBind(user), SQLBind(Tokens.digest(code)), SQLBind(now)) }
        try await insert.run()
        return codes.map { "\($0.prefix(5))-\($0.suffix(5))" }
    }

    static func unusedRecoveryCodes(of user: UUID, on db: Database) async throws -> Int {
        struct Row: Decodable { var n: Int }
        return try await (db as! any SQLDatabase).select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("recovery_codes")
            .where("user_id", .equal, user).where("used_at", .is, SQLLiteral.null).first(decoding: Row.self)?.n ?? 0
    }

    /// An administrator removes the second factor of an account whose phone is lost: its holder
    /// sets up a new one at the next login.
    static func remove(of user: UUID, on db: Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.update(UserRecord.schema).set("totp_secret", to: SQLLiteral.null).set("totp_confirmed_at", to: SQLLiteral.null)
            .set("totp_last_step", to: SQLLiteral.null).where("id", .equal, user).run()
        try await sql.delete(from: "recovery_codes").where("user_id", .equal, user).run()
    }

    /// The demo's one published key (README), for every demo account that needs a second factor,
    /// so the code step can be tried with any authenticator app or `oathtool --totp -b KEY`.
    static let demoKey = "ZORGINKOOPDEMOSLEUTELACHTERHOEK2"

    static func enrolForDemo(email: String, keys: VaultKeys, at now: Date, on db: Database) async throws {
        guard let user = try await UserRecord.query(on: db).filter(\.$email == email).first(), let secret = Base32.decode(demoKey) else { return }
        let id = try user.requireID()
        try await (db as! any SQLDatabase).update(UserRecord.schema)
            .set("totp_secret", to: try VaultKeys.seal(secret, key: keys.master, context: context(id)))
            .set("totp_confirmed_at", to: now).where("id", .equal, id).run()
    }

    static func accountsWithSecondFactor(on db: Database) async throws -> Set<UUID> {
        struct Row: Decodable { var id: UUID }
        return Set(try await (db as! any SQLDatabase).select().column("id").from(UserRecord.schema)
            .where("totp_confirmed_at", .isNot, SQLLiteral.null).all(decoding: Row.self).map(\.id))
    }

    static func normaliseRecoveryCode(_ code: String) -> String {
        code.lowercased().filter { $0.isLetter || $0.isNumber }
    }
}
