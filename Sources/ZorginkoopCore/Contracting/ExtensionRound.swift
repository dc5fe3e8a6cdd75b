import Foundation

/// Whether a contract runs on for a municipality after a term ends.
public enum ExtensionChoice: String, Codable, Hashable, Sendable, CaseIterable {
    case extend
    case doNotExtend

    public var dutch: String {
        switch self {
        case .extend: "verlengen"
        case .doNotExtend: "niet verlengen"
        }
    }
}

/// The dates of one term end, counted back from it (seed 002, "verlengingsoptie"): the lead's
/// advice, the municipalities' intentions, their decisions and the notice to the provider. The
/// notice date is `NoticePolicy`'s; the others lie one, two and three months before it, each at
/// a month's last day when the notice date is one.
public struct ExtensionTimeline: Hashable, Sendable {
    public var end: CalendarDate
    public var adviceDue: CalendarDate
    public var intentionsDue: CalendarDate
    public var decisionDue: CalendarDate
    public var noticeDate: CalendarDate
    /// From this day the round is on the start pages: a month before the advice is due.
    public var showsFrom: CalendarDate

    public init(end: CalendarDate, notice: NoticePolicy = NoticePolicy()) {
        self.end = end
        noticeDate = notice.noticeDate(forEnd: end)
        decisionDue = NoticePolicy(monthsBeforeEnd: 1).noticeDate(forEnd: noticeDate)
        intentionsDue = NoticePolicy(monthsBeforeEnd: 2).noticeDate(forEnd: noticeDate)
        adviceDue = NoticePolicy(monthsBeforeEnd: 3).noticeDate(forEnd: noticeDate)
        showsFrom = NoticePolicy(monthsBeforeEnd: 4).noticeDate(forEnd: noticeDate)
    }
}

/// The lead's advice for a round; adjusting it after the intentions gives a new version.
public struct ExtensionAdvice: Codable, Hashable, Sendable {
    public var version: Int
    public var recommendation: ExtensionChoice
    public var text: String
    public var by: String
    public var at: Date

    public init(version: Int, recommendation: ExtensionChoice, text: String, by: String, at: Date) {
        self.version = version
        self.recommendation = recommendation
        self.text = text
        self.by = by
        self.at = at
    }
}

/// A municipality's intention for one contract, before it decides; it may change its mind.
public struct ExtensionIntention: Codable, Hashable, Sendable {
    public var contract: String
    public var municipality: String
    public var choice: ExtensionChoice
    public var note: String
    public var by: String
    public var at: Date

    public init(contract: String, municipality: String, choice: ExtensionChoice, note: String, by: String, at: Date) {
        self.contract = contract
        self.municipality = municipality
        self.choice = choice
        self.note = note
        self.by = by
        self.at = at
    }
}

/// A municipality's decision for one contract at one term end: final, once.
public struct ExtensionDecision: Codable, Hashable, Sendable {
    public var contract: String
    public var municipality: String
    public var choice: ExtensionChoice
    public var reason: String
    public var decidedOn: CalendarDate
    public var by: String
    public var at: Date

    public init(contract: String, municipality: String, choice: ExtensionChoice, reason: String, decidedOn: CalendarDate, by: String, at: Date) {
        self.contract = contract
        self.municipality = municipality
        self.choice = choice
        self.reason = reason
        self.decidedOn = decidedOn
        self.by = by
        self.at = at
    }
}

public enum ExtensionRoundError: Error, Equatable, Sendable, CustomStringConvertible {
    case notInRound(contract: String, municipality: String)
    case alreadyDecided(contract: String, municipality: String, on: CalendarDate)
    case noAdviceYet
    case adviceWithoutText
    case roundClosed
    /// A text that cannot be stored: too long, or with a control character.
    case text(String)
    case term(ExtensionError)

    public var description: String {
        switch self {
        case let .notInRound(contract, municipality):
            "Overeenkomst \(contract) loopt voor \(municipality) niet af op deze datum, of kan niet meer worden verlengd."
        case let .alreadyDecided(contract, municipality, day):
            "Voor overeenkomst \(contract) heeft \(municipality) al op \(day.dutch) besloten; een besluit is definitief."
        case .noAdviceYet:
            "Er is nog geen verlengingsadvies van de penvoerder; besluit na het advies."
        case .adviceWithoutText:
            "Schrijf de onderbouwing van het advies."
        case .roundClosed:
            "Alle gemeenten hebben besloten; het advies kan niet meer worden bijgesteld."
        case let .text(problem):
            problem.prefix(1).uppercased() + problem.dropFirst() + "."
        case let .term(error):
            error.description
        }
    }
}

/// Where a round stands.
public enum ExtensionRoundStage: String, Hashable, Sendable, CaseIterable {
    case awaitingAdvice
    case awaitingIntentions
    case awaitingDecisions
    case decided

