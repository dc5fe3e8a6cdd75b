import Fluent
import Foundation
import Testing
import VaporTesting
@testable import ZorginkoopCore
@testable import ZorginkoopServer

/// `serve --demo` opens on a region in its contract period, made through the register's own paths.
@Suite("The demo region in its contract period")
struct DemoTests {
    @Test("The demo has awarded tenders with contracts (a combination and a subcontractor), an open quality-mark proof, KPI reports with one late, an extension round with some intentions, and a coverage gap")
    func contractPeriod() async throws {
        try await withApp { app in
            let today = CalendarDate(year: 2026, month: 12, day: 3)!
            app.clock = AppClock { Amsterdam.startOfDay(today).addingTimeInterval(9 * 3600) }
            let accounts = try await FirstStart.demoIfNone(app)
            #expect(accounts.count == 31)
            #expect(app.clock.now() == Amsterdam.startOfDay(today).addingTimeInterval(9 * 3600), "the demo leaves the clock as it found it")
            let stored = try await ContractStore.all(on: app.db)
            #expect(stored.map(\.contract.number) == ["CRISIS-2026-001", "WMO-WON-2025-001", "WMO-WON-2025-002"])
            let won = try #require(stored.first { $0.contract.number == "WMO-WON-2025-001" }?.contract)
            #expect(won.parties.map(\.role) == [.lead, .member, .subcontractor])
            #expect(won.parties.first?.organisation != nil, "the lead is an organisation of the demo, by id")
            #expect(won.term.initialEnd == CalendarDate(iso: "2027-07-31"))
            let crisis = try #require(stored.first { $0.contract.number == "CRISIS-2026-001" }?.contract)
            #expect(!crisis.startGate(on: today).allowsDelivery)

            let reports = try await KPIStore.all(on: app.db, contracts: stored)
            let design = try await DesignStore.region(on: app.db).design
            let late = stored.filter { $0.contract.segment == "WON" }.flatMap { c in
                design.kpis(for: "WON").map { KPISeries(contract: c.contract, kpi: $0, reports: reports, on: today) }
            }.reduce(0) { $0 + $1.lateCount }
            #expect(late == 1, "one late report, none missing")
            #expect(Set(reports.map(\.period)).count >= 2)

            let rounds = try await ExtensionStore.rounds(stored, from: today, notice: app.zorginkoop.notice, on: app.db).map(\.round)
            let round = try #require(rounds.first { $0.tender == "WMO-WON-2025" })
            #expect(round.advice?.version == 1)
            #expect(round.stage == .awaitingIntentions)
            #expect(round.intentions.count == 4)
            #expect(round.toDo(for: "berkelland", on: today).isEmpty == false)

            let tender = try await TenderStore.find("WMO-WON-2025", for: nil, at: app.clock.now(), on: app.db)
            let coverage = Coverage(scope: tender.scope, tender: tender.code, contracts: stored.map(\.contract), on: today)
            #expect(coverage.cell("oude-ijsselstreek", "WON-BW")?.dutch == "geen aanbieder")
            #expect(try await AuditChain.verify(on: app.db).firstBroken == nil)
        }
    }
}
