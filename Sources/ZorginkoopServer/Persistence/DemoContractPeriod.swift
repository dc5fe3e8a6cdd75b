import Fluent
import Foundation
import Vapor
import ZorginkoopCore

/// The demo's region in its contract period, dated from the day the demo is made: two awarded
/// tenders with their contracts (a combination with a subcontractor among them), an open
/// quality-mark proof, KPI reports over several periods with one late, an extension round whose
/// decisions are due with intentions from some municipalities, and a coverage gap.
///
/// The contract period is written through the register's own paths (`ContractStore`,
/// `ExtensionStore`, `KPIIntake` and `KPIStore`, each audited, with the application's clock set
/// to the day of each step). The procedure before the award (bids, vault, assessment) is not
/// replayed: the tenders are entered as published and the contracts as registered at the award.
enum DemoContractPeriod {
    static func seed(_ app: Application) async throws {
        let realClock = app.clock
        defer { app.clock = realClock }
        let today = Amsterdam.day(of: realClock.now())
        let region = try await DesignStore.region(on: app.db).design
        func organisation(_ name: String) async throws -> OrganisationRecord? {
            try await OrganisationRecord.query(on: app.db).filter(\.$name == name).first()
        }
        func setDay(_ day: CalendarDate) {
            let instant = Amsterdam.startOfDay(day).addingTimeInterval(10 * 3600)
            app.clock = AppClock { instant }
        }

        // Wonen: 18 months, ending on the last day of the month eight months from now, so that its
        // extension round is running today: advice written, intentions due, decisions due soon.
        let firstOfMonth = CalendarDate(year: today.year, month: today.month, day: 1)!
        let wonEnd = firstOfMonth.adding(months: 8).dayBefore()
        let wonStart = wonEnd.dayAfter().adding(months: -18)
        let wonTerm = ContractTerm(start: wonStart, initialTermMonths: 18, extensionMonths: 12, maxExtensions: 2)
        let won = try await tender(app, region: region, designTender: "WMO-WON", name: "Wmo Wonen 2026", subSegments: ["WON-BW"],
                                   term: wonTerm, noGo: [])
        // Crisis: from the design's term table, started at the first of this month's previous quarter.
        let criStart = firstOfMonth.adding(months: -((today.month - 1) % 3) - 3)
        let criTerm = ContractTerm(start: criStart, initialTermMonths: 24, extensionMonths: 24, maxExtensions: 3)
        let cri = try await tender(app, region: region, designTender: "CRISIS", name: "Crisis Jeugdhulp 2026", subSegments: ["CRI-AMB"],
                                   term: criTerm, noGo: [NoGo(segment: "CRI", municipality: "aalten")])

        let municipalities = region.region.municipalities.map(\.code)
        let noaber = try await organisation("Woonzorg Noaber")
        let perspectief = try await organisation("Perspectief Wonen")
        let anker = try await organisation("Stichting Het Anker")
        let baken = try await organisation("Jeugdhulp Het Baken")
        func party(_ role: ContractParty.Role, _ o: OrganisationRecord?, _ name: String) -> ContractParty {
            ContractParty(role: role, organisation: o?.id?.uuidString, name: o?.name ?? name, kvkNumber: o?.kvkNumber)
        }
        // Oude IJsselstreek is served by no one: the coverage gap.
        let served = municipalities.filter { $0 != "oude-ijsselstreek" }
        let contracts = [
            RegisteredContract(number: "\(won.code)-001", source: .award, tender: won.code, bid: nil, segment: "WON", title: "Beschermd wonen",
                               parties: [party(.lead, noaber, "Woonzorg Noaber"), party(.member, perspectief, "Perspectief Wonen"),
                                         party(.subcontractor, nil, "Coöperatie Slinge")],
                               subSegments: ["WON-BW"], term: wonTerm, start: wonStart,
                               terms: served.map { MunicipalTerm(municipality: $0, end: wonTerm.initialEnd, extensionsUsed: 0) },
                               capacity: ["WON-BW": Dictionary(uniqueKeysWithValues: served.map { ($0, 10) })]),
            RegisteredContract(number: "\(won.code)-002", source: .award, tender: won.code, bid: nil, segment: "WON", title: "Beschermd wonen",
                               parties: [party(.lead, anker, "Stichting Het Anker")],
                               subSegments: ["WON-BW"], term: wonTerm, start: wonStart,
                               terms: ["doetinchem", "berkelland", "bronckhorst", "montferland"].map {
                                   MunicipalTerm(municipality: $0, end: wonTerm.initialEnd, extensionsUsed: 0)
                               },
                               capacity: ["WON-BW": ["doetinchem": 30, "berkelland": 14, "bronckhorst": 20, "montferland": 8]]),
            RegisteredContract(number: "\(cri.code)-001", source: .award, tender: cri.code, bid: nil, segment: "CRI", title: "Crisis jeugdhulp",
                               parties: [party(.lead, baken, "Jeugdhulp Het Baken")],
                               subSegments: ["CRI-AMB"], term: criTerm, start: criStart,
                               terms: municipalities.filter { $0 != "aalten" }.map { MunicipalTerm(municipality: $0, end: criTerm.initialEnd, extensionsUsed: 0) },
                               capacity: ["CRI-AMB": Dictionary(uniqueKeysWithValues: municipalities.filter { $0 != "aalten" }.map { ($0, 2) })],
                               proofs: [StartProof(requirement: "KEURMERK", name: "Kwaliteitskeurmerk (HKZ of gelijkwaardig)", due: today.adding(months: 1))]),
        ]
        for (c, id) in zip(contracts, [won.id, won.id, cri.id]) {
            setDay(c.start.adding(months: -1))
            let now = app.clock.now()
            try await app.db.audited("contract.registered", subject: c.number, actor: "demo", clock: app.clock) { db in
                try await ContractStore.create(c, tenderID: id, at: now, by: "demo",
                                               event: ContractEvent(kind: .created, at: now, by: "demo", summary: "Overeenkomst aangemaakt bij de definitieve gunning"),
                                               on: db)
            }
        }

        try await kpiReports(app, contracts: Array(contracts.prefix(2)), region: region, today: today, setDay: setDay)
        try await extensionRound(app, tender: won.code, end: wonEnd, setDay: setDay)
    }

