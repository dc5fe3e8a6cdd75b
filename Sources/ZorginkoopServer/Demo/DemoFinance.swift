import Fluent
import Foundation
import Vapor
import ZorginkoopCore
import ZorginkoopInterop

/// The demo's money: the Wonen providers' declarations of the twelve months before this one (those
/// with a tariff in the design), received today through the API as a municipality's first import (some lines rejected,
/// as the example generator makes them), budgets per municipality for Wonen, a ceiling per
/// provider of which one has passed 70 %, and a client stop agreed with it.
enum DemoFinance {
    static let consultant = "financien@sociaaldomeinachterhoek.nl"

    static func seed(_ app: Application, people: DemoPeople, region: Design, tender: String, today: CalendarDate) async throws {
        let contracts = try await ContractStore.all(on: app.db).map(\.contract).filter { $0.tender == tender }
        let products = try await FinanceStore.contractedProducts(on: app.db, design: region).filter { p in contracts.contains { $0.number == p.contract } }
        let consultantVisitor = try await people.visitor(consultant)
        // The twelve months before this one; months without a tariff in the design have no lines.
        let lastMonth = YearMonth(today.firstOfMonth.adding(days: -1))
        let first = YearMonth(today.firstOfMonth.adding(months: -12))
        var received: [Declaration] = []
        var seed: UInt64 = 1
        var spentPerMunicipality: [String: Int] = [:]
        var spentPerProvider: [String: [String: Int]] = [:]
        let groups = Dictionary(grouping: products) { "\($0.provider)/\($0.municipality)" }
        for key in groups.keys.sorted() {
            let group = groups[key]!
            let messages = ExampleDeclarations(clients: 6).messages(for: group, law: .wmo, from: first, through: lastMonth, seed: seed)
            seed += 1
            for message in messages where !message.lines.isEmpty {
                try await consultantVisitor.api(.POST, "/api/v1/declarations", xml: DeclarationMessage.write(message), expect: [.created])
                received.append(message)
            }
        }
        // Budgets and ceilings for the latest year with declarations.
        guard let year = received.map(\.period.begin.year).max() else { return }
        let monthsDeclared = Set(received.filter { $0.period.begin.year == year }.map(\.period.begin.month)).count
        for message in received where message.period.begin.year == year {
            let total = message.lines.reduce(0) { $0 + $1.amount.cents }
            if let m = region.municipality(messageCode: message.municipality)?.code {
                spentPerMunicipality[m, default: 0] += total
                spentPerProvider[message.provider, default: [:]][m, default: 0] += total
            }
        }
        // Budgets a little above the pace of the year in most places, below it in two.
        let tight: Set<String> = ["doetinchem", "winterswijk"]
        for (municipality, spent) in spentPerMunicipality.sorted(by: { $0.key < $1.key }) {
            let yearly = spent * 12 / max(monthsDeclared, 1)
            let budget = tight.contains(municipality) ? yearly * 9 / 10 : yearly * 11 / 10
            try await consultantVisitor.post(AppURL.financeBudget.path, form: ["year": String(year), "municipality": municipality, "segment": "WON",
                                                                               "amount": DutchFormat.cents(budget / 100 * 100)])
        }
        // A ceiling per provider: Het Anker's in Doetinchem is past 70 % (an alert, a client stop
        // agreed); Noaber's over all its municipalities has room.
        let anker = DemoProviders.agb("Stichting Het Anker"), noaber = DemoProviders.agb("Woonzorg Noaber")
        if let ankerSpent = spentPerProvider[anker]?["doetinchem"] {
            try await consultantVisitor.post(AppURL.financeCeiling.path, form: ["ceilingYear": String(year), "provider": anker,
                                                                                "ceilingMunicipality": "doetinchem",
                                                                                "annual": DutchFormat.cents(ankerSpent * 6 / 5 / 100 * 100), "contractStart": ""])
            try await consultantVisitor.post(AppURL.financeClientStop.path, form: ["stopYear": String(year), "stopProvider": anker,
                                                                                   "stopMunicipality": "doetinchem", "from": today.adding(days: 14).description,
                                                                                   "note": "In het overleg over de plafondsignalering afgesproken: geen nieuwe cliënten tot 1 januari."])
        }
        if let noaberSpent = spentPerProvider[noaber]?.values.reduce(0, +) {
            try await consultantVisitor.post(AppURL.financeCeiling.path, form: ["ceilingYear": String(year), "provider": noaber, "ceilingMunicipality": "",
                                                                                "annual": DutchFormat.cents(noaberSpent * 2 / 100 * 100), "contractStart": ""])
        }
        // The consultant opens the page: the alert is seen, and its dates run from today.
        _ = try await consultantVisitor.get(AppURL.finance.path + "?jaar=\(year)")
    }
}
