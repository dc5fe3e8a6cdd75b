import Fluent
import Foundation
import Vapor
import ZorginkoopCore

/// The demo's region in its contract period, dated from the day the demo is made: two tenders run
/// from publication to final award (bids, the vault, committee, blind scores, consensus, the
/// municipalities' go, letters, standstill), their contracts (a combination and a subcontractor
/// among them, an open quality-mark proof), KPI reports over several periods with one late, an
/// extension round whose intentions are due, a coverage gap, and this year's money (`DemoFinance`).
///
/// Every step is a request of one of the demo's people to the application, through its pages or
/// its API (`DemoVisitor`), with the application's clock set to the moment of the step.
enum DemoContractPeriod {
    static func seed(_ app: Application) async throws {
        let realClock = app.clock
        defer { app.clock = realClock }
        let today = Amsterdam.day(of: realClock.now())
        let region = try await DesignStore.region(on: app.db).design
        let people = DemoPeople(app)

        // Wonen: 18 months, ending on the last day of the month eight months from now, so that its
        // extension round is running today: advice written, intentions due, decisions due soon.
        let firstOfMonth = CalendarDate(year: today.year, month: today.month, day: 1)!
        let wonEnd = firstOfMonth.adding(months: 8).dayBefore()
        let wonTerm = ContractTerm(start: wonEnd.dayAfter().adding(months: -18), initialTermMonths: 18, extensionMonths: 12, maxExtensions: 2)
        let everyone = region.region.municipalities.map(\.code)
        // Oude IJsselstreek is served by no one: the coverage gap.
        let servedByNoaber = everyone.filter { $0 != "oude-ijsselstreek" }
        let ankerPlaces = ["doetinchem": 30, "berkelland": 14, "bronckhorst": 20, "montferland": 8]
        let won = DemoTender(
            designTender: "WMO-WON", name: "Wmo Wonen 2026", subSegments: ["WON-BW"], noGo: [], term: wonTerm,
            publication: wonTerm.start.adding(months: -6),
            bids: [
                DemoBid(provider: "aanbieder6@voorbeeldzorg.nl", serves: .only(municipalities: servedByNoaber, justification: "Geen locatie in Oude IJsselstreek"),
                        capacity: Dictionary(uniqueKeysWithValues: servedByNoaber.map { ($0, 10) }),
                        form: .combination(members: [PartnerOrganisation(name: "Perspectief Wonen", kvkNumber: DemoProviders.kvk("Perspectief Wonen"))]),
                        scores: [[8, 7, 8, 7, 8], [8, 8, 8, 6, 8]], consensus: [8, 8, 8, 7, 8]),
                DemoBid(provider: "aanbieder8@voorbeeldzorg.nl", serves: .only(municipalities: ankerPlaces.keys.sorted(), justification: "Locaties in de Liemers en de Graafschap"),
                        capacity: ankerPlaces,
                        form: .withSubcontractors([PartnerOrganisation(name: "Coöperatie Slinge", kvkNumber: DemoProviders.kvk("Coöperatie Slinge"))]),
                        scores: [[7, 7, 6, 6, 7], [7, 6, 7, 5, 7]], consensus: [7, 7, 7, 6, 7]),
            ])
        // Crisis: published six months ago, starting on the first of the month after next; Aalten
        // has its no-go. A quality mark may follow until the start, so its proof is still open today.
        // The procedure ends before the Wonen advice is written: the people's days follow each other.
        let criTerm = ContractTerm(start: firstOfMonth.adding(months: 2), initialTermMonths: 24, extensionMonths: 24, maxExtensions: 3)
        let crisis = DemoTender(
            designTender: "CRISIS", name: "Crisis Jeugdhulp 2026", subSegments: ["CRI-AMB"], noGo: [NoGo(segment: "CRI", municipality: "aalten")],
            term: criTerm, publication: firstOfMonth.adding(months: -6),
            bids: [
                // The quality mark is being obtained: the proof is due a month from today.
                DemoBid(provider: "aanbieder3@voorbeeldzorg.nl", serves: .all, capacity: Dictionary(uniqueKeysWithValues: everyone.map { ($0, 2) }),
                        form: .alone, scores: [[8, 8, 7, 7, 8], [8, 7, 7, 8, 8]], consensus: [8, 8, 7, 7, 8], pendingQualityMark: today.adding(months: 1)),
                DemoBid(provider: "aanbieder10@voorbeeldzorg.nl", serves: .all, capacity: Dictionary(uniqueKeysWithValues: everyone.map { ($0, 1) }),
                        form: .alone, scores: [[6, 7, 6, 6, 7], [7, 6, 6, 6, 7]], consensus: [6, 6, 6, 6, 7]),
            ])

        let wonCode = try await DemoProcedure(app: app, people: people, region: region, tender: won).run()
        _ = try await DemoProcedure(app: app, people: people, region: region, tender: crisis).run()

        let contracts = try await ContractStore.all(on: app.db).map(\.contract).filter { $0.tender == wonCode }
        try await kpiReports(app, people: people, contracts: contracts, region: region, today: today)
        try await extensionRound(app, people: people, tender: wonCode, end: wonEnd)
        people.set(realClock.now())
        try await DemoFinance.seed(app, people: people, region: region, tender: wonCode, today: today)
    }

