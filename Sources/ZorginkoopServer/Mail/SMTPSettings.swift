import Foundation

/// The mail server, from the environment.
public struct SMTPSettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var from: String
    public var username: String?
    public var password: String?

    public init(host: String, port: Int = 25, from: String, username: String? = nil, password: String? = nil) {
        self.host = host
        self.port = port
        self.from = from
        self.username = username
        self.password = password
    }

    static func fromEnvironment(_ env: [String: String]) throws -> SMTPSettings? {
        guard let host = env["SMTP_HOST"], !host.isEmpty else { return nil }
        let portText = env["SMTP_PORT"] ?? ""
        guard portText.isEmpty || Int(portText).map({ (1...65_535).contains($0) }) == true else {
            throw ConfigurationError(description: "SMTP_PORT: verwacht een poortnummer van 1 tot en met 65535 (niet '\(portText)')")
        }
        guard let from = env["SMTP_FROM"], from.contains("@") else {
            throw ConfigurationError(description: "SMTP_FROM: het afzenderadres ontbreekt (bijvoorbeeld inkoop@doetinchem.nl)")
        }
        return SMTPSettings(host: host, port: Int(portText) ?? 25, from: from,
                            username: env["SMTP_USERNAME"].flatMap { $0.isEmpty ? nil : $0 }, password: env["SMTP_PASSWORD"])
    }
}
