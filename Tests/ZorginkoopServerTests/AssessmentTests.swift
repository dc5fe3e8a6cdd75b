import Fluent
import Foundation
import SQLKit
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
            #expect(try await b1.post("\(base)/CRI/verklaring", form: ["declaration": "none"]).status == .unprocessableEntity)
            #expect(try await b1.post("\(base)/CRI/verklaring", form: ["declaration": "none", "confirm": "ja"]).status == .seeOther)
            #expect(try await b1.get("\(base)/CRI").body.string.contains("dossier van Zorg B"))
            let b3 = try await Self.browser(app, "beoordelaar3@achterhoek.nl")
            try await b3.get("\(base)/CRI")
            let noExplanation = try await b3.post("\(base)/CRI/verklaring", form: ["declaration": "conflict", "bidder-Zorg A": "ja", "confirm": "ja"])
            #expect(noExplanation.status == .unprocessableEntity)
            #expect(try await b3.post("\(base)/CRI/verklaring", form: ["declaration": "conflict", "bidder-Zorg A": "ja", "explanation": "Oud-werkgever", "confirm": "ja"]).status == .seeOther)
            let removed = try await b3.get("\(base)/CRI").body.string
            #expect(removed.contains("belangenconflict gemeld met Zorg A") && !removed.contains("dossier van Zorg A"))
            let b2 = try await Self.browser(app, "beoordelaar2@achterhoek.nl")
            try await b2.get("\(base)/CRI")
            #expect(try await b2.post("\(base)/CRI/verklaring", form: ["declaration": "none", "confirm": "ja"]).status == .seeOther)

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
            let export = try await officer.get("\(base)/export.csv")
            #expect(export.headers.contentType?.subType == "csv")
            #expect(export.body.string.contains("consensus gewijzigd;inkoper1@doetinchem.nl;INTEGRAAL;6;Herberekend na hoor en wederhoor"))
            #expect(export.body.string.contains("individuele score;beoordelaar2@achterhoek.nl;PASSEND;7;B2 motiveert PASSEND met 7"))

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

            try await Self.award(app, time, bids: bids, design: design, assessment: assessment, officer: officer)
        }
    }

    /// The award, continued from the assessment: go/no-go, provisional decision and letters,
    /// an objection, the standstill, the final award with contracts, a waiting-room call-up.
    /// The texts of an organisation's notifications (its page "Meldingen").
    static func notifications(_ app: Application, _ organisation: String) async throws -> [String] {
        let id = try #require(try await OrganisationRecord.query(on: app.db).filter(\.$name == organisation).first()?.requireID())
        return try await NotificationRecord.query(on: app.db).filter(\.$organisation.$id == id).all().map(\.text)
    }

    static func award(_ app: Application, _ time: TestClock, bids: [String: String], design: Design, assessment: SegmentAssessment,
                      officer: Browser) async throws {
        let base = "/aanbestedingen/\(CrisisTender.code)/gunning"
        let deciders = design.region.municipalities.filter { $0.code != "aalten" }
        var officials: [String: Browser] = [:]
        for m in deciders {
            try await Accounts.create(NewAccount(email: "gunning@\(m.code).nl", name: m.name, role: .municipalityOfficial, municipality: m.code, password: testPassword),
                                      actor: "test", clock: app.clock, cost: app.zorginkoop.bcryptCost, on: app.db)
            officials[m.code] = try await Self.browser(app, "gunning@\(m.code).nl")
        }
        try await officer.get(base)
        #expect(try await officer.post("\(base)/voorlopig", form: ["confirm": "ja"]).status == .unprocessableEntity)  // no decisions yet
        for m in deciders {
            let browser = officials[m.code]!
            try await browser.get(base)
            #expect(try await browser.post("\(base)/akkoord", form: [:]).status == .seeOther)
        }
        try await officer.get(base)
        #expect(try await officer.post("\(base)/voorlopig", form: [:]).status == .unprocessableEntity)
        // Days pass between the steps below: sessions last 8 hours, so people sign in again.
        time.set(CrisisTender.deadline.addingTimeInterval(7 * 86_400))
        let sentAt = CrisisTender.deadline.addingTimeInterval(7 * 86_400)
        #expect(try await officer.login("inkoper1@doetinchem.nl").status == .seeOther)
        try await officer.get(base)
        // The committee's text on the selected bid's relative advantages goes into every letter.
        let awardPage = try await officer.get(base).body.string
        let key = "advantage-\(bids["Zorg A"]!)-INTEGRAAL"
        #expect(awardPage.contains("name=\"\(key)\""))
        #expect(try await officer.post("\(base)/voordelen", form: [key: "Integraler dan de andere inschrijvingen: één regisseur per gezin"]).status == .seeOther)
        try await officer.get(base)
        let publication = try await officer.post("\(base)/voorlopig", form: ["confirm": "ja"])
        #expect(publication.status == .seeOther, "\(publication.body.string.components(separatedBy: "notice").dropFirst().first?.prefix(300) ?? "")")

        // Each bidder's letter states its own decision, scores, the selected bid and the standstill end.
        let standstill = Standstill(sentAt: sentAt)
        let letterA = try await Self.browser(app, "info@zorg-a.nl").get("\(base)/brief").body.string
        #expect(letterA.contains("Besluit: <strong>geselecteerd</strong>"))
        #expect(letterA.contains("Commissie: INTEGRAAL 8"))
        #expect(letterA.contains(standstill.dutchEnd))
        let providerB = try await Self.browser(app, "info@zorg-b.nl")
        let letterB = try await providerB.get("\(base)/brief").body.string
        #expect(letterB.contains("niet geselecteerd; geplaatst in de wachtkamer op plaats 1"))
        #expect(letterB.contains("Geselecteerd: Zorg A"))
        #expect(letterB.contains("Integraler dan de andere inschrijvingen: één regisseur per gezin"))
        let letterC = try await Self.browser(app, "info@zorg-c.nl").get("\(base)/brief").body.string
        #expect(letterC.contains("uitgesloten: ") && letterC.contains("Geen HKZ-certificaat"))
        let published = try #require(try await AuditEntryRecord.query(on: app.db).filter(\.$action == "award.provisional").first())
        let state = try await AwardStore.load(try LoadedTender(try #require(try await TenderRecord.query(on: app.db).first())), on: app.db)
        let letter = try #require(state.provisional?.letters.first { $0.bidder == "Zorg B" })
        #expect(published.details.contains(letter.sha256) && letterB.contains(letter.sha256))

        // An objection blocks the segment's contracts, even after the standstill, until it is handled.
        time.set(sentAt.addingTimeInterval(86_400))
        #expect(try await providerB.login("info@zorg-b.nl").status == .seeOther)
        #expect(try await officer.login("inkoper1@doetinchem.nl").status == .seeOther)
        try await providerB.get("\(base)/brief")
        #expect(try await providerB.post("\(base)/bezwaar", form: ["segment": "CRI", "kind": "complaint", "summary": "De score op innovatie is te laag."]).status == .seeOther)
        try await officer.get(base)
        #expect(try await officer.post("\(base)/definitief/CRI", form: ["confirm": "ja"]).status == .conflict)
        time.set(standstill.endedAt)
        #expect(try await providerB.login("info@zorg-b.nl").status == .seeOther)
        #expect(try await officer.login("inkoper1@doetinchem.nl").status == .seeOther)
        try await providerB.get("\(base)/brief")
        #expect(try await providerB.post("\(base)/bezwaar", form: ["segment": "CRI", "kind": "complaint", "summary": "Te laat"]).status == .seeOther)
        #expect(state.objections.isEmpty)
        #expect(try await AwardStore.load(try LoadedTender(try #require(try await TenderRecord.query(on: app.db).first())), on: app.db).objections.count == 1)
        try await officer.get(base)
        let blocked = try await officer.post("\(base)/definitief/CRI", form: ["confirm": "ja"])
        #expect(blocked.status == .conflict && blocked.body.string.contains("klacht B1 van Zorg B is nog open"))
        try await officer.get(base)
        // Closing an objection and the final award are irreversible: refused without an explicit confirmation.
        #expect(try await officer.post("\(base)/bezwaar/B1", form: ["state": "rejected", "note": "De commissie heeft de score gemotiveerd."]).status == .unprocessableEntity)
        #expect(try await officer.post("\(base)/bezwaar/B1", form: ["state": "rejected", "note": "De commissie heeft de score gemotiveerd.", "confirm": "ja"]).status == .seeOther)
        #expect(try await Self.notifications(app, "Zorg B").contains { $0.hasPrefix("Uw bezwaar B1 bij Crisis Jeugdhulp 2027 is afgehandeld: ongegrond. De commissie heeft de score gemotiveerd.") })
        #expect(try await officer.post("\(base)/definitief/CRI", form: [:]).status == .unprocessableEntity)
        #expect(try await officer.post("\(base)/definitief/CRI", form: ["confirm": "ja"]).status == .seeOther)
        for bidder in ["Zorg A", "Zorg B"] {
            #expect(try await Self.notifications(app, bidder).contains { $0.contains("is definitief; de overeenkomsten zijn aangemaakt") }, "\(bidder)")
        }

        // Contracts follow the engine's selection and the tender's own term: the design's months from
        // the start the tender set (the design's 1-1-2026 lies before this award).
        let tenderDesign = try LoadedTender(try #require(try await TenderRecord.query(on: app.db).first())).scope.design
        let engine = try SelectionEngine.select(try AssessedBids(design: design, tender: "CRISIS", segments: [assessment],
                                                                noGo: [NoGo(segment: "CRI", municipality: "aalten")]), design: design)
        var crisis = engine
        crisis.subSegments = engine.subSegments.filter { $0.code.hasPrefix("CRI-") }
        let expected = try Contract.forFinalAward(crisis, input: try #require(state.provisional?.input), design: tenderDesign)
        let awarded = try await ContractStore.all(on: app.db).map(\.contract)
        #expect(awarded.map(\.number) == expected.indices.map { "\(CrisisTender.code)-" + String(format: "%03d", $0 + 1) })
        #expect(awarded.map { [$0.lead?.name ?? ""] + $0.subSegments + $0.municipalities } == expected.map { [$0.bidder] + $0.subSegments + $0.municipalities })
        let term = try #require(tenderDesign.tenders.first { $0.code == "CRISIS" }?.contractTerm)
        let designTerm = try #require(design.tenders.first { $0.code == "CRISIS" }?.contractTerm)
        #expect(term.start == CalendarDate(year: 2027, month: 2, day: 1)! && term.maxTotalMonths == designTerm.maxTotalMonths)
        #expect(awarded.first?.start == term.start && awarded.first?.term.maxEnd == term.maxEnd)
        #expect(awarded.first?.lead?.name == "Zorg A" && awarded.first?.lead?.organisation != nil)
        // The register names the procedure, not the design's tender, so its coverage finds the contracts.
        #expect(awarded.allSatisfy { $0.tender == CrisisTender.code })
        let scope = try LoadedTender(try #require(try await TenderRecord.query(on: app.db).first())).scope
        let coverage = Coverage(scope: scope, tender: CrisisTender.code, contracts: awarded, on: term.start)
        #expect(coverage.cells.contains { !$0.supply.isEmpty })
        let page = try await officer.get(base).body.string
        #expect(page.contains(term.maxEnd.dutch))

        // The waiting room: the next eligible bid is called up, with the reason audited.
        #expect(try await officer.post("\(base)/wachtkamer/CRI-AMB", form: ["reason": ""]).status == .unprocessableEntity)
        #expect(try await officer.post("\(base)/wachtkamer/CRI-AMB", form: ["reason": "Zorg A stopt met crisisopvang in Winterswijk"]).status == .seeOther)
        let called = try await AwardStore.load(try LoadedTender(try #require(try await TenderRecord.query(on: app.db).first())), on: app.db)
        #expect(called.callUps.first?.bid == bids["Zorg B"])
        #expect(try await ContractStore.all(on: app.db).map { $0.contract.lead?.name } == ["Zorg A", "Zorg B"])
        #expect(try await ContractStore.all(on: app.db).map(\.contract.source) == [.award, .callUp])
        #expect(try await Self.notifications(app, "Zorg B").contains { $0.hasPrefix("U bent opgeroepen uit de wachtkamer") })
        // Each of these also went out by e-mail, through the outbox, to the bidder's accounts.
        struct Mail: Decodable { var recipient: String; var body: String }
        let mails = try await (app.db as! any SQLDatabase).raw("SELECT recipient, body FROM outbox").all(decoding: Mail.self)
        for text in ["is afgehandeld", "is definitief", "opgeroepen uit de wachtkamer"] {
            #expect(mails.contains { $0.body.contains(text) }, "\(text)")
        }
        #expect(try await AuditEntryRecord.query(on: app.db).filter(\.$action == "award.waiting-room.call-up").first()?.details.contains("Winterswijk") == true)
        #expect(try await AuditChain.verify(on: app.db).firstBroken == nil)
        try await Self.migrateFromBeforeTheRegister(app)
    }

    @Test("A tie at the cut stops the award until a recorded draw orders it; the draw is audited with who and when")
    func tieAndDraw() async throws {
        try await withApp { app in
            let time = TestClock(CrisisTender.t0.addingTimeInterval(-3600))
            app.clock = time.clock
            let bids = try await Self.openedTender(app, time)
            _ = try await makeAccount(app, .assessor, email: "beoordelaar1@achterhoek.nl")
            let base = "/aanbestedingen/\(CrisisTender.code)/beoordeling"
            let officer = try await Self.browser(app, "inkoper1@doetinchem.nl")
            try await officer.get(base)
            #expect(try await officer.post("\(base)/CRI/commissie", form: ["assessor-beoordelaar1@achterhoek.nl": "ja"]).status == .seeOther)
            let assessor = try await Self.browser(app, "beoordelaar1@achterhoek.nl")
            try await assessor.get("\(base)/CRI")
            #expect(try await assessor.post("\(base)/CRI/verklaring", form: ["declaration": "none", "confirm": "ja"]).status == .seeOther)
            let criteria = ["PASSEND", "INTEGRAAL", "SAMENWERKING", "INNOVATIE", "LOKAAL"]
            let design = try Catalog.bundledDesign("achterhoek-2026")
            for (name, id) in bids {
                var checks: [String: String] = [:]
                for r in design.requirements(forLot: "CRISIS") { checks["outcome-\(r.code)"] = "pass" }
                try await officer.get("\(base)/CRI")
                #expect(try await officer.post("\(base)/CRI/eisen/\(id)", form: checks).status == .seeOther)
                // A and B score the same; C lower.
                let value = name == "Zorg C" ? "5" : "7"
                var form: [String: String] = [:]
                for c in criteria { form["score-\(c)"] = value; form["motivation-\(c)"] = "m"; form["rationale-\(c)"] = "r" }
                try await assessor.get("\(base)/CRI")
                #expect(try await assessor.post("\(base)/CRI/scores/\(id)", form: form).status == .seeOther)
                try await officer.get("\(base)/CRI")
                #expect(try await officer.post("\(base)/CRI/consensus/\(id)", form: form).status == .seeOther)
            }
            let ranking = try await officer.get("/aanbestedingen/\(CrisisTender.code)/rangschikking").body.string
            #expect(ranking.contains("Gelijke stand bij de selectie"))
            let wrong = try await officer.post("/aanbestedingen/\(CrisisTender.code)/rangschikking/loting",
                                               form: ["subSegment": "CRI-AMB", "plaats-1": "Zorg B", "plaats-2": "Zorg B"])
            #expect(wrong.status == .unprocessableEntity)
            try await officer.get("/aanbestedingen/\(CrisisTender.code)/rangschikking")
            #expect(try await officer.post("/aanbestedingen/\(CrisisTender.code)/rangschikking/loting",
                                           form: ["subSegment": "CRI-AMB", "plaats-1": "Zorg B", "plaats-2": "Zorg A"]).status == .seeOther)
            let tender = try LoadedTender(try #require(try await TenderRecord.query(on: app.db).first()))
            let (selection, _) = try await AssessmentStore.selection(tender, on: app.db)
            let amb = try #require(selection.subSegments.first { $0.code == "CRI-AMB" })
            #expect(amb.ties.isEmpty)
            #expect(amb.selected == [bids["Zorg B"]!])
            #expect(amb.ranking.first { $0.bid == bids["Zorg B"]! }?.orderedByDraw == true)
            let after = try await officer.get("/aanbestedingen/\(CrisisTender.code)/rangschikking").body.string
            #expect(after.contains("Loting door inkoper1@doetinchem.nl"))
            let draw = try #require(try await AuditEntryRecord.query(on: app.db).filter(\.$action == "assessment.draw").first())
            #expect(draw.details.contains("Zorg B, Zorg A") && draw.actor == "inkoper1@doetinchem.nl")
        }
    }
}
