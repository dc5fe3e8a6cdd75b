import Fluent
import Foundation
import Vapor
import ZorginkoopCore

/// The fixture of the bid-rush load test: a published tender that closes soon, and provider
/// organisations whose users hold API tokens (they have no usable password).
public enum RushSetup {
    public static func prepare(_ app: Application, providers: Int, deadlineIn: TimeInterval) async throws -> [String: Any] {
        let now = app.clock.now()
        let region = try await DesignStore.region(on: app.db).design
        let tender = "CRISIS"
        let subSegments = region.lots.first { $0.code == tender }?.segments.flatMap(\.subSegments).map(\.code) ?? []
        let scope = TenderScope(design: region, tender: tender, subSegments: subSegments, noGo: [])
        let timeline = TenderTimeline(publication: now, questionDeadlines: [now.addingTimeInterval(deadlineIn / 2)],
                                      submissionDeadline: now.addingTimeInterval(deadlineIn), opening: now.addingTimeInterval(deadlineIn))
        let id = UUID()
        let code = "RUSH-\(Int(now.timeIntervalSince1970))"
        try await app.db.audited("tender.created", subject: code, actor: "loadtest", clock: app.clock) { db in
            let record = TenderRecord()
            record.id = id
            record.code = code
            record.name = "Loadtest \(code)"
            record.setScope(scope)
            record.timeline = StoredJSON.string(timeline)
            record.submissionDeadline = timeline.submissionDeadline
            record.publishedAt = now
            record.sealedKey = try app.zorginkoop.vault.newTenderKey(tender: id).sealed
            try await record.create(on: db)
        }
        let tokens = try await app.db.transaction { db in
            var tokens: [String] = []
            for i in 0..<providers {
                let organisation = OrganisationRecord(name: "\(code) aanbieder \(i + 1)", kvkNumber: String(format: "9%07d", i), agbCode: nil)
                try await organisation.create(on: db)
                let user = UserRecord(email: "rush\(i + 1)-\(id.uuidString.prefix(8).lowercased())@loadtest.invalid", name: "Loadtest \(i + 1)",
                                      role: .provider, municipality: nil, organisationID: try organisation.requireID(), passwordHash: "!")
                try await user.create(on: db)
                let token = Tokens.generate()
                try await APITokenRecord(userID: try user.requireID(), name: "loadtest", tokenHash: Tokens.digest(token)).create(on: db)
                tokens.append(token)
            }
            return tokens
        }
        var content = BidContent(subSegments: [subSegments.first ?? ""], transport: region.transportOptions.first?.code)
        for r in scope.requirements(for: content.subSegments) { content.declarations[r.code] = RequirementDeclaration(status: .met, evidence: "Zie bijlage") }
        for c in scope.criteria(for: content.subSegments) { content.dossier[c.code] = "Aanpak voor \(c.name)." }
        let bid = try JSONSerialization.jsonObject(with: StoredJSON.encode(content))
        return ["tender": code, "deadline": timeline.submissionDeadline.timeIntervalSince1970, "tokens": tokens, "bid": bid]
    }
}
