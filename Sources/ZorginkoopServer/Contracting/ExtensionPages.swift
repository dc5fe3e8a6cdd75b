import Foundation
import Vapor
import ZorginkoopCore

/// Who looks at a round: the lead's officer (advises), an official (acts for one municipality),
/// or a reader (auditor, finance consultant).
enum RoundViewer: Sendable, Equatable {
    case lead
    case municipality(String)
    case reader

    var municipality: String? {
        if case let .municipality(code) = self { return code }
        return nil
    }

    func sees(_ municipality: String) -> Bool { self.municipality.map { $0 == municipality } ?? true }
}

/// One row of the rounds overview and of the start page's to-do list.
struct ExtensionRoundRow: Encodable, Sendable {
    var href: String
    var tender: String
    var segment: String
    var end: String
    var adviceDue: String
    var decisionDue: String
    var noticeDate: String
    var stage: String
    var contracts: Int
    var decided: String
    var toDo: [String]

    init(_ round: ExtensionRound, for viewer: RoundViewer, on day: CalendarDate, names: ContractNames) {
        href = AppURL.extensionRound(round.tender, round.segment, round.end.description).path
        tender = round.tender
        segment = names.segment(round.segment)
        end = round.end.dutch
        adviceDue = round.timeline.adviceDue.dutch
        decisionDue = round.timeline.decisionDue.dutch
        noticeDate = round.timeline.noticeDate.dutch
        stage = round.stage.dutch
        let items = round.items.filter { viewer.sees($0.municipality) }
        contracts = Set(items.map(\.contract)).count
        decided = "\(items.filter { $0.decision != nil }.count) van \(items.count)"
        switch viewer {
        case .lead: toDo = round.toDoForLead(on: day)
        case let .municipality(code): toDo = round.toDo(for: code, on: day)
        case .reader: toDo = []
        }
    }
}

/// The rounds a viewer sees from a day on: an official only those in which the own municipality
/// has a contract to decide on.
struct ExtensionOverviewPage: Encodable, Sendable {
    var rows: [ExtensionRoundRow]
    var noticeMonths: Int

    init(_ rounds: [ExtensionRound], for viewer: RoundViewer, on day: CalendarDate, names: ContractNames, notice: NoticePolicy) {
        rows = rounds.filter { r in r.items.contains { viewer.sees($0.municipality) } }
            .map { ExtensionRoundRow($0, for: viewer, on: day, names: names) }
        noticeMonths = notice.monthsBeforeEnd
    }
}

/// The page of one round: the timeline, the advice with its versions, the facts beside it, and per
/// contract and municipality the intention and the decision, with the forms the viewer may use.
struct ExtensionRoundPage: Encodable, Sendable {
    struct Step: Encodable, Sendable {
        var label: String
        var date: String
        var passed: Bool
    }

    struct Advice: Encodable, Sendable {
        var version: Int
        var recommendation: String
        var text: String
        var by: String
        var at: String
    }

    struct Fact: Encodable, Sendable {
        var contract: String
        var href: String
        var provider: String
        var municipalities: String
        var status: String
        var history: String
        var kpi: String
    }

    struct CoverageRow: Encodable, Sendable {
        var municipality: String
        var cells: [String]
    }

    struct Item: Encodable, Sendable {
        var key: String
        var contract: String
        var href: String
        var municipality: String
        var extensionsLeft: Int
        var endIfExtended: String
        var intention: String
        var intentionNote: String
        var decision: String
        var decisionReason: String
        var open: Bool
        var canAct: Bool
        var intendAction: String
        var decideAction: String
        var extendSelected: Bool
        var error: String?
    }

    var title: String
    var tender: String
    var segment: String
    var end: String
    var stage: String
    var steps: [Step]
    var advices: [Advice]
    var hasAdvice: Bool
    var canAdvise: Bool
    var adviceAction: String
    var adviceText: String
    var adviceError: String?
    var facts: [Fact]
    var coverageDay: String
    var coverageHeads: [String]
    var coverage: [CoverageRow]
    var gaps: Int
    var items: [Item]
    var lateNote: String?
    var overviewHref: String
    var message: String?

