import Fluent
import Foundation
import Testing
import VaporTesting
import ZorginkoopCatalog
import ZorginkoopCore
@testable import ZorginkoopServer

@Suite("Assessment and ranking through the browser")
struct AssessmentTests {
    /// Three providers bid on CRI-AMB; the vault is opened by two officers.
    static func openedTender(_ app: Application, _ time: TestClock) async throws -> [String: String] {
        let officer = try await makeAccount(app, .procurementOfficer, email: "inkoper1@doetinchem.nl")
        let officer2 = try await makeAccount(app, .procurementOfficer, email: "inkoper2@doetinchem.nl")
        try await CrisisTender.create(app, officer: officer)
        time.set(CrisisTender.t0.addingTimeInterval(3600))
        var bidIDs: [String: String] = [:]
        for name in ["Zorg A", "Zorg B", "Zorg C"] {
            let token = try await makeAccount(app, .provider, email: "info@\(name.lowercased().replacingOccurrences(of: " ", with: "-")).nl", organisation: name)
            _ = try await apiRequest(app, .PUT, "/api/v1/tenders/\(CrisisTender.code)/bid", token: token, json: jsonText(try CrisisTender.content(marker: "dossier van \(name)")))
            let receipt = try jsonObject(try await apiRequest(app, .POST, "/api/v1/tenders/\(CrisisTender.code)/bid/submission", token: token, json: #"{"confirm": true}"#))
            bidIDs[name] = (receipt["bid"] as! String).uppercased()
        }
        time.set(CrisisTender.deadline.addingTimeInterval(60))
        _ = try await apiRequest(app, .POST, "/api/v1/tenders/\(CrisisTender.code)/vault/confirmations", token: officer)
        #expect(try await apiRequest(app, .POST, "/api/v1/tenders/\(CrisisTender.code)/vault/confirmations", token: officer2).status == .ok)
        return bidIDs
    }

    static func browser(_ app: Application, _ email: String) async throws -> Browser {
        let browser = Browser(app)
        #expect(try await browser.login(email).status == .seeOther)
        return browser
    }

    @Test("Committee, declarations, requirement checks, blind scores, consensus and the ranking page agree with the core engine")
    func assessmentWalkThrough() async throws {
        try await withApp { app in
            let time = TestClock(CrisisTender.t0.addingTimeInterval(-3600))
            app.clock = time.clock
            let bids = try await Self.openedTender(app, time)
            for n in 1...3 { _ = try await makeAccount(app, .assessor, email: "beoordelaar\(n)@achterhoek.nl") }
            let base = "/aanbestedingen/\(CrisisTender.code)/beoordeling"
            let officer = try await Self.browser(app, "inkoper1@doetinchem.nl")
            try await officer.get(base)
            #expect(try await officer.post("\(base)/CRI/commissie", form: ["assessor-beoordelaar1@achterhoek.nl": "ja", "assessor-beoordelaar2@achterhoek.nl": "ja",
                                                                          "assessor-beoordelaar3@achterhoek.nl": "ja"]).status == .seeOther)
            // Before declaring, an assessor sees the bidders' names but no bid.
            let b1 = try await Self.browser(app, "beoordelaar1@achterhoek.nl")
            let undeclared = try await b1.get("\(base)/CRI").body.string
            #expect(undeclared.contains("Verklaring over belangenconflicten") && undeclared.contains("Zorg B"))
            #expect(!undeclared.contains("dossier van Zorg B"))
            #expect(try await b1.post("\(base)/CRI/scores/\(bids["Zorg A"]!)", form: ["score-PASSEND": "7"]).status == .unprocessableEntity)
            #expect(try await b1.post("\(base)/CRI/verklaring", form: ["declaration": "none"]).status == .seeOther)
            #expect(try await b1.get("\(base)/CRI").body.string.contains("dossier van Zorg B"))
            let b3 = try await Self.browser(app, "beoordelaar3@achterhoek.nl")
            try await b3.get("\(base)/CRI")
            let noExplanation = try await b3.post("\(base)/CRI/verklaring", form: ["declaration": "conflict", "bidder-Zorg A": "ja"])
            #expect(noExplanation.status == .unprocessableEntity)
            #expect(try await b3.post("\(base)/CRI/verklaring", form: ["declaration": "conflict", "bidder-Zorg A": "ja", "explanation": "Oud-werkgever"]).status == .seeOther)
            let removed = try await b3.get("\(base)/CRI").body.string
            #expect(removed.contains("belangenconflict gemeld met Zorg A") && !removed.contains("dossier van Zorg A"))
            let b2 = try await Self.browser(app, "beoordelaar2@achterhoek.nl")
            try await b2.get("\(base)/CRI")
            #expect(try await b2.post("\(base)/CRI/verklaring", form: ["declaration": "none"]).status == .seeOther)

            // Requirement checks: C fails the quality mark and leaves the scoring.
            let design = try Catalog.bundledDesign("achterhoek-2026")
            let requirements = design.requirements(forLot: "CRISIS")
            for (name, id) in bids {
                var form: [String: String] = [:]
                for r in requirements { form["outcome-\(r.code)"] = "pass" }
                if name == "Zorg C" { form["outcome-KWALITEIT"] = "fail"; form["reason-KWALITEIT"] = "Geen HKZ-certificaat en geen aanvraag" }
                try await officer.get("\(base)/CRI")
                #expect(try await officer.post("\(base)/CRI/eisen/\(id)", form: form).status == .seeOther)
            }

            // Blind scores: each sees only their own until both have scored; then the spread.
            let criteria = ["PASSEND", "INTEGRAAL", "SAMENWERKING", "INNOVATIE", "LOKAAL"]
            func scores(_ values: [Int], _ who: String) -> [String: String] {
                var form: [String: String] = [:]
                for (c, v) in zip(criteria, values) { form["score-\(c)"] = String(v); form["motivation-\(c)"] = "\(who) motiveert \(c) met \(v)" }
                return form
            }
            try await b1.get("\(base)/CRI")
            #expect(try await b1.post("\(base)/CRI/scores/\(bids["Zorg A"]!)", form: scores([8, 8, 7, 6, 9], "B1")).status == .seeOther)
            #expect(try await b1.post("\(base)/CRI/scores/\(bids["Zorg B"]!)", form: scores([6, 7, 7, 5, 8], "B1")).status == .seeOther)
            #expect(try await b1.post("\(base)/CRI/scores/\(bids["Zorg C"]!)", form: scores([6, 7, 7, 5, 8], "B1")).status == .unprocessableEntity)
            #expect(!(try await b2.get("\(base)/CRI").body.string.contains("B1 motiveert")))
            #expect(try await b2.post("\(base)/CRI/scores/\(bids["Zorg A"]!)", form: scores([7, 8, 7, 9, 9], "B2")).status == .seeOther)
            let afterA = try await b1.get("\(base)/CRI").body.string
            #expect(afterA.contains("B2 motiveert PASSEND met 7"))
            #expect(afterA.contains("groot verschil"))  // INNOVATIE: 6 and 9
            #expect(try await b2.post("\(base)/CRI/scores/\(bids["Zorg B"]!)", form: scores([6, 6, 7, 5, 8], "B2")).status == .seeOther)

            // Consensus, then a revision with its reason.
            func consensus(_ values: [Int], reason: String = "") -> [String: String] {
                var form = ["reason": reason]
                for (c, v) in zip(criteria, values) { form["score-\(c)"] = String(v); form["rationale-\(c)"] = "Commissie: \(c) \(v)" }
                return form
            }
            try await officer.get("\(base)/CRI")
            #expect(try await officer.post("\(base)/CRI/consensus/\(bids["Zorg A"]!)", form: consensus([8, 8, 7, 7, 9])).status == .seeOther)
            #expect(try await officer.post("\(base)/CRI/consensus/\(bids["Zorg B"]!)", form: consensus([6, 7, 7, 5, 8])).status == .seeOther)
            #expect(try await officer.post("\(base)/CRI/consensus/\(bids["Zorg B"]!)", form: consensus([6, 6, 7, 5, 8])).status == .unprocessableEntity)
            #expect(try await officer.post("\(base)/CRI/consensus/\(bids["Zorg B"]!)", form: consensus([6, 6, 7, 5, 8], reason: "Herberekend na hoor en wederhoor")).status == .seeOther)
            let revision = try #require(try await AuditEntryRecord.query(on: app.db).filter(\.$action == "assessment.consensus").sort(\.$seq, .descending).first())
            #expect(revision.details.contains("Herberekend na hoor en wederhoor") && revision.actor == "inkoper1@doetinchem.nl")

            // The ranking page shows exactly what the engine decides on the stored assessment.
            let record = try #require(try await SegmentAssessmentRecord.query(on: app.db).first())
            let assessment = try StoredJSON.decode(SegmentAssessment.self, from: record.document)
            let engine = try SelectionEngine.select(try AssessedBids(design: design, tender: "CRISIS", segments: [assessment],
                                                                    noGo: [NoGo(segment: "CRI", municipality: "aalten")]), design: design)
            let amb = try #require(engine.subSegments.first { $0.code == "CRI-AMB" })
            #expect(amb.selected == [bids["Zorg A"]!])
            #expect(amb.waitingRoom == [bids["Zorg B"]!])
            #expect(amb.excluded.map(\.bid) == [bids["Zorg C"]!])
            _ = try await makeUser(app, .municipalityOfficial)
            let official = try await Self.browser(app, "municipality-official@test.nl")
            let ranking = try await official.get("/aanbestedingen/\(CrisisTender.code)/rangschikking").body.string
            for r in amb.ranking {
                let status = amb.selected.contains(r.bid) ? "Geselecteerd" : "Wachtkamer (plaats 1)"
                #expect(ranking.contains("<th scope=\"row\">\(r.bidder)</th><td>\(RankingController.dutch(r.score))</td><td>\(status)</td>"))
            }
            #expect(ranking.contains("Zorg C: ") && ranking.contains("Geen HKZ-certificaat"))
            let advice = try await official.get("/aanbestedingen/\(CrisisTender.code)/rangschikking/CRI/advies")
            #expect(advice.status == .ok && advice.body.string.contains("Gunningsadvies"))
        }
    }
}
