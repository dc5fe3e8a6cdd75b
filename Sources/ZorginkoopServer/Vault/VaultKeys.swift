import Crypto
import ZorginkoopCore
import Foundation
import Vapor

/// The vault's cryptography: AES-GCM (256-bit). Each tender has its own random key; that key is
/// stored only sealed by the server's master key, which never enters the database. Every sealed
/// value carries what it belongs to as authenticated data, so no ciphertext can be moved to
/// another row and still open.
public struct VaultKeys: Sendable {
    let master: SymmetricKey

    public init(master: SymmetricKey) { self.master = master }

    /// A master key from its base64 form (32 bytes), as `VAULT_MASTER_KEY` holds it.
    public init?(base64: String) {
        guard let data = Data(base64Encoded: base64.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32 else { return nil }
        self.init(master: SymmetricKey(data: data))
    }

    public static func generateBase64() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
    }

    /// A new tender key, and its sealed form for storage.
    func newTenderKey(tender: UUID) throws -> (key: SymmetricKey, sealed: Data) {
        let key = SymmetricKey(size: .bits256)
        let raw = key.withUnsafeBytes { Data($0) }
        return (key, try Self.seal(raw, key: master, context: "tender-key:\(tender.uuidString)"))
    }

    func tenderKey(tender: UUID, sealed: Data) throws -> SymmetricKey {
        SymmetricKey(data: try Self.open(sealed, key: master, context: "tender-key:\(tender.uuidString)"))
    }

    /// The declaration with each line's BSN replaced by its keyed hash: declarations are matched by
    /// it and the BSN itself is never stored in the clear. The key is derived from the master key
    /// (once per message), so every instance agrees.
    func hashingClients(_ declaration: Declaration) -> Declaration {
        let key = clientHashKey
        var d = declaration
        d.lines = d.lines.map { var l = $0; l.client = Self.clientKey(bsn: $0.client, key: key); return l }
        return d
    }

    private var clientHashKey: SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: master, info: Data("client-bsn-hash".utf8), outputByteCount: 32)
    }

    private static func clientKey(bsn: String, key: SymmetricKey) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(bsn.utf8), using: key)).map { String(format: "%02x", $0) }.joined()
    }

    /// Personal data at rest (an answer message lists BSNs): sealed under the master key, bound to
    /// what it is.
    func sealPersonal(_ plaintext: Data, context: String) throws -> Data { try Self.seal(plaintext, key: master, context: "personal:" + context) }
    func openPersonal(_ sealed: Data, context: String) throws -> Data { try Self.open(sealed, key: master, context: "personal:" + context) }

    static func seal(_ plaintext: Data, key: SymmetricKey, context: String) throws -> Data {
        try AES.GCM.seal(plaintext, using: key, authenticating: Data(context.utf8)).combined!
    }

    static func open(_ sealed: Data, key: SymmetricKey, context: String) throws -> Data {
        try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: key, authenticating: Data(context.utf8))
    }
}

extension SHA256.Digest {
    /// Lower-case hexadecimal. Computed for every token, receipt and audit entry, so without
    /// `String(format:)`, which costs a formatter per byte.
    var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(2 * Self.byteCount)
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