    private static func tender(_ app: Application, region: Design, designTender: String, name: String, subSegments: [String],
                               term: ContractTerm, noGo: [NoGo]) async throws -> (id: UUID, code: String) {
        let publication = Amsterdam.startOfDay(term.start.adding(months: -6)).addingTimeInterval(9 * 3600)
        let timeline = TenderTimeline(publication: publication, questionDeadlines: [publication.addingTimeInterval(14 * 86_400)],
                                      submissionDeadline: publication.addingTimeInterval(42 * 86_400),
                                      opening: publication.addingTimeInterval(42 * 86_400 + 1800))
        let scope = TenderScope(design: region, tender: designTender, subSegments: subSegments, noGo: noGo).with(contractTerm: term)
        let problems = scope.validate() + timeline.validate() + TenderContractTerm.validate(term, timeline: timeline)
        guard problems.isEmpty else { throw ProblemList(problems: problems) }
        let id = UUID()
        let code = "\(designTender)-\(Amsterdam.day(of: publication).year)"
        app.clock = AppClock { publication }
        try await app.db.audited("tender.created", subject: code, actor: "demo", clock: app.clock) { db in
            let record = TenderRecord()
            record.id = id
            record.code = code
            record.name = name
            record.setScope(scope)
            record.timeline = StoredJSON.string(timeline)
            record.submissionDeadline = timeline.submissionDeadline
            record.publishedAt = publication
            record.openedAt = timeline.opening
            record.sealedKey = try app.zorginkoop.vault.newTenderKey(tender: id).sealed
            try await record.create(on: db)
        }
        return (id, code)
    }

