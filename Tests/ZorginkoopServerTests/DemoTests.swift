import Fluent
import Foundation
import Testing
import VaporTesting
@testable import ZorginkoopCore
@testable import ZorginkoopServer

/// `serve --demo` opens on a region in its contract period, made by its people through the
/// application's pages and API, on whatever day it is started.
@Suite("The demo region in its contract period")
struct DemoTests {
    @Test("The demo has awarded tenders with contracts (a combination and a subcontractor), an open quality-mark proof, KPI reports with one late, an extension round with some intentions, and a coverage gap",
          arguments: ["2026-12-03", "2027-01-31", "2028-02-29", "2027-07-01"])
    func contractPeriod(_ day: String) async throws {
        try await withApp { app in
            let today = try #require(CalendarDate(iso: day))
            let firstOfMonth = CalendarDate(year: today.year, month: today.month, day: 1)!
            let wonEnd = firstOfMonth.adding(months: 8).dayBefore()
            let won = "WMO-WON-\(wonEnd.dayAfter().adding(months: -24).year)", crisisCode = "CRISIS-\(firstOfMonth.adding(months: -6).year)"
            app.clock = AppClock { Amsterdam.startOfDay(today).addingTimeInterval(9 * 3600) }
            let accounts = try await FirstStart.demoIfNone(app)
            #expect(accounts.count == 31)
            #expect(app.clock.now() == Amsterdam.startOfDay(today).addingTimeInterval(9 * 3600), "the demo leaves the clock as it found it")
            let stored = try await ContractStore.all(on: app.db)
            #expect(stored.map(\.contract.number).sorted() == ["\(crisisCode)-001", "\(won)-001", "\(won)-002"])
            func contract(led by: String) throws -> RegisteredContract {
                try #require(stored.first { $0.contract.parties.first?.name == by }?.contract, "\(by)")
            }
            let organisations = Dictionary(uniqueKeysWithValues: try await OrganisationRecord.query(on: app.db).all().map { ($0.name, $0.id?.uuidString) })
            let combination = try contract(led: "Woonzorg Noaber")
            #expect(combination.parties.map(\.role) == [.lead, .member])
            #expect(combination.parties.map(\.organisation) == [organisations["Woonzorg Noaber"]!, organisations["Perspectief Wonen"]!],
                    "lead and member are the demo's organisations, by id")
            #expect(combination.term.initialEnd == wonEnd)
            let withSubcontractor = try contract(led: "Stichting Het Anker")
            #expect(withSubcontractor.parties.map(\.role) == [.lead, .subcontractor])
            #expect(withSubcontractor.parties.last?.kvkNumber == DemoProviders.kvk("Coöperatie Slinge"))
            let crisis = try contract(led: "Jeugdhulp Het Baken")
            #expect(!crisis.startGate(on: today).allowsDelivery, "the quality-mark proof is open")
            #expect(crisis.proofs.map(\.due) == [today.adding(months: 1)])

            // The procedure ran through the application, step by step, by its people.
            let audit = try await AuditEntryRecord.query(on: app.db).all()
            func actors(_ action: String) -> Set<String> { Set(audit.filter { $0.action == action }.map(\.actor)) }
            #expect(actors("tender.published") == ["inkoper@doetinchem.nl"])
            #expect(actors("bid.submitted").count == 4)
            #expect(actors("vault.confirmation") == ["inkoper@doetinchem.nl", "inkoper2@doetinchem.nl"], "four eyes")
            #expect(actors("assessment.scores") == ["beoordelaar1@sociaaldomeinachterhoek.nl", "beoordelaar2@sociaaldomeinachterhoek.nl"])
            #expect(actors("award.approval").count == 8, "every municipality gave its go")
            #expect(audit.filter { $0.action == "award.final" }.count == 2)
            #expect(actors("kpi.reported") == ["aanbieder6@voorbeeldzorg.nl", "aanbieder8@voorbeeldzorg.nl"])
            #expect(!audit.contains { $0.actor == "demo" && !$0.action.hasPrefix("user.") }, "nothing but the accounts is written outside a request")

            let reports = try await KPIStore.all(on: app.db, contracts: stored)
            let design = try await DesignStore.region(on: app.db).design
            let late = stored.filter { $0.contract.segment == "WON" }.flatMap { c in
                design.kpis(for: "WON").map { KPISeries(contract: c.contract, kpi: $0, reports: reports, on: today) }
            }.reduce(0) { $0 + $1.lateCount }
            #expect(late == 1, "one late report, none missing")
            #expect(Set(reports.map(\.period)).count >= 2)

            let rounds = try await ExtensionStore.rounds(stored, from: today, notice: app.zorginkoop.notice, on: app.db).map(\.round)
            let round = try #require(rounds.first { $0.tender == won })
            #expect(round.advice?.version == 1)
            #expect(round.stage == .awaitingIntentions)
            #expect(round.intentions.count == 4)
            #expect(round.toDo(for: "berkelland", on: today).isEmpty == false)

            let tender = try await TenderStore.find(won, for: nil, at: app.clock.now(), on: app.db)
            let coverage = Coverage(scope: tender.scope, tender: tender.code, contracts: stored.map(\.contract), on: today)
            #expect(coverage.cell("oude-ijsselstreek", "WON-BW")?.dutch == "geen aanbieder")
            // Money: the Wonen providers' declarations of the past year (where the design has tariffs),
            // some lines rejected; budgets; Het Anker past 70 % of its ceiling with a client stop.
            let messages = try await DeclarationMessageRecord.query(on: app.db).all()
            if day == "2026-12-03" { #expect(messages.count > 50) }
            if !messages.isEmpty {
                #expect(messages.reduce(0) { $0 + $1.rejectedCount } > 0, "some lines rejected")
                #expect(try await BudgetRecord.query(on: app.db).count() > 0)
                let anker = try #require(try await CeilingRecord.query(on: app.db).filter(\.$provider == DemoProviders.agb("Stichting Het Anker")).first())
                #expect(anker.alertSeenOn == today.description && anker.clientStopFrom != nil)
            }
            #expect(try await AuditChain.verify(on: app.db).firstBroken == nil)
        }
    }
}