    init(_ round: ExtensionRound, events: [String: [ContractEvent]], kpis: [String: String] = [:], scope: TenderScope?, otherContracts: [RegisteredContract],
         for viewer: RoundViewer, on day: CalendarDate, names: ContractNames, form: PostedForm = PostedForm(values: [:]),
         errors: FieldErrors = FieldErrors(), message: String? = nil) {
        let t = round.timeline
        title = "Verlenging \(round.tender) · \(names.segment(round.segment)) · einde \(round.end.dutch)"
        tender = round.tender
        segment = names.segment(round.segment)
        end = round.end.dutch
        stage = round.stage.dutch
        steps = [("Advies van de penvoerder", t.adviceDue), ("Voornemens van de gemeenten", t.intentionsDue),
                 ("Besluiten van de gemeenten", t.decisionDue), ("Opzegdatum: besluit en bericht aan de aanbieder", t.noticeDate),
                 ("Einde van de huidige looptijd", t.end)]
            .map { Step(label: $0.0, date: $0.1.dutch, passed: day > $0.1) }
        advices = round.advices.reversed().map {
            Advice(version: $0.version, recommendation: $0.recommendation.dutch, text: $0.text, by: $0.by, at: Amsterdam.dutchDateTime($0.at))
        }
        hasAdvice = round.advice != nil
        canAdvise = viewer == .lead && round.stage != .decided
        adviceAction = AppURL.extensionAdvice(round.tender, round.segment, round.end.description).path
        adviceText = form["adviceText"].isEmpty ? (round.advice?.text ?? "") : form["adviceText"]
        adviceError = errors["adviceText"]
        let visible = round.items.filter { viewer.sees($0.municipality) }
        let numbers = Set(visible.map(\.contract))
        facts = round.contracts.filter { numbers.contains($0.number) }.map { c in
            let history = events[c.number] ?? []
            return Fact(contract: c.number, href: AppURL.contract(c.number).path, provider: c.lead?.name ?? "–",
                        municipalities: c.municipalities.filter(viewer.sees).map(names.municipality).joined(separator: ", "),
                        status: c.status(on: day, notice: round.notice).dutch,
                        history: history.isEmpty ? "–" : "\(history.count) gebeurtenis(sen); laatste: \(history.last!.summary)",
                        kpi: kpis[c.number] ?? "Geen KPI's voor dit segment.")
        }
        if let scope {
            let after = round.coverageAfter(scope: scope, otherContracts: otherContracts)
            coverageDay = after.day.dutch
            let subs = after.subSegments
            coverageHeads = subs.map(\.name)
            coverage = after.municipalities.filter { viewer.sees($0.code) }.map { m in
                CoverageRow(municipality: m.name, cells: subs.map { s in
                    guard let cell = after.cell(m.code, s.code) else { return "–" }
                    return cell.summary
                })
            }
            gaps = after.gaps.filter { viewer.sees($0.municipality) }.count
        } else {
            coverageDay = ""
            coverageHeads = []
            coverage = []
            gaps = 0
        }
        items = visible.map { i in
            let key = "\(i.contract)-\(i.municipality)"
            return Item(key: key, contract: i.contract, href: AppURL.contract(i.contract).path, municipality: names.municipality(i.municipality),
                        extensionsLeft: i.extensionsLeft, endIfExtended: i.endIfExtended.dutch,
                        intention: i.intention.map { "\($0.choice.dutch) (\(Amsterdam.dutchDateTime($0.at)))" } ?? "nog niet opgegeven",
                        intentionNote: i.intention?.note ?? "",
                        decision: i.decision.map { "\($0.choice.dutch) op \($0.decidedOn.dutch) door \($0.by)" } ?? "nog niet besloten",
                        decisionReason: i.decision?.reason ?? "", open: i.decision == nil,
                        canAct: viewer.municipality == i.municipality && i.decision == nil,
                        intendAction: AppURL.extensionIntention(round.tender, round.segment, round.end.description).path,
                        decideAction: AppURL.extensionDecision(round.tender, round.segment, round.end.description).path,
                        extendSelected: (i.intention?.choice ?? .extend) == .extend, error: errors[key])
        }
        lateNote = day > t.noticeDate && round.stage != .decided
            ? "De opzegdatum \(t.noticeDate.dutch) is voorbij: een besluit kan nog tot het einde van de looptijd, maar alleen met de reden waarom zo laat wordt besloten."
            : nil
        overviewHref = AppURL.extensions.path
        self.message = message
    }
}