    public var dutch: String {
        switch self {
        case .awaitingAdvice: "wacht op het advies van de penvoerder"
        case .awaitingIntentions: "wacht op voornemens van gemeenten"
        case .awaitingDecisions: "wacht op besluiten van gemeenten"
        case .decided: "alle gemeenten hebben besloten"
        }
    }
}

/// The extension round of one segment of one tender at one term end: the lead's advice, and per
/// contract and municipality an intention and a decision. Every contract of the segment whose term
/// for a municipality ends on that day and can still be extended is in the round, and stays in it
/// once decided (its term then ends later, or at this end).
public struct ExtensionRound: Hashable, Sendable {
    public struct Item: Hashable, Sendable {
        public var contract: String
        public var municipality: String
        public var extensionsLeft: Int
        /// The end an extension would give, for the page.
        public var endIfExtended: CalendarDate
        public var intention: ExtensionIntention?
        public var decision: ExtensionDecision?
    }

    public var tender: String
    public var segment: String
    public var end: CalendarDate
    public var timeline: ExtensionTimeline
    public var contracts: [RegisteredContract]
    public var advices: [ExtensionAdvice]
    public var intentions: [ExtensionIntention]
    public var decisions: [ExtensionDecision]
    public var notice: NoticePolicy

    public init(tender: String, segment: String, end: CalendarDate, contracts: [RegisteredContract], advices: [ExtensionAdvice] = [],
                intentions: [ExtensionIntention] = [], decisions: [ExtensionDecision] = [], notice: NoticePolicy = NoticePolicy()) {
        self.tender = tender
        self.segment = segment
        self.end = end
        self.timeline = ExtensionTimeline(end: end, notice: notice)
        self.contracts = contracts.filter { $0.tender == tender && $0.segment == segment }
        self.advices = advices.sorted { $0.version < $1.version }
        self.intentions = intentions
        self.decisions = decisions
        self.notice = notice
    }

    /// Every term end of every contract still open to a decision, from `day` on, as rounds.
    public static func due(_ contracts: [RegisteredContract], from day: CalendarDate) -> [(tender: String, segment: String, end: CalendarDate)] {
        var keys = Set<String>()
        var out: [(tender: String, segment: String, end: CalendarDate)] = []
        for c in contracts where c.terminatedOn == nil {
            for t in c.terms where t.end >= day && c.extensionsLeft(t.municipality) > 0 {
                if keys.insert("\(c.tender)|\(c.segment)|\(t.end)").inserted { out.append((c.tender, c.segment, t.end)) }
            }
        }
        return out.sorted { ($0.end, $0.tender, $0.segment) < ($1.end, $1.tender, $1.segment) }
    }

    public var advice: ExtensionAdvice? { advices.last }

    /// The longest advice, and the longest note or reason, in characters.
    public static let adviceLimit = 12_000
    public static let noteLimit = 2_000

    /// The text as it is stored: trimmed, within its limit, without control characters.
    static func checked(_ text: String, limit: Int) throws(ExtensionRoundError) -> String {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count <= limit else { throw .text("de tekst telt \(text.count) tekens; het maximum is \(limit)") }
        if let problem = TextRules.problem(inText: text) { throw .text(problem) }
        return text
    }

    public var items: [Item] {
        var out: [Item] = []
        for c in contracts where c.terminatedOn == nil {
            for t in c.terms {
                let decision = decisions.first { $0.contract == c.number && $0.municipality == t.municipality }
                let open = t.end == end && c.extensionsLeft(t.municipality) > 0
                guard open || decision != nil else { continue }
                out.append(Item(contract: c.number, municipality: t.municipality, extensionsLeft: c.extensionsLeft(t.municipality),
                                endIfExtended: c.term.end(afterExtensions: t.extensionsUsed + (decision?.choice == .extend ? 0 : 1)),
                                intention: intentions.first { $0.contract == c.number && $0.municipality == t.municipality },
                                decision: decision))
            }
        }
        return out.sorted { ($0.contract, $0.municipality) < ($1.contract, $1.municipality) }
    }

    public var municipalities: [String] { Array(Set(items.map(\.municipality))).sorted() }

    public var stage: ExtensionRoundStage {
        let items = items
        if !items.isEmpty, items.allSatisfy({ $0.decision != nil }) { return .decided }
        guard advice != nil else { return .awaitingAdvice }
        return items.allSatisfy { $0.intention != nil } ? .awaitingDecisions : .awaitingIntentions
    }

    /// The lead's advice, or its adjustment: the next version, with its reasoning.
    public func advise(_ recommendation: ExtensionChoice, text: String, by: String, at: Date) throws(ExtensionRoundError) -> ExtensionAdvice {
        let text = try Self.checked(text, limit: Self.adviceLimit)
        guard !text.isEmpty else { throw .adviceWithoutText }
        guard stage != .decided else { throw .roundClosed }
        return ExtensionAdvice(version: (advice?.version ?? 0) + 1, recommendation: recommendation, text: text, by: by, at: at)
    }