    /// Every ended period reported on time by both Wonen providers, except Het Anker's last
    /// waiting time, sent two weeks late.
    private static func kpiReports(_ app: Application, people: DemoPeople, contracts: [RegisteredContract], region: Design,
                                   today: CalendarDate) async throws {
        let anker = contracts.first { $0.parties.first?.name == "Stichting Het Anker" }?.number
        var reports: [(day: CalendarDate, provider: String, report: KPIReportInput)] = []
        for (n, contract) in contracts.enumerated() {
            let provider = contract.number == anker ? "aanbieder8@voorbeeldzorg.nl" : "aanbieder6@voorbeeldzorg.nl"
            for kpi in region.kpis(for: contract.segment) {
                let periods = KPIPeriod.ended(kind: kpi.period, from: contract.start, through: today).filter { $0.due < today }
                for (i, period) in periods.enumerated() {
                    let late = contract.number == anker && kpi.code == "WACHTTIJD" && i == periods.count - 1
                    // On time: three days before the due date; late: three days after it (or today).
                    let onTime = max(period.due.adding(days: -3), period.last.dayAfter())
                    reports.append((late ? min(today, period.due.adding(days: 3)) : onTime, provider,
                                    KPIReportInput(contract: contract.number, kpi: kpi.code, period: period.description,
                                                   value: demoValue(kpi, provider: n, period: i))))
                }
            }
        }
        for (day, provider, report) in reports.sorted(by: { $0.day < $1.day }) {
            people.setDay(day)
            try await people.apiClient(provider).api(.POST, "/api/v1/kpi-reports", json: try DemoVisitor.json([report]))
        }
    }

    private struct KPIReportInput: Encodable {
        var contract: String
        var kpi: String
        var period: String
        var value: String
    }

    /// Plausible values near the target, one provider a little better than the other.
    private static func demoValue(_ kpi: KPI, provider: Int, period: Int) -> String {
        let target = kpi.target / 1000
        let wobble = [3, -2, 4, 1, -1, 2][period % 6] + (provider == 0 ? 2 : -4)
        let value = kpi.direction == .atLeast ? target + wobble : max(1, target - 3 * wobble)
        return String(value)
    }

