import Fluent
import Foundation
import Vapor
import ZorginkoopCore

/// The award: municipalities' go/no-go, the provisional decision with a letter per bidder and the
/// standstill, objections, the final award with contracts, and waiting-room call-ups.
struct AwardController {
    func boot(_ routes: RoutesBuilder) {
        routes.on(.GET, "aanbestedingen", ":code", "gunning", permission: .viewAward, use: page)
        routes.on(.POST, "aanbestedingen", ":code", "gunning", "akkoord", permission: .approveAward, use: approve)
        routes.on(.POST, "aanbestedingen", ":code", "gunning", "voorlopig", permission: .manageAward, use: publish)
        routes.on(.POST, "aanbestedingen", ":code", "gunning", "voordelen", permission: .manageAward, use: saveAdvantages)
        routes.on(.GET, "aanbestedingen", ":code", "gunning", "brief", permission: .readOwnLetter, use: letter)
        routes.on(.GET, "aanbestedingen", ":code", "gunning", "brief", "afdrukken", permission: .readOwnLetter, use: letterPrint)
        routes.on(.POST, "aanbestedingen", ":code", "gunning", "bezwaar", permission: .readOwnLetter, use: lodge)
        routes.on(.POST, "aanbestedingen", ":code", "gunning", "bezwaar", ":id", permission: .manageAward, use: handle)
        routes.on(.POST, "aanbestedingen", ":code", "gunning", "definitief", ":segment", permission: .manageAward, use: finalAward)
        routes.on(.POST, "aanbestedingen", ":code", "gunning", "wachtkamer", ":sub", permission: .manageAward, use: callUp)
    }

    func tender(_ req: Request) async throws -> LoadedTender {
        let tender = try await TenderStore.find(try req.parameters.require("code"), for: req.auth.get(AuthenticatedUser.self), at: req.now, on: req.db)
        try AssessmentStore.requireOpened(tender)
        return tender
    }