    /// A municipality's intention for a contract; it may be changed until the decision.
    public func intend(_ choice: ExtensionChoice, contract: String, municipality: String, note: String, by: String,
                       at: Date) throws(ExtensionRoundError) -> ExtensionIntention {
        _ = try openItem(contract, municipality)
        return ExtensionIntention(contract: contract, municipality: municipality, choice: choice,
                                  note: try Self.checked(note, limit: Self.noteLimit), by: by, at: at)
    }

    /// A municipality's decision: after the advice, once, on or before the term's end; after the
    /// notice date only with a reason. To extend gives the municipality's new term, to the day of
    /// the tender's term table.
    public func decide(_ choice: ExtensionChoice, contract number: String, municipality: String, on day: CalendarDate, reason: String,
                       by: String, at: Date) throws(ExtensionRoundError) -> (ExtensionDecision, MunicipalTerm?) {
        _ = try openItem(number, municipality)
        guard advice != nil else { throw .noAdviceYet }
        guard let contract = contracts.first(where: { $0.number == number }), let term = contract.term(of: municipality) else {
            throw .notInRound(contract: number, municipality: municipality)
        }
        let reason = try Self.checked(reason, limit: Self.noteLimit)
        var extended: MunicipalTerm?
        switch choice {
        case .extend:
            do { extended = try contract.term.extend(term, decidedOn: day, reason: reason, notice: notice) } catch {
                throw .term(error as! ExtensionError)
            }
        case .doNotExtend:
            guard day <= term.end else { throw .term(.afterTermEnd(end: term.end)) }
            if day > timeline.noticeDate, reason.isEmpty { throw .term(.lateWithoutReason(noticeDate: timeline.noticeDate)) }
        }
        return (ExtensionDecision(contract: number, municipality: municipality, choice: choice, reason: reason, decidedOn: day, by: by, at: at), extended)
    }

    private func openItem(_ contract: String, _ municipality: String) throws(ExtensionRoundError) -> Item {
        guard let item = items.first(where: { $0.contract == contract && $0.municipality == municipality }) else {
            throw .notInRound(contract: contract, municipality: municipality)
        }
        if let decision = item.decision { throw .alreadyDecided(contract: contract, municipality: municipality, on: decision.decidedOn) }
        return item
    }

    /// What a municipality still has to do in this round on a day; nothing before it shows.
    public func toDo(for municipality: String, on day: CalendarDate) -> [String] {
        guard day >= timeline.showsFrom, advice != nil else { return [] }
        let mine = items.filter { $0.municipality == municipality && $0.decision == nil }
        var out: [String] = []
        let noIntention = mine.filter { $0.intention == nil }.count
        if noIntention > 0 { out.append("voornemen voor \(noIntention) overeenkomst(en), uiterlijk \(timeline.intentionsDue.dutch)") }
        if !mine.isEmpty { out.append("besluit over \(mine.count) overeenkomst(en), uiterlijk \(timeline.decisionDue.dutch) (opzegdatum \(timeline.noticeDate.dutch))") }
        return out
    }

    /// What the lead's officer still has to do in this round on a day.
    public func toDoForLead(on day: CalendarDate) -> [String] {
        guard day >= timeline.showsFrom else { return [] }
        switch stage {
        case .awaitingAdvice: return ["verlengingsadvies schrijven, uiterlijk \(timeline.adviceDue.dutch)"]
        case .awaitingDecisions where advice?.version == 1: return ["advies bijstellen na de voornemens, vóór \(timeline.decisionDue.dutch)"]
        case .awaitingIntentions where day > timeline.intentionsDue: return ["voornemens ontbreken na \(timeline.intentionsDue.dutch)"]
        default:
            return day > timeline.noticeDate && stage != .decided ? ["besluiten ontbreken na de opzegdatum \(timeline.noticeDate.dutch)"] : []
        }
    }
}

extension ExtensionRound {
    /// The contracts as they would run after the round: decided extensions as made, and where a
    /// municipality has not decided yet, its intention to extend taken as made. What the lead's
    /// advice weighs against the required capacity (seed 002: "rekening houdend met de toegekende
    /// en de vereiste capaciteit").
    public var contractsAsIntended: [RegisteredContract] {
        let items = items
        return contracts.map { c in
            var c = c
            for (i, t) in c.terms.enumerated() where t.end == end {
                guard let item = items.first(where: { $0.contract == c.number && $0.municipality == t.municipality }),
                      item.decision == nil, item.intention?.choice == .extend else { continue }
                c.terms[i] = MunicipalTerm(municipality: t.municipality, end: item.endIfExtended, extensionsUsed: t.extensionsUsed + 1)
            }
            return c
        }
    }

    /// Coverage on the day after the term end, as the round stands.
    public func coverageAfter(scope: TenderScope, otherContracts: [RegisteredContract] = []) -> Coverage {
        Coverage(scope: scope, tender: tender, contracts: contractsAsIntended + otherContracts, on: end.dayAfter())
    }
}
