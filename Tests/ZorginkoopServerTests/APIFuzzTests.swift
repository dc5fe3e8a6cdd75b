import Foundation
import Testing
import VaporTesting
import ZorginkoopCore
import ZorginkoopFuzzing
@testable import ZorginkoopServer

/// Hundreds of mutated bodies through the API over the real server: each is answered with a result
/// or a problem+json refusal, never a 5xx, and the audit chain stays whole.
@Suite("Fuzzing the API")
struct APIFuzzTests {
    @Test("400 mutated designs, tenders, bids, questions and KPI reports: no 5xx, every refusal a problem+json")
    func mutatedBodies() async throws {
        try await withApp { app in
            let (_, officer) = try await CrisisTender.openForBids(app)
            let provider = try await makeAccount(app, .provider, email: "info@zorg-a.nl", organisation: "Zorg A")
            let copy = try await apiRequest(app, .POST, "/api/v1/designs/achterhoek-2026/copies", token: officer)
            let code = try #require(try jsonObject(copy)["code"] as? String)
            let tender = """
            {"designTender": "CRISIS", "name": "Crisis 2028", "subSegments": ["CRI-AMB"], "noGo": [],
             "timeline": {"publication": "\(iso(CrisisTender.t0.addingTimeInterval(86_400)))", "questionDeadlines": ["\(iso(CrisisTender.t0.addingTimeInterval(5 * 86_400)))"],
                          "submissionDeadline": "\(iso(CrisisTender.t0.addingTimeInterval(20 * 86_400)))", "opening": "\(iso(CrisisTender.t0.addingTimeInterval(20 * 86_400)))"},
             "contractTerm": {"start": "2027-06-01", "initialTermMonths": 24, "extensionMonths": 12, "maxExtensions": 2}}
            """
            let targets: [(HTTPMethod, String, String, Data)] = [
                (.PUT, "/api/v1/designs/\(code)", officer, Data(copy.body.string.utf8)),
                (.POST, "/api/v1/tenders", officer, Data(tender.utf8)),
                (.PUT, "/api/v1/tenders/\(CrisisTender.code)/bid", provider, Data(jsonText(try CrisisTender.content(marker: "A")).utf8)),
                (.POST, "/api/v1/tenders/\(CrisisTender.code)/questions", provider, Data(#"{"text": "Geldt de wachttijd per gemeente?", "section": "3.2"}"#.utf8)),
                (.POST, "/api/v1/kpi-reports", provider, Data(#"[{"contract": "CRISIS-2026-001", "kpi": "WACHTTIJD", "period": "2026-K1", "value": 30.5}]"#.utf8)),
            ]
            var mutator = JSONMutator(seed: 11)
            var statuses: [UInt: Int] = [:]
            for i in 0..<400 {
                let (method, path, token, seed) = targets[i % targets.count]
                let body = String(decoding: mutator.mutate(seed), as: UTF8.self)
                let response = try await apiRequest(app, method, path, token: token, json: body)
                statuses[response.status.code, default: 0] += 1
                #expect(response.status.code < 500, "case \(i) \(method) \(path): \(response.status.code) \(response.body.string.prefix(300))")
                if response.status.code >= 400 {
                    #expect(response.headers.contentType?.subType == "problem+json", "case \(i): \(response.headers.contentType?.description ?? "-")")
                }
            }
            #expect(statuses.keys.contains { $0 >= 400 })
            #expect(try await AuditChain.verify(on: app.db).firstBroken == nil)
        }
    }
}