    /// The lead's advice, and the intentions of three municipalities; the others are still to say.
    private static func extensionRound(_ app: Application, people: DemoPeople, tender: String, end: CalendarDate) async throws {
        let timeline = ExtensionTimeline(end: end, notice: app.zorginkoop.notice)
        let contracts = try await ContractStore.all(on: app.db).map(\.contract).filter { $0.tender == tender }.map(\.number)
        guard contracts.count == 2 else { throw DemoVisitor.StepFailed(step: "verlengingsronde", status: .conflict, excerpt: "\(contracts)") }
        people.setDay(timeline.adviceDue.adding(months: -1))
        let officer = try await people.visitor(DemoPeople.officer)
        try await officer.get(AppURL.extensionRound(tender, "WON", end.description).path)
        try await officer.post(AppURL.extensionAdvice(tender, "WON", end.description).path, form: [
            "recommendation": ExtensionChoice.extend.rawValue,
            "adviceText": "Beide aanbieders halen de normen voor doelrealisatie en tevredenheid; de wachttijd bij Stichting Het Anker liep in het laatste kwartaal op en de rapportage kwam te laat. De capaciteit dekt de vraag, behalve in Oude IJsselstreek, waar geen aanbieder is gecontracteerd. Advies: verlengen met twaalf maanden, en de wachtkamer oproepen voor Oude IJsselstreek.",
        ])
        people.setDay(timeline.intentionsDue.adding(months: -1).dayAfter())
        for (contract, municipality, choice, note) in [(contracts[0], "doetinchem", ExtensionChoice.extend, "Tevreden over de samenwerking."),
                                                        (contracts[1], "doetinchem", .extend, ""),
                                                        (contracts[0], "aalten", .extend, ""),
                                                        (contracts[0], "winterswijk", .doNotExtend, "Winterswijk koopt beschermd wonen vanaf de nieuwe periode zelf in.")] {
            let official = try await people.visitor("medewerker@\(municipality).nl")
            try await official.get(AppURL.extensionRound(tender, "WON", end.description).path)
            try await official.post(AppURL.extensionIntention(tender, "WON", end.description).path,
                                    form: ["contract": contract, "choice": choice.rawValue, "note": note])
        }
    }
}

/// A tender of the demo and the bids it receives.
struct DemoTender {
    var designTender: String
    var name: String
    var subSegments: [String]
    var noGo: [NoGo]
    var term: ContractTerm
    var publication: CalendarDate
    var bids: [DemoBid]
}

struct DemoBid {
    var provider: String
    var serves: ServiceArea
    var capacity: [String: Int]
    var form: BiddingForm
    /// Each assessor's scores on the lot's criteria, in the lot's order; then the committee's.
    var scores: [[Int]]
    var consensus: [Int]
    var pendingQualityMark: CalendarDate? = nil
}

/// One tender from its creation to its final award, as its people do it: the officer creates and
/// publishes it through the API, providers bid through the API, two officers open the vault, the
/// committee assesses on the pages, each municipality gives its go, the officer publishes the
/// provisional award and, after the standstill, the final award that makes the contracts.
struct DemoProcedure {
    let app: Application
    let people: DemoPeople
    let region: Design
    let tender: DemoTender

    func run() async throws -> String {
        let term = tender.term
        let publicationDay = tender.publication
        let publication = Amsterdam.startOfDay(publicationDay).addingTimeInterval(9 * 3600)
        let timeline = TenderTimeline(publication: publication, questionDeadlines: [publication.addingTimeInterval(14 * 86_400)],
                                      submissionDeadline: publication.addingTimeInterval(42 * 86_400),
                                      opening: publication.addingTimeInterval(42 * 86_400 + 1800))
        people.set(publication)
        let officer = try await people.visitor(DemoPeople.officer)
        let created = try await officer.api(.POST, "/api/v1/tenders", json: try DemoVisitor.json(ProcurementAPIController.TenderInput(
            designTender: tender.designTender, name: tender.name, subSegments: tender.subSegments, noGo: tender.noGo, timeline: timeline,
            contractTerm: .init(start: term.start, initialTermMonths: term.initialTermMonths, extensionMonths: term.extensionMonths,
                                maxExtensions: term.maxExtensions))))
        struct Created: Decodable { var code: String }
        let code = try JSONDecoder().decode(Created.self, from: created).code
        try await officer.api(.POST, "/api/v1/tenders/\(code)/publication")

        let bids = try await submitBids(code, on: publicationDay.adding(days: 21))
        people.set(timeline.opening.addingTimeInterval(60))
        // Four eyes: the first confirmation waits for the second, which opens the vault.
        try await people.apiClient(DemoPeople.officer).api(.POST, "/api/v1/tenders/\(code)/vault/confirmations", expect: [.accepted])
        try await people.visitor(DemoPeople.secondOfficer).api(.POST, "/api/v1/tenders/\(code)/vault/confirmations", expect: [.ok])
        let segment = try require(region.segment(containingSubSegment: tender.subSegments[0]))
        try await assess(code, segment: segment, bids: bids, on: Amsterdam.day(of: timeline.opening).adding(days: 3))
        try await award(code, segment: segment, bids: bids, on: Amsterdam.day(of: timeline.opening).adding(days: 10))
        return code
    }

