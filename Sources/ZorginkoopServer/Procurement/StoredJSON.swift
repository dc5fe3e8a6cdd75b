import Foundation

/// The one JSON form for values kept in a column or hashed: sorted keys, instants in milliseconds.
/// Its bytes are stable, so a digest of them can be recomputed later.
enum StoredJSON {
    static func encode<T: Encodable>(_ value: T) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return try! encoder.encode(value)
    }

    static func string<T: Encodable>(_ value: T) -> String {
        String(decoding: encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return try decoder.decode(type, from: data)
    }

    static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        try decode(type, from: Data(text.utf8))
    }
}
