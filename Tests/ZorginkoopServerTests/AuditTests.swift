import Fluent
import Foundation
import SQLKit
import Testing
import VaporTesting
@testable import ZorginkoopServer

@Suite("The audit trail: append-only, hash-chained, verifiable")
struct AuditTests {
    @Test("Changes are written with their audit entry; the chain verifies")
    func chainVerifies() async throws {
        try await withApp { app in
            try await makeUser(app, .auditor)
            let browser = Browser(app)
            _ = try await browser.login("auditor@test.nl")
            let entries = try await AuditEntryRecord.query(on: app.db).sort(\.$seq).all()
            #expect(entries.map(\.action) == ["region.loaded", "user.created", "login.succeeded"])
            #expect(entries.map(\.seq) == [1, 2, 3])
            #expect(entries[0].previousHash == AuditChain.genesisHash)
            #expect(entries[1].previousHash == entries[0].hash)
            let verification = try await AuditChain.verify(on: app.db)
            #expect(verification.entries == 3)
            #expect(verification.firstBroken == nil)
        }
    }

    @Test("A tampered row is detected and named")
    func tamperedRowDetected() async throws {
        try await withApp { app in
            try await makeUser(app, .auditor)
            try await makeUser(app, .assessor)
            try await (app.db as! any SQLDatabase).raw("UPDATE audit_entries SET subject = 'iemand-anders@test.nl' WHERE seq = 2").run()
            let verification = try await AuditChain.verify(on: app.db)
            #expect(verification.firstBroken?.seq == 2)
            #expect(verification.firstBroken?.reason.contains("gewijzigd") == true)
        }
    }

    @Test("A deleted row, and a deleted last row, are detected")
    func deletedRowsDetected() async throws {
        try await withApp { app in
            try await makeUser(app, .auditor)
            try await makeUser(app, .assessor)
            try await (app.db as! any SQLDatabase).raw("DELETE FROM audit_entries WHERE seq = 3").run()
            #expect(try await AuditChain.verify(on: app.db).firstBroken?.seq == 3)
        }
        try await withApp { app in
            try await makeUser(app, .auditor)
            try await (app.db as! any SQLDatabase).raw("DELETE FROM audit_entries WHERE seq = 2").run()
            let broken = try await AuditChain.verify(on: app.db).firstBroken
            #expect(broken?.seq == 2)
            #expect(broken?.reason.contains("ontbreken") == true)
        }
    }

    @Test("Concurrent audited changes each get their own place in the chain")
    func concurrentAppends() async throws {
        try await withApp { app in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<12 {
                    group.addTask {
                        try await app.db.audited("test.concurrent", subject: "\(i)", actor: "test", clock: .system) { _ in }
                    }
                }
                try await group.waitForAll()
            }
            let verification = try await AuditChain.verify(on: app.db)
            #expect(verification.entries == 13)
            #expect(verification.firstBroken == nil)
        }
    }

    @Test("Auditors read and filter the trail on a page and export it as CSV")
    func auditPageAndCSV() async throws {
        try await withApp { app in
            try await makeUser(app, .auditor)
            let browser = Browser(app)
            _ = try await browser.login("auditor@test.nl")
            let page = try await browser.get("/audit?action=login")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("login.succeeded"))
            #expect(!page.body.string.contains("region.loaded"))
            #expect(page.body.string.contains("De keten van 3 regels is intact"))
            let csv = try await browser.get("/audit.csv")
            #expect(csv.status == .ok)
            #expect(csv.headers.contentType?.subType == "csv")
            let lines = csv.body.string.split(separator: "\r\n")
            #expect(lines.first?.hasSuffix("volgnummer;tijdstip;actor;rol;actie;onderwerp;details;vorige_hash;hash") == true)
            #expect(lines.count == 4)
            #expect(lines[1].hasPrefix("1;"))
            let badDate = try await browser.get("/audit?van=gisteren")
            #expect(badDate.status == .badRequest)
        }
    }
}