/// The coverage page of one tender: municipality × sub-segment, in words and numbers.
struct CoveragePage: Encodable, Sendable {
    struct Cell: Encodable, Sendable {
        var text: String
        var providers: String
        var gap: Bool
        var callUpHref: String?
    }

    struct Row: Encodable, Sendable {
        var municipality: String
        var cells: [Cell]
    }

    var tender: String
    var tenderName: String
    var day: String
    var dayISO: String
    var heads: [String]
    var rows: [Row]
    var gaps: Int
    var tenderHref: String

    init(_ coverage: Coverage, tenderName: String, for viewer: RoundViewer, canCallUp: Bool) {
        tender = coverage.tender
        self.tenderName = tenderName
        day = coverage.day.dutch
        dayISO = coverage.day.description
        heads = coverage.subSegments.map { "\($0.name) (\($0.code))" }
        rows = coverage.municipalities.filter { viewer.sees($0.code) }.map { m in
            Row(municipality: m.name, cells: coverage.subSegments.map { s in
                guard let cell = coverage.cell(m.code, s.code) else { return Cell(text: "niet ingekocht", providers: "", gap: false, callUpHref: nil) }
                let providers = cell.supply.map { "\($0.provider) (\($0.places)\($0.mayDeliver ? "" : ", mag nog niet starten"))" }.joined(separator: "; ")
                return Cell(text: cell.summary, providers: providers, gap: !cell.isCovered,
                            callUpHref: !cell.isCovered && canCallUp ? AppURL.callUp(coverage.tender, s.code).path : nil)
            })
        }
        gaps = coverage.gaps.filter { viewer.sees($0.municipality) }.count
        tenderHref = AppURL.tender(coverage.tender).path
    }
}

/// The coverage in the API: codes, numbers and the gap per cell.
struct CoverageJSON: Encodable, Sendable {
    struct Cell: Encodable, Sendable {
        var municipality: String
        var subSegment: String
        var required: Int
        var contracted: Int
        var gap: Int
        var state: String
        var supply: [CoverageCell.Supply]
    }

    var tender: String
    var day: String
    var cells: [Cell]

    init(_ coverage: Coverage, for viewer: RoundViewer) {
        tender = coverage.tender
        day = coverage.day.description
        cells = coverage.cells.filter { viewer.sees($0.municipality) }.map {
            Cell(municipality: $0.municipality, subSegment: $0.subSegment, required: $0.required, contracted: $0.contracted, gap: $0.gap,
                 state: $0.supply.isEmpty ? "noProvider" : ($0.gap == 0 ? "covered" : "short"), supply: $0.supply)
        }
    }
}

extension CoverageCell {
    /// Places against the minimum, and the state in words: "3 van 4 vereist: tekort 1".
    var summary: String {
        required > 0 ? "\(contracted) van \(required) vereist: \(dutch)" : "\(contracted) plaatsen, geen minimum: \(dutch)"
    }
}

extension ExtensionRoundError {
    /// What was entered is wrong (422), or the round's state refuses it (409).
    var status: HTTPStatus {
        switch self {
        case .adviceWithoutText, .text, .term(.lateWithoutReason): .unprocessableEntity
        default: .conflict
        }
    }
}