    /// Each provider's bid, saved and submitted; returns the bids' ids in the plan's order.
    private func submitBids(_ code: String, on day: CalendarDate) async throws -> [String] {
        people.setDay(day)
        let scope = TenderScope(design: region, tender: tender.designTender, subSegments: tender.subSegments, noGo: tender.noGo)
        var ids: [String] = []
        for bid in tender.bids {
            var content = BidContent(subSegments: tender.subSegments, serves: bid.serves, capacity: bid.capacity,
                                     transport: region.transportOptions.first?.code, form: bid.form)
            for r in scope.requirements(for: tender.subSegments) {
                let status: RequirementDeclaration.Status = r.code == "KWALITEIT" ? bid.pendingQualityMark.map { .inProgress(expected: $0) } ?? .met : .met
                content.declarations[r.code] = RequirementDeclaration(status: status, evidence: "Zie bijlage \(r.code) bij de inschrijving")
            }
            for c in scope.criteria(for: tender.subSegments) {
                content.dossier[c.code] = "Onze aanpak voor \(c.name.lowercased()): " + Self.dossierText(c.code)
            }
            let provider = try await people.visitor(bid.provider)
            try await provider.api(.PUT, "/api/v1/tenders/\(code)/bid", json: try DemoVisitor.json(content))
            struct Receipt: Decodable { var bid: String }
            let receipt = try await provider.api(.POST, "/api/v1/tenders/\(code)/bid/submission", json: #"{"confirm": true}"#)
            ids.append(try JSONDecoder().decode(Receipt.self, from: receipt).bid.uppercased())
        }
        return ids
    }

    private static func dossierText(_ criterion: String) -> String {
        switch criterion {
        case "PASSEND": "wij stemmen de zorg af op wat de cliënt en het netwerk zelf kunnen, met een vaste begeleider en een plan dat elk half jaar wordt herzien."
        case "INTEGRAAL": "één regisseur per huishouden, die onderwijs, werk, schulden en gezondheid in één plan samenbrengt."
        case "SAMENWERKING": "vaste afspraken met de toegang van elke gemeente, de huisartsen en de wijkteams; een gezamenlijk overleg elke maand."
        case "INNOVATIE": "beeldbellen en leefstijlcoaching naast de gewone begeleiding, met een jaarlijkse evaluatie van wat werkt."
        default: "medewerkers die in de Achterhoek wonen en de sociale kaart van elke gemeente kennen."
        }
    }

    /// Two assessors, their declarations, the officer's requirement checks, blind scores and the
    /// committee's consensus.
    private func assess(_ code: String, segment: Segment, bids: [String], on day: CalendarDate) async throws {
        people.setDay(day)
        let assessors = DemoPeople.assessors
        let officer = try await people.visitor(DemoPeople.officer)
        try await officer.get(AppURL.assessment(code).path)
        try await officer.post(AppURL.committee(code, segment.code).path,
                               form: Dictionary(uniqueKeysWithValues: assessors.map { ("assessor-\($0)", "ja") }))
        for assessor in assessors {
            let visitor = try await people.visitor(assessor)
            try await visitor.get(AppURL.segmentAssessment(code, segment.code).path)
            try await visitor.post(AppURL.declaration(code, segment.code).path, form: ["declaration": "none", "confirm": "ja"])
        }
        let lot = try require(region.lot(containingSegment: segment.code))
        for (bid, plan) in zip(bids, tender.bids) {
            var form: [String: String] = [:]
            for r in region.requirements(forLot: lot.code) {
                if r.code == "KWALITEIT", let due = plan.pendingQualityMark {
                    form["outcome-\(r.code)"] = "pending"
                    form["due-\(r.code)"] = due.description
                    form["evidence-\(r.code)"] = "Aanvraag HKZ-certificering ingediend; audit gepland"
                } else {
                    form["outcome-\(r.code)"] = "pass"
                }
            }
            try await officer.get(AppURL.segmentAssessment(code, segment.code).path)
            try await officer.post(AppURL.requirementChecks(code, segment.code, bid).path, form: form)
        }
        let criteria = lot.criteria.map(\.code)
        for (n, assessor) in assessors.enumerated() {
            let visitor = try await people.visitor(assessor)
            for (bid, plan) in zip(bids, tender.bids) {
                var form: [String: String] = [:]
                for (c, v) in zip(criteria, plan.scores[n]) {
                    form["score-\(c)"] = String(v)
                    form["motivation-\(c)"] = "Score \(v): de aanpak is \(v >= 8 ? "goed onderbouwd en concreet" : "voldoende, maar op onderdelen algemeen")."
                }
                try await visitor.get(AppURL.segmentAssessment(code, segment.code).path)
                try await visitor.post(AppURL.scores(code, segment.code, bid).path, form: form)
            }
        }
        for (bid, plan) in zip(bids, tender.bids) {
            var form: [String: String] = ["reason": ""]
            for (c, v) in zip(criteria, plan.consensus) {
                form["score-\(c)"] = String(v)
                form["rationale-\(c)"] = "De commissie komt na bespreking op \(v)."
            }
            try await officer.get(AppURL.segmentAssessment(code, segment.code).path)
            try await officer.post(AppURL.consensus(code, segment.code, bid).path, form: form)
        }
    }

    /// Each participating municipality's go, the provisional award with its letters, and after the
    /// standstill the final award.
    private func award(_ code: String, segment: Segment, bids: [String], on day: CalendarDate) async throws {
        people.setDay(day)
        let deciders = region.region.municipalities.map(\.code).filter { m in !tender.noGo.contains { $0.segment == segment.code && $0.municipality == m } }
        for municipality in deciders {
            let official = try await people.visitor("medewerker@\(municipality).nl")
            try await official.get(AppURL.award(code).path)
            try await official.post(AppURL.approval(code).path, form: [:])
        }
        people.setDay(day.adding(days: 2))
        let officer = try await people.visitor(DemoPeople.officer)
        try await officer.get(AppURL.award(code).path)
        try await officer.post(AppURL.provisionalAward(code).path, form: ["confirm": "ja"])
        let sentAt = people.now
        people.set(Standstill(sentAt: sentAt).endedAt.addingTimeInterval(86_400))
        let final = try await people.visitor(DemoPeople.officer)
        try await final.get(AppURL.award(code).path)
        try await final.post(AppURL.finalAward(code, segment.code).path, form: ["confirm": "ja"])
    }
}

/// The demo's people, each signed in again when the clock has moved (sessions last eight hours),
/// keeping the access token they made once.
final class DemoPeople: @unchecked Sendable {
    static let officer = "inkoper@doetinchem.nl"
    static let secondOfficer = "inkoper2@doetinchem.nl"
    static let assessors = ["beoordelaar1@sociaaldomeinachterhoek.nl", "beoordelaar2@sociaaldomeinachterhoek.nl"]