    /// Every ended period reported on time by both Wonen providers, except Het Anker's last
    /// waiting time, sent two weeks late.
    private static func kpiReports(_ app: Application, contracts: [RegisteredContract], region: Design, today: CalendarDate,
                                   setDay: (CalendarDate) -> Void) async throws {
        for (n, contract) in contracts.enumerated() {
            for kpi in region.kpis(for: contract.segment) {
                let periods = KPIPeriod.ended(kind: kpi.period, from: contract.start, through: today).filter { $0.due < today }
                for (i, period) in periods.enumerated() {
                    let late = n == 1 && kpi.code == "WACHTTIJD" && i == periods.count - 1
                    // On time: three days before the due date; late: three days after it (or today).
                    let onTime = max(period.due.dayBefore().dayBefore().dayBefore(), period.last.dayAfter())
                    setDay(late ? min(today, period.due.dayAfter().dayAfter().dayAfter()) : onTime)
                    let value = demoValue(kpi, provider: n, period: i)
                    let intake = KPIIntake(contracts: [contract], design: region, day: Amsterdam.day(of: app.clock.now()),
                                           by: "aanbieder\(n == 0 ? 6 : 8)@voorbeeldzorg.nl")
                    let (reports, problems) = intake.check([KPIIntake.Line(place: "demo", contract: contract.number, kpi: kpi.code,
                                                                           period: period.description, value: value)])
                    guard problems.isEmpty else { throw ProblemList(problems: problems) }
                    let ids = Dictionary(uniqueKeysWithValues: try await ContractStore.all(on: app.db, number: contract.number).map { ($0.contract.number, $0.id) })
                    let now = app.clock.now()
                    try await app.db.audited("kpi.reported", subject: contract.number, actor: intake.by, actorRole: Role.provider.rawValue, clock: app.clock,
                                             details: ["reports": "\(kpi.code) \(period) \(value)"]) { db in
                        try await KPIStore.save(reports, contracts: ids, at: now, on: db)
                    }
                }
            }
        }
    }

    /// Plausible values near the target, one provider a little better than the other.
    private static func demoValue(_ kpi: KPI, provider: Int, period: Int) -> String {
        let target = kpi.target / 1000
        let wobble = [3, -2, 4, 1, -1, 2][period % 6] + (provider == 0 ? 2 : -4)
        let value = kpi.direction == .atLeast ? target + wobble : max(1, target - 3 * wobble)
        return String(value)
    }

    /// The lead's advice, and the intentions of three municipalities; the others are still to say.
    private static func extensionRound(_ app: Application, tender: String, end: CalendarDate, setDay: (CalendarDate) -> Void) async throws {
        let notice = app.zorginkoop.notice
        let timeline = ExtensionTimeline(end: end, notice: notice)
        setDay(timeline.adviceDue.adding(months: -1))
        let before = try await ExtensionStore.round(tender, "WON", end, try await ContractStore.all(on: app.db), notice: notice, on: app.db)
        let advice = try before.round.advise(.extend, text: "Beide aanbieders halen de normen voor doelrealisatie en tevredenheid; de wachttijd bij Stichting Het Anker liep in het laatste kwartaal op en de rapportage kwam te laat. De capaciteit dekt de vraag, behalve in Oude IJsselstreek, waar geen aanbieder is gecontracteerd. Advies: verlengen met twaalf maanden, en de wachtkamer oproepen voor Oude IJsselstreek.",
                                            by: "inkoper@doetinchem.nl", at: app.clock.now())
        try await app.db.audited("extension.advice", subject: "\(tender)/WON/\(end)", actor: "inkoper@doetinchem.nl",
                                 actorRole: Role.procurementOfficer.rawValue, clock: app.clock,
                                 details: ["version": "1", "recommendation": advice.recommendation.rawValue]) { db in
            try await ExtensionStore.save(advice, of: before.round, on: db)
        }
        setDay(timeline.intentionsDue.adding(months: -1).dayAfter())
        let round = try await ExtensionStore.round(tender, "WON", end, try await ContractStore.all(on: app.db), notice: notice, on: app.db)
        for (contract, municipality, choice, note) in [("\(tender)-001", "doetinchem", ExtensionChoice.extend, "Tevreden over de samenwerking."),
                                                        ("\(tender)-002", "doetinchem", .extend, ""),
                                                        ("\(tender)-001", "aalten", .extend, ""),
                                                        ("\(tender)-001", "winterswijk", .doNotExtend, "Winterswijk koopt beschermd wonen vanaf de nieuwe periode zelf in.")] {
            let by = "medewerker@\(municipality).nl"
            let intention = try round.round.intend(choice, contract: contract, municipality: municipality, note: note, by: by, at: app.clock.now())
            try await app.db.audited("extension.intention", subject: contract, actor: by, actorRole: Role.municipalityOfficial.rawValue, clock: app.clock,
                                     details: ["municipality": municipality, "choice": choice.rawValue]) { db in
                try await ExtensionStore.save(intention, in: round, on: db)
            }
        }
    }
}