    func done(_ req: Request, _ tender: LoadedTender, _ message: String) -> Response {
        req.redirect(to: AppURL.award(tender.code).path + "?melding=" + message.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
    }

    func attempt(_ req: Request, _ work: () async throws -> Response) async throws -> Response {
        do {
            return try await work()
        } catch let problems as ProblemList {
            return try await page(req, message: problems.problems.map(\.message).joined(separator: "; "), status: .unprocessableEntity)
        } catch let abort as AbortError where abort.status == .conflict {
            return try await page(req, message: abort.reason, status: .conflict)
        }
    }

    // MARK: The officials' page

    struct Item: Encodable {
        var key: String
        var label: String
        var detail: String
    }

    struct ObjectionRow: Encodable {
        var id: String
        var bidder: String
        var segment: String
        var kind: String
        var summary: String
        var state: String
        var open: Bool
        var history: [String]
        var action: String
    }

    struct SegmentAward: Encodable {
        var code: String
        var name: String
        var signing: String
        var canSign: Bool
        var finalAction: String
        var finalised: Bool
    }

    struct ContractRow: Encodable {
        var number: String
        var href: String
        var parties: String
        var subSegments: String
        var municipalities: String
        var start: String
        var initialEnd: String
        var options: String
        var maxEnd: String
    }

    struct CallUpRow: Encodable {
        var code: String
        var name: String
        var waiting: String
        var action: String
        var history: [String]
    }

    struct PageData: Encodable {
        var tenderName: String
        var tenderHref: String
        var rankingHref: String
        var message: String?
        var approvals: [Item]
        var myMunicipality: String?
        var mySegments: [Item]
        var approveAction: String
        var canManage: Bool
        var published: Bool
        var publishAction: String
        var standstill: String?
        var letters: [Item]
        var objections: [ObjectionRow]
        var segments: [SegmentAward]
        var contracts: [ContractRow]
        var callUps: [CallUpRow]
        var openProofs: [Item]
        var advantages: [AdvantageBlock]
        var advantagesAction: String
    }

    struct AdvantageBlock: Encodable {
        var subSegment: String
        var bidder: String
        var fields: [Item]
    }

    /// The selected bids of the selection as it stands before publication, with the text per criterion.
    func advantageBlocks(_ tender: LoadedTender, _ state: AwardState, on db: Database) async throws -> [AdvantageBlock] {
        guard state.provisional == nil else { return [] }
        let assessments = try await AssessmentStore.all(tender, on: db)
        guard let (selection, input) = try? await AssessmentStore.selection(tender, on: db, extraNoGo: state.noGo) else { return [] }
        var blocks: [AdvantageBlock] = []
        for sub in selection.subSegments {
            for id in sub.selected {
                guard let bid = input.bids.first(where: { $0.id == id }), let assessment = assessments[bid.segment],
                      let lot = tender.scope.design.lot(containingSegment: bid.segment) else { continue }
                blocks.append(AdvantageBlock(subSegment: sub.name, bidder: bid.bidder, fields: assessment.criteria.map { c in
                    Item(key: "advantage-\(AppURL.pathComponent(id))-\(c)", label: lot.criterion(c)?.name ?? c,
                         detail: state.relativeAdvantages?[id]?[c] ?? assessment.consensusScore(bid: id, criterion: c)?.rationale ?? "")
                }))
            }
        }
        return blocks
    }

    func page(req: Request) async throws -> Response {
        try await page(req, message: req.query[String.self, at: "melding"], status: .ok)
    }

    func page(_ req: Request, message: String?, status: HTTPStatus) async throws -> Response {
        let user = try req.auth.require(AuthenticatedUser.self)
        let tender = try await tender(req)
        let state = try await AwardStore.load(tender, on: req.db)
        let design = tender.scope.design
        let now = req.now
        func names(_ codes: [String]) -> String { codes.compactMap { design.municipality($0)?.name ?? $0 }.joined(separator: ", ") }
        func bidder(_ id: String) -> String { state.provisional?.input.bids.first { $0.id == id }?.bidder ?? id }
        let approvals = AwardStore.deciders(tender).map { m in
            let a = state.approvals.last { $0.municipality == m.code }
            return Item(key: m.code, label: m.name, detail: a.map { $0.noGoSegments.isEmpty ? "Go (\($0.by))" : "No-go voor \($0.noGoSegments.compactMap { design.segment($0)?.name }.joined(separator: ", ")): \($0.reason) (\($0.by))" } ?? "Nog geen besluit")
        }
        let mine = user.role == .municipalityOfficial ? user.municipality : nil
        let start = tender.scope.designTender?.contractTerm.start ?? Amsterdam.day(of: now)
        let openProofs = try await AssessmentStore.all(tender, on: req.db).values.flatMap { $0.openProofs(contractStart: start, today: Amsterdam.day(of: now)) }
            .sorted { ($0.bidder, $0.requirement) < ($1.bidder, $1.requirement) }
            .map { p in
                Item(key: p.bid, label: "\(p.bidder): \(design.requirements.first { $0.code == p.requirement }?.name ?? p.requirement)",
                     detail: "bewijs verwacht uiterlijk \(p.due.dutch)" + (p.flags.isEmpty ? "" : " – " + p.flags.map(\.dutch).joined(separator: "; ")))
            }
        let data = PageData(
            tenderName: tender.name, tenderHref: AppURL.tender(tender.code).path, rankingHref: AppURL.ranking(tender.code).path, message: message,
            approvals: approvals, myMunicipality: mine.flatMap { design.municipality($0)?.name },
            mySegments: mine == nil || state.provisional != nil ? [] : tender.scope.segments.filter { s in tender.scope.coveredMunicipalities(segment: s.code).contains { $0.code == mine } }
                .map { Item(key: "nogo-\($0.code)", label: $0.name, detail: "") },
            approveAction: AppURL.approval(tender.code).path,
            canManage: Policy.allows(user.role, .manageAward), published: state.provisional != nil,
            publishAction: AppURL.provisionalAward(tender.code).path,
            standstill: state.provisional.map { "Gepubliceerd op \(DutchTime.dateTime($0.publishedAt)); de opschortende termijn van 20 kalenderdagen loopt \($0.standstill.dutchEnd)." },
            letters: state.provisional?.letters.map { Item(key: $0.bidder, label: $0.bidder, detail: $0.sha256) } ?? [],
            objections: state.objections.map { o in
                ObjectionRow(id: o.id, bidder: o.bidder, segment: design.segment(o.segment)?.name ?? o.segment, kind: o.kind.dutch, summary: o.summary,
                             state: o.state.dutch, open: o.state.isOpen,
                             history: o.history.map { "\(DutchTime.dateTime($0.at)) \($0.by): \($0.state.dutch) – \($0.note)" },
                             action: AppURL.objection(tender.code, o.id).path)
            },
            segments: state.provisional == nil ? [] : tender.scope.segments.map { s in
                let decision = state.provisional!.standstill.signing(segment: s.code, objections: state.objections, at: now)
                let finalised = state.finals.contains { $0.segment == s.code }
                let text: String = switch decision {
                case .allowed: finalised ? "Definitief gegund" : "Definitief gunnen is mogelijk"
                case let .blocked(reasons): "Nog niet: " + reasons.joined(separator: "; ")
                }
                return SegmentAward(code: s.code, name: s.name, signing: text, canSign: decision == .allowed && !finalised,
                                    finalAction: AppURL.finalAward(tender.code, s.code).path, finalised: finalised)
            },
            contracts: try await ContractStore.all(on: req.db, tender: tender.id).map { stored in
                let c = stored.contract
                return ContractRow(number: c.number, href: AppURL.contract(c.number).path,
                                   parties: c.parties.filter { $0.role != .subcontractor }.map(\.name).joined(separator: " en ")
                                       + (c.parties.contains { $0.role == .subcontractor } ? " (onderaannemers: \(c.parties.filter { $0.role == .subcontractor }.map(\.name).joined(separator: ", ")))" : ""),
                                   subSegments: design.subSegments.filter { c.subSegments.contains($0.code) }.map(\.name).joined(separator: ", "),
                                   municipalities: names(c.municipalities), start: c.start.dutch, initialEnd: c.term.initialEnd.dutch,
                                   options: "\(c.term.maxExtensions) × \(c.term.extensionMonths) maanden", maxEnd: c.term.maxEnd.dutch)
            },
            callUps: state.finals.isEmpty ? [] : (state.provisional?.selection.subSegments ?? []).filter { sub in state.finals.contains { $0.segment == sub.segment } }.map { sub in
                CallUpRow(code: sub.code, name: sub.name,
                          waiting: sub.waitingRoom.enumerated().map { "\($0.offset + 1). \(bidder($0.element))\(state.waiting[sub.code]?[$0.element].map { " (\($0.dutch))" } ?? "")" }.joined(separator: "; "),
                          action: AppURL.callUp(tender.code, sub.code).path,
                          history: state.callUps.filter { $0.subSegment == sub.code }.map { "\(DutchTime.dateTime($0.at)) \($0.by): \($0.reason) – \($0.explanation)" })
            },
            openProofs: openProofs,
            advantages: Policy.allows(user.role, .manageAward) ? try await advantageBlocks(tender, state, on: req.db) : [],
            advantagesAction: AppURL.relativeAdvantages(tender.code).path)
        return try await req.view.render("award", PageContext(req, title: "Gunning: \(tender.name)", data: data)).encodeResponse(status: status, for: req)
    }

    func approve(req: Request) async throws -> Response {
        let user = try req.auth.require(AuthenticatedUser.self)
        let tender = try await tender(req)
        guard let municipality = user.municipality else { throw Abort(.forbidden, reason: "Uw account hoort bij geen gemeente.") }
        let form = try PostedForm(req)
        let noGo = tender.scope.segments.map(\.code).filter { form.checked("nogo-\($0)") }
        let reason = form.trimmed("reason")
        let now = req.now
        return try await attempt(req) {
            if !noGo.isEmpty && reason.isBlank { throw ProblemList(problems: [Problem("reason", "motiveer de no-go")]) }
            try await AwardStore.change(tender, action: "award.approval", on: req) { state, _ in
                try state.approve(.init(municipality: municipality, noGoSegments: noGo, reason: reason, by: user.email, at: now),
                                  deciders: AwardStore.deciders(tender).map(\.code))
                return ((), ["gemeente": municipality, "besluit": noGo.isEmpty ? "go" : "no-go voor \(noGo.joined(separator: ", ")): \(reason)"])
            }
            return done(req, tender, "Het besluit van uw gemeente is vastgelegd.")
        }
    }

    func publish(req: Request) async throws -> Response {
        let tender = try await tender(req)
        guard try PostedForm(req).checked("confirm") else {
            return try await page(req, message: "Vink aan dat u het voorlopige gunningsbesluit publiceert: dan gaan de brieven uit en begint de opschortende termijn.", status: .unprocessableEntity)
        }
        return try await attempt(req) {
            _ = try await AwardStore.publishProvisional(tender, on: req)
            return done(req, tender, "Het voorlopige gunningsbesluit is gepubliceerd.")
        }
    }

    /// Stores the committee's texts on the selected bids' relative advantages, for the letters.
    func saveAdvantages(req: Request) async throws -> Response {
        let tender = try await tender(req)
        let form = try PostedForm(req)
        var texts: [String: [String: String]] = [:]
        for (key, value) in form.values where key.hasPrefix("advantage-") {
            let rest = key.dropFirst("advantage-".count)
            guard let dash = rest.lastIndex(of: "-") else { continue }
            let bid = AppURL.bidID(fromPath: String(rest[..<dash]))
            texts[bid, default: [:]][String(rest[rest.index(after: dash)...])] = value.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let advantages = texts
        return try await attempt(req) {
            try await AwardStore.change(tender, action: "award.relative-advantages", on: req) { state, _ in
                try state.setRelativeAdvantages(advantages)
                return ((), ["inschrijvingen": String(advantages.count)])
            }
            return done(req, tender, "De relatieve voordelen zijn vastgelegd.")
        }
    }

    // MARK: The bidder's letter and objections

    struct LetterData: Encodable {
        struct Decision: Encodable {
            var name: String
            var decision: String
            var score: String
            var rank: String
            var own: [Line]
            var selected: [Selected]
        }

        struct Line: Encodable {
            var name: String
            var weight: Int
            var score: String
            var text: String
        }

        struct Selected: Encodable {
            var bidder: String
            var score: String
            var lines: [Line]
        }

        var tenderName: String
        var bidder: String
        var publishedAt: String
        var decisions: [Decision]
        var standstillEnd: String
        var howToObject: String
        var sha256: String
        var printHref: String
        var objectionAction: String
        var canObject: Bool
        var segments: [Item]
        var objections: [ObjectionRow]
        var message: String?
    }

    func letterData(_ req: Request) async throws -> LetterData {
        let user = try req.auth.require(AuthenticatedUser.self)
        let tender = try await tender(req)
        guard let organisation = try await OrganisationRecord.find(try BidService.organisation(of: req), on: req.db) else { throw Abort(.notFound) }
        let state = try await AwardStore.load(tender, on: req.db)
        guard let provisional = state.provisional, let letter = provisional.letter(forOrganisation: try organisation.requireID().uuidString) else {
            throw Abort(.notFound, reason: "Er is (nog) geen gunningsbrief voor uw organisatie.")
        }
        _ = user
        let now = req.now
        func lines(_ scores: [AwardLetter.CriterionScore]) -> [LetterData.Line] {
            scores.map { .init(name: $0.name, weight: $0.weight, score: $0.score.dutch, text: $0.text) }
        }
        let bidSegments = Set(provisional.input.bids.filter { $0.bidder == letter.bidder }.map(\.segment))
        let organisationID = try organisation.requireID().uuidString
        return LetterData(
            tenderName: tender.name, bidder: letter.bidder, publishedAt: DutchTime.dateTime(provisional.publishedAt),
            decisions: letter.letter.decisions.map { d in
                .init(name: d.name, decision: d.decision.dutch, score: d.weightedScore.map(RankingController.dutch) ?? "–", rank: d.rank.map(String.init) ?? "–",
                      own: lines(d.ownScores),
                      selected: d.selectedBids.map { .init(bidder: $0.bidder, score: RankingController.dutch($0.weightedScore), lines: lines($0.scores)) })
            },
            standstillEnd: provisional.standstill.dutchEnd, howToObject: letter.letter.howToObject, sha256: letter.sha256,
            printHref: AppURL.letterPrint(tender.code).path, objectionAction: AppURL.objections(tender.code).path,
            canObject: provisional.standstill.isRunning(at: now),
            segments: tender.scope.segments.filter { bidSegments.contains($0.code) }.map { Item(key: $0.code, label: $0.name, detail: "") },
            objections: state.objections.filter { $0.organisation == organisationID }.map { o in
                ObjectionRow(id: o.id, bidder: o.bidder, segment: tender.scope.design.segment(o.segment)?.name ?? o.segment, kind: o.kind.dutch,
                             summary: o.summary, state: o.state.dutch, open: o.state.isOpen,
                             history: o.history.map { "\(DutchTime.dateTime($0.at)): \($0.state.dutch) – \($0.note)" }, action: "")
            },
            message: req.query[String.self, at: "melding"])
    }

    func letter(req: Request) async throws -> View {
        try await req.view.render("letter", PageContext(req, title: "Gunningsbrief", data: try await letterData(req)))
    }

    func letterPrint(req: Request) async throws -> View {
        try await req.view.render("letter-print", PageContext(req, title: "Gunningsbrief", data: try await letterData(req)))
    }

    func lodge(req: Request) async throws -> Response {
        let tender = try await tender(req)
        let organisation = try BidService.organisation(of: req).uuidString
        let form = try PostedForm(req)
        let now = req.now
        let kind = ObjectionKind(rawValue: form["kind"]) ?? .complaint
        do {
            try await AwardStore.change(tender, action: "award.objection.lodged", on: req) { state, _ in
                guard state.provisional?.input.bids.contains(where: { $0.segment == form["segment"] && $0.bidder == state.provisional?.letter(forOrganisation: organisation)?.bidder }) == true else {
                    if state.provisional == nil { throw AwardError.notPublished }
                    throw ProblemList(problems: [Problem("segment", "kies een segment waarop u heeft ingeschreven")])
                }
                let objection = try state.lodgeObjection(organisation: organisation, segment: form["segment"], kind: kind,
                                                         summary: form.trimmed("summary"), at: now)
                return ((), ["bezwaar": objection.id, "soort": kind.dutch, "segment": form["segment"], "door": objection.bidder])
            }
        } catch let problems as ProblemList {
            return req.redirect(to: AppURL.letter(tender.code).path + "?melding=" + problems.problems.map(\.message).joined(separator: "; ").addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
        }
        return req.redirect(to: AppURL.letter(tender.code).path + "?melding=Uw%20bezwaar%20is%20ontvangen.")
    }

    func handle(req: Request) async throws -> Response {
        let user = try req.auth.require(AuthenticatedUser.self)
        let tender = try await tender(req)
        let id = try req.parameters.require("id")
        let form = try PostedForm(req)
        guard let next = ObjectionState(rawValue: form["state"]) else {
            return try await page(req, message: "Kies de nieuwe stand van het bezwaar.", status: .unprocessableEntity)
        }
        // An outcome closes the objection for good: only with an explicit confirmation.
        if !next.isOpen && !form.checked("confirm") {
            return try await page(req, message: "Bevestig dat u bezwaar \(id) definitief als \(next.dutch.lowercased()) afsluit; dit kan niet worden teruggedraaid.",
                                  status: .unprocessableEntity)
        }
        let now = req.now
        return try await attempt(req) {
            try await AwardStore.change(tender, action: "award.objection.handled", on: req) { state, db in
                guard state.objections.contains(where: { $0.id == id }) else { throw Abort(.notFound, reason: "Bezwaar \(id) bestaat niet.") }
                let objection = try state.handleObjection(id, to: next, by: user.email, at: now, note: form.trimmed("note"))
                if !next.isOpen, let organisation = objection.organisation.flatMap(UUID.init(uuidString:)) {
                    try await Notifications.send("Uw bezwaar \(id) bij \(tender.name) is afgehandeld: \(next.dutch.lowercased()). \(form.trimmed("note"))",
                                                 link: AppURL.letter(tender.code).path, at: now, to: [organisation], on: db)
                }
                return ((), ["bezwaar": id, "stand": next.dutch, "toelichting": form.trimmed("note")])
            }
            return done(req, tender, "De behandeling van bezwaar \(id) is vastgelegd.")
        }
    }

    // MARK: Final award and the waiting room

    func finalAward(req: Request) async throws -> Response {
        let user = try req.auth.require(AuthenticatedUser.self)
        let tender = try await tender(req)
        let segment = try req.parameters.require("segment")
        let now = req.now
        guard try PostedForm(req).checked("confirm") else {
            return try await page(req, message: "Bevestig de definitieve gunning: daarna zijn de contracten gesloten en kan de gunning niet meer worden teruggedraaid.",
                                  status: .unprocessableEntity)
        }
        return try await attempt(req) {
            try await AwardStore.change(tender, action: "award.final", on: req) { state, db in
                guard tender.scope.segments.contains(where: { $0.code == segment }) else {
                    throw Abort(.notFound, reason: "Segment '\(segment)' hoort niet bij deze aanbesteding.")
                }
                let contracts = try state.finalise(segment: segment, at: now, by: user.email, scope: tender.scope, numberPrefix: tender.code)
                for contract in contracts {
                    try await ContractStore.register(contract, source: .award, tender: tender, award: state, at: now, by: user.email, on: db)
                }
                let segmentName = tender.scope.design.segment(segment)?.name ?? segment
                let bidders = Set(state.provisional?.input.bids.filter { $0.segment == segment }.map(\.bidder) ?? []).sorted()
                try await Notifications.send("De gunning van \(segmentName) bij \(tender.name) is definitief; de overeenkomsten zijn aangemaakt.",
                                             link: AppURL.letter(tender.code).path, at: now, to: AwardStore.organisations(ofBidders: bidders, in: state), on: db)
                var details = ["segment": segment, "contracten": String(contracts.count)]
                for c in contracts { details["contract \(c.number) \(c.bidder)"] = "\(c.subSegments.joined(separator: ", ")); \(c.start.dutch) tot en met \(c.initialEnd.dutch), uiterlijk \(c.maxEnd.dutch)" }
                return ((), details)
            }
            return done(req, tender, "Definitief gegund; de contracten zijn aangemaakt.")
        }
    }

    /// Calls up the next eligible waiting bid for a gap, with the reason; a contract follows.
    func callUp(req: Request) async throws -> Response {
        let user = try req.auth.require(AuthenticatedUser.self)
        let tender = try await tender(req)
        let code = try req.parameters.require("sub")
        let reason = try PostedForm(req).trimmed("reason")
        let now = req.now
        return try await attempt(req) {
            guard !reason.isBlank else { throw ProblemList(problems: [Problem("reason", "geef de reden van de oproep (welk gat is ontstaan)")]) }
            try await AwardStore.change(tender, action: "award.waiting-room.call-up", on: req) { state, db in
                let (call, contract) = try state.callUp(subSegment: code, reason: reason, by: user.email, at: now, scope: tender.scope, numberPrefix: tender.code)
                var details = ["subsegment": code, "reden": reason, "uitkomst": call.explanation]
                if let contract {
                    try await ContractStore.register(contract, source: .callUp, tender: tender, award: state, at: now, by: user.email, on: db)
                    let name = tender.scope.design.subSegments.first { $0.code == code }?.name ?? code
                    try await Notifications.send("U bent opgeroepen uit de wachtkamer van \(name) bij \(tender.name): er is een overeenkomst voor u aangemaakt vanaf \(contract.start.dutch).",
                                                 link: AppURL.letter(tender.code).path, at: now, to: AwardStore.organisations(ofBidders: [contract.bidder], in: state), on: db)
                    details["contract"] = contract.number
                }
                return ((), details)
            }
            return done(req, tender, "De oproep is vastgelegd.")
        }
    }
}