    private let app: Application
    private let responder: any Responder
    private var signedIn: [String: (at: Date, visitor: DemoVisitor)] = [:]

    init(_ app: Application) {
        self.app = app
        responder = app.responder.current
    }

    var now: Date { app.clock.now() }

    func set(_ instant: Date) {
        app.clock = AppClock { instant }
    }

    /// Ten in the morning of the day.
    func setDay(_ day: CalendarDate) {
        set(Amsterdam.startOfDay(day).addingTimeInterval(10 * 3600))
    }

    /// For the API only: the person's access token is enough, a sign-in is not needed again.
    func apiClient(_ email: String) async throws -> DemoVisitor {
        if let known = signedIn[email]?.visitor, known.token != nil { return known }
        return try await visitor(email)
    }

    func visitor(_ email: String) async throws -> DemoVisitor {
        if let known = signedIn[email], known.at == now { return known.visitor }
        // A second factor's code is accepted once and never an older one: each person's days follow each other.
        if let known = signedIn[email], known.at > now {
            throw DemoVisitor.StepFailed(step: "aanmelden van \(email)", status: .conflict,
                                         excerpt: "de stappen van de demo staan niet op volgorde: \(now) na \(known.at)")
        }
        let visitor = try await DemoVisitor.signIn(email, password: FirstStart.demoPassword, app: app, responder: responder)
        visitor.token = signedIn[email]?.visitor.token
        signedIn[email] = (now, visitor)
        return visitor
    }
}

/// A `#require` for the demo's own assumptions about the bundled design.
private func require<T>(_ value: T?, _ what: String = "het ontwerp") throws -> T {
    guard let value else { throw DemoVisitor.StepFailed(step: what, status: .conflict, excerpt: "ontbreekt in het ontwerp") }
    return value
}
