import Fluent
import Foundation
import Vapor
import ZorginkoopInterop
import ZorginkoopCore

/// Assessment after the opening: committees, conflict declarations, requirement checks, blind
/// individual scores with their spread, and consensus. Every rule is the core's (`SegmentAssessment`).
struct AssessmentController {
    func boot(_ routes: RoutesBuilder) {
        routes.on(.GET, "aanbestedingen", ":code", "beoordeling", permission: .viewAssessment, use: overview)
        routes.on(.GET, "aanbestedingen", ":code", "beoordeling", "export.csv", permission: .readOpenedBids, use: export)
        routes.on(.POST, "aanbestedingen", ":code", "beoordeling", ":segment", "commissie", permission: .manageAssessment, use: formCommittee)
        routes.on(.GET, "aanbestedingen", ":code", "beoordeling", ":segment", permission: .viewAssessment, use: segmentPage)
        routes.on(.POST, "aanbestedingen", ":code", "beoordeling", ":segment", "verklaring", permission: .scoreBids, use: declare)
        routes.on(.POST, "aanbestedingen", ":code", "beoordeling", ":segment", "scores", ":bid", permission: .scoreBids, use: score)
        routes.on(.POST, "aanbestedingen", ":code", "beoordeling", ":segment", "eisen", ":bid", permission: .manageAssessment, use: checkRequirements)
        routes.on(.POST, "aanbestedingen", ":code", "beoordeling", ":segment", "consensus", ":bid", permission: .manageAssessment, use: consensus)
        routes.on(.GET, "aanbestedingen", ":code", "beoordeling", ":segment", "documenten", ":id", permission: .viewAssessment, use: document)
    }

    func tender(_ req: Request) async throws -> LoadedTender {
        let tender = try await TenderStore.find(try req.parameters.require("code"), for: req.auth.get(AuthenticatedUser.self), at: req.now, on: req.db)
        try AssessmentStore.requireOpened(tender)
        return tender
    }

    func segment(_ req: Request, _ tender: LoadedTender) throws -> Segment {
        let code = try req.parameters.require("segment")
        guard let segment = tender.scope.segments.first(where: { $0.code == code }) else {
            throw Abort(.notFound, reason: "Segment '\(code)' hoort niet bij deze aanbesteding.")
        }
        return segment
    }

    // MARK: Overview and committees

    struct Member: Encodable {
        var email: String
        var name: String
        var status: String
        var checked: Bool
        var key: String
    }

    struct SegmentRow: Encodable {
        var code: String
        var name: String
        var href: String
        var formed: Bool
        var members: [Member]
        var bids: Int
        var committeeAction: String
        var locked: Bool
    }

    struct OverviewData: Encodable {
        var tenderName: String
        var tenderHref: String
        var rankingHref: String
        var canManage: Bool
        var canSeeRanking: Bool
        var segments: [SegmentRow]
        var message: String?
        var exportHref: String?
    }

    func overview(req: Request) async throws -> Response {
        try await overview(req, message: req.query[String.self, at: "melding"], status: .ok)
    }

    func overview(_ req: Request, message: String?, status: HTTPStatus) async throws -> Response {
        let user = try req.auth.require(AuthenticatedUser.self)
        let tender = try await tender(req)
        let assessments = try await AssessmentStore.all(tender, on: req.db)
        let assessors = try await UserRecord.query(on: req.db).filter(\.$role == Role.assessor.rawValue).filter(\.$active == true).sort(\.$name).all()
        let segments = tender.scope.segments.compactMap { segment -> SegmentRow? in
            let assessment = assessments[segment.code]
            if user.role == .assessor && !(assessment?.committee.contains(user.email) ?? false) { return nil }
            let members = assessors.map { a in
                Member(email: a.email, name: a.name, status: assessment.map { $0.committee.contains(a.email) ? $0.access(of: a.email).dutch : "" } ?? "",
                       checked: assessment?.committee.contains(a.email) ?? false, key: "assessor-\(a.email)")
            }
            return SegmentRow(code: segment.code, name: segment.name, href: AppURL.segmentAssessment(tender.code, segment.code).path,
                              formed: assessment != nil,
                              members: user.role == .procurementOfficer ? members : members.filter(\.checked),
                              bids: assessment?.bids.count ?? 0, committeeAction: AppURL.committee(tender.code, segment.code).path,
                              locked: !(assessment?.scores.isEmpty ?? true))
        }
        let data = OverviewData(tenderName: tender.name, tenderHref: AppURL.tender(tender.code).path, rankingHref: AppURL.ranking(tender.code).path,
                                canManage: Policy.allows(user.role, .manageAssessment), canSeeRanking: Policy.allows(user.role, .viewRanking),
                                segments: segments, message: message,
                                exportHref: Policy.allows(user.role, .readOpenedBids) ? AppURL.assessment(tender.code).path + "/export.csv" : nil)
        return try await req.view.render("assessment", PageContext(req, title: "Beoordeling: \(tender.name)", data: data)).encodeResponse(status: status, for: req)
    }

    func formCommittee(req: Request) async throws -> Response {
        let tender = try await tender(req)
        let segment = try segment(req, tender)
        let form = try PostedForm(req)
        let assessors = form.values.keys.filter { $0.hasPrefix("assessor-") }.map { String($0.dropFirst("assessor-".count)) }.sorted()
        do {
            try await AssessmentStore.formCommittee(tender, segment: segment.code, assessors: assessors, on: req)
        } catch let problems as ProblemList {
            return try await overview(req, message: problems.problems.map(\.message).joined(separator: "; "), status: .unprocessableEntity)
        } catch let abort as AbortError where abort.status == .conflict {
            return try await overview(req, message: abort.reason, status: .conflict)
        }
        return req.redirect(to: AppURL.assessment(tender.code).path + "?melding=" + "Commissie voor \(segment.name) vastgelegd.".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
    }

    /// Every recorded step of the assessment, for a spreadsheet: declarations, requirement checks,
    /// individual scores (once no longer blind), consensus and its revisions.
    func export(req: Request) async throws -> Response {
        let tender = try await tender(req)
        var sheet = Sheet(name: "Beoordeling", columns: ["segment", "inschrijving", "inschrijver", "soort", "door", "onderdeel", "score_of_uitkomst", "tekst", "tijdstip"])
        func line(_ fields: [String]) { sheet.rows.append(fields.map(Sheet.Cell.text)) }
        for (code, a) in try await AssessmentStore.all(tender, on: req.db).sorted(by: { $0.key < $1.key }) {
            func bidder(_ id: String) -> String { a.bid(id)?.bidder ?? id }
            for d in a.declarations {
                let text: String = switch d.conflict {
                case .noConflict: "geen belangenconflict"
                case let .conflict(bidders, explanation): "belangenconflict met \(bidders.joined(separator: ", ")): \(explanation)"
                }
                line([code, "", "", "verklaring", d.assessor, "", "", text, DutchTime.dateTime(d.declaredAt)])
            }
            for c in a.requirementChecks {
                let (outcome, text): (String, String) = switch c.outcome {
                case .pass: ("voldoet", c.evidence ?? "")
                case let .fail(reason): ("voldoet niet", reason)
                case let .pending(expected): ("in behandeling tot \(expected.dutch)", c.evidence ?? "")
                }
                line([code, c.bid, bidder(c.bid), "toetsing", c.checkedBy, c.requirement, outcome, text, DutchTime.dateTime(c.checkedAt)])
            }
            for s in a.scores where a.individualScoresOpen(for: s.bid) {
                line([code, s.bid, bidder(s.bid), "individuele score", s.assessor, s.criterion, s.score.dutch, s.motivation, DutchTime.dateTime(s.submittedAt)])
            }
            for c in a.consensus {
                line([code, c.bid, bidder(c.bid), "consensus", c.recordedBy, c.criterion, c.originalScore.dutch,
                      c.revisions.first?.oldRationale ?? c.rationale, DutchTime.dateTime(c.recordedAt)])
                for r in c.revisions {
                    line([code, c.bid, bidder(c.bid), "consensus gewijzigd", r.by, c.criterion, r.newScore.dutch, "\(r.reason): \(r.newRationale)", DutchTime.dateTime(r.at)])
                }
            }
        }
        return Download.csv(sheet, filename: "beoordeling-\(tender.code).csv")
    }

    // MARK: The segment page

    struct Option: Encodable {
        var value: String
        var label: String
        var selected: Bool
    }

    struct CriterionRow: Encodable {
        var code: String
        var name: String
        var weight: Int
        var dossier: String
        var myScore: String
        var myMotivation: String
        var options: [Option]
        var scores: [ScoreCell]
        var spread: String?
        var largeDisagreement: Bool
        var consensus: String?
        var consensusRationale: String?
        var revisions: [String]
    }

    struct ScoreCell: Encodable {
        var assessor: String
        var score: String
        var motivation: String
    }

    struct RequirementRow: Encodable {
        var code: String
        var name: String
        var declared: String
        var outcome: String
        var reason: String
        var due: String
        var mayFollow: Bool
    }

    struct BidBlock: Encodable {
        var id: String
        var anchor: String
        var bidder: String
        var parties: String
        var subSegments: String
        var serves: String
        var excluded: String?
        var requirements: [RequirementRow]
        var criteria: [CriterionRow]
        var documents: [Link]
        var open: Bool
        var awaiting: String
        var iHaveScored: Bool
        var consensusComplete: Bool
        var scoreAction: String
        var requirementAction: String
        var consensusAction: String
    }

    struct Link: Encodable {
        var label: String
        var href: String
    }

    struct SegmentData: Encodable {
        var tenderName: String
        var segmentName: String
        var backHref: String
        var isAssessor: Bool
        var isOfficer: Bool
        var access: String
        var mustDeclare: Bool
        var declareAction: String
        var bidderNames: [Option]
        var maySee: Bool
        var bids: [BidBlock]
        var message: String?
        var scale: String
        var threshold: Int
    }

    func segmentPage(req: Request) async throws -> Response {
        try await segmentPage(req, message: req.query[String.self, at: "melding"], status: .ok)
    }

    func segmentPage(_ req: Request, message: String?, status: HTTPStatus) async throws -> Response {
        let user = try req.auth.require(AuthenticatedUser.self)
        let tender = try await tender(req)
        let segment = try segment(req, tender)
        guard let assessment = try await AssessmentStore.all(tender, on: req.db)[segment.code] else {
            throw Abort(.notFound, reason: "Voor \(segment.name) is nog geen beoordelingscommissie gevormd.")
        }
        let isAssessor = user.role == .assessor
        if isAssessor && !assessment.committee.contains(user.email) {
            throw Abort(.forbidden, reason: "U bent geen lid van de beoordelingscommissie van \(segment.name).")
        }
        let maySee = isAssessor ? assessment.maySeeBids(user.email) : true
        let opened = maySee ? try await VaultService.openedBids(tender, key: try BidService.tenderKey(tender, req.application), app: req.application, on: req.db) : []
        let design = tender.scope.design
        let lot = design.lot(containingSegment: segment.code)
        let criteria = (lot?.criteria ?? []).filter { assessment.criteria.contains($0.code) }
        let scaleOptions = assessment.scale.values.map { Option(value: $0.description, label: $0.dutch, selected: false) }
        let bids: [BidBlock] = maySee ? assessment.bids.map { bid in
            let content = opened.first { $0.bid.uuidString == bid.id.split(separator: "/").first.map(String.init) }
            let open = assessment.individualScoresOpen(for: bid.id)
            let visible = isAssessor ? assessment.visibleScores(for: bid.id, to: user.email) : (open ? assessment.committeeScores(for: bid.id) : [])
            let spread = assessment.spread(for: bid.id) ?? []
            let outcomes = assessment.requirementOutcomes(of: bid.id)
            let rows = criteria.map { c -> CriterionRow in
                let mine = assessment.scores.last { $0.assessor == user.email && $0.bid == bid.id && $0.criterion == c.code }
                let s = spread.first { $0.criterion == c.code }
                let consensus = assessment.consensusScore(bid: bid.id, criterion: c.code)
                return CriterionRow(
                    code: c.code, name: c.name, weight: segment.weights[c.code] ?? 0, dossier: content?.content.dossier[c.code] ?? "",
                    myScore: mine?.score.dutch ?? "", myMotivation: mine?.motivation ?? "",
                    options: scaleOptions.map { Option(value: $0.value, label: $0.label, selected: $0.value == (consensus?.score ?? mine?.score)?.description) },
                    scores: visible.filter { $0.criterion == c.code }.map { ScoreCell(assessor: $0.assessor, score: $0.score.dutch, motivation: $0.motivation) },
                    spread: s.map { "\($0.min.dutch) – \($0.max.dutch) (verschil \($0.range.dutch))" }, largeDisagreement: s?.largeDisagreement ?? false,
                    consensus: consensus?.score.dutch, consensusRationale: consensus?.rationale,
                    revisions: consensus?.revisions.map { "\(DutchTime.dateTime($0.at)) \($0.by): \($0.oldScore.dutch) → \($0.newScore.dutch) (\($0.reason))" } ?? [])
            }
            let requirements = assessment.requirements.map { r -> RequirementRow in
                let declared: String = switch content?.content.declarations[r.code]?.status {
                case .met: "Voldoet. " + (content?.content.declarations[r.code]?.evidence ?? "")
                case let .inProgress(expected): "In behandeling, verwacht \(expected.dutch). " + (content?.content.declarations[r.code]?.evidence ?? "")
                case nil: "Geen verklaring"
                }
                let (outcome, reason, due): (String, String, String) = switch outcomes[r.code] {
                case .pass: ("pass", "", "")
                case let .fail(reason): ("fail", reason, "")
                case let .pending(expected): ("pending", "", expected.description)
                case nil: ("", "", "")
                }
                return RequirementRow(code: r.code, name: r.name, declared: declared, outcome: outcome, reason: reason, due: due, mayFollow: r.proofMayFollow)
            }
            let excluded = assessment.exclusionReasons(of: bid.id)
            return BidBlock(
                id: bid.id, anchor: "bid-" + AppURL.pathComponent(bid.id), bidder: bid.bidder,
                parties: (bid.combinationMembers.isEmpty ? "" : "Combinatie met " + bid.combinationMembers.joined(separator: ", ") + ". ")
                    + (bid.subcontractors.isEmpty ? "" : "Onderaannemers: " + bid.subcontractors.joined(separator: ", ") + "."),
                subSegments: design.subSegments.filter { bid.subSegments.contains($0.code) }.map(\.name).joined(separator: ", "),
                serves: { if case let .only(list, why) = bid.serves { list.compactMap { design.municipality($0)?.name }.joined(separator: ", ") + " (\(why))" } else { "Hele regio" } }(),
                excluded: excluded.isEmpty ? nil : excluded.joined(separator: "; "),
                requirements: requirements, criteria: rows,
                documents: (content?.documents ?? []).map { Link(label: "\($0.name) (\(BidController.purposeName($0.purpose, design: design)))",
                                                                  href: AppURL.assessedDocument(tender.code, segment.code, $0.id).path) },
                open: open, awaiting: assessment.awaitingScores(for: bid.id).count.description,
                iHaveScored: assessment.hasSubmittedAll(user.email, bid: bid.id),
                consensusComplete: assessment.consensusScores(of: bid.id) != nil,
                scoreAction: AppURL.scores(tender.code, segment.code, bid.id).path,
                requirementAction: AppURL.requirementChecks(tender.code, segment.code, bid.id).path,
                consensusAction: AppURL.consensus(tender.code, segment.code, bid.id).path)
        } : []
        let data = SegmentData(
            tenderName: tender.name, segmentName: segment.name, backHref: AppURL.assessment(tender.code).path,
            isAssessor: isAssessor, isOfficer: user.role == .procurementOfficer,
            access: isAssessor ? assessment.access(of: user.email).dutch : "",
            mustDeclare: isAssessor && assessment.declaration(of: user.email) == nil,
            declareAction: AppURL.declaration(tender.code, segment.code).path,
            bidderNames: assessment.bidderNames.enumerated().map { Option(value: $0.element, label: $0.element, selected: false) },
            maySee: maySee, bids: bids, message: message, scale: assessment.scale.dutchDescription,
            threshold: ScoreSpread.largeDisagreementPercent)
        return try await req.view.render("assessment-segment", PageContext(req, title: "Beoordeling: \(segment.name)", data: data))
            .encodeResponse(status: status, for: req)
    }

    func back(_ req: Request, _ tender: LoadedTender, _ segment: Segment, anchor: String = "", _ message: String) -> Response {
        req.redirect(to: AppURL.segmentAssessment(tender.code, segment.code).path + "?melding="
                     + message.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! + anchor)
    }

    /// Runs a change; a refusal re-renders the page with the reason, and nothing is stored.
    func attempt(_ req: Request, _ work: () async throws -> Response) async throws -> Response {
        do {
            return try await work()
        } catch let problems as ProblemList {
            return try await segmentPage(req, message: problems.problems.map(\.message).joined(separator: "; "), status: .unprocessableEntity)
        }
    }

    func declare(req: Request) async throws -> Response {
        let user = try req.auth.require(AuthenticatedUser.self)
        let tender = try await tender(req)
        let segment = try segment(req, tender)
        let form = try PostedForm(req)
        let now = req.now
        return try await attempt(req) {
            let conflict: ConflictDeclaration.Conflict
            switch form["declaration"] {
            case "none": conflict = .noConflict
            case "conflict":
                let names = form.values.keys.filter { $0.hasPrefix("bidder-") }.map { String($0.dropFirst("bidder-".count)) }.sorted()
                conflict = .conflict(bidders: names, explanation: form.trimmed("explanation"))
            default: throw ProblemList(problems: [Problem("declaration", "kies of u een belangenconflict heeft")])
            }
            // A declaration is final (a conflict can never be withdrawn): confirmed explicitly.
            guard form.checked("confirm") else {
                throw ProblemList(problems: [Problem("confirm", "bevestig dat uw verklaring juist en volledig is; zij kan niet worden gewijzigd")])
            }
            let details = ["verklaring": form["declaration"] == "none" ? "geen belangenconflict" : "belangenconflict: \(form.trimmed("explanation"))"]
            try await AssessmentStore.change(tender, segment: segment.code, action: "assessment.declaration", details: details, on: req) {
                try $0.declare(ConflictDeclaration(assessor: user.email, conflict: conflict, declaredAt: now))
            }
            return back(req, tender, segment, "Uw verklaring is vastgelegd.")
        }
    }

    func bidID(_ req: Request) throws -> String { AppURL.bidID(fromPath: try req.parameters.require("bid")) }

    /// The `score-CRITERION` fields of a scoring form, one per weighted criterion of the segment;
    /// a missing or unreadable one is a field error naming the criterion.
    static func postedScores(_ form: PostedForm, _ tender: LoadedTender, _ segment: Segment, what: String) throws -> [(String, Score)] {
        try tender.scope.design.weightedCriteria(ofSegment: segment.code).map { c in
            guard let value = Score(string: form.trimmed("score-\(c.code)")) else {
                throw ProblemList(problems: [Problem("score-\(c.code)", "kies \(what) voor ‘\(c.name)’")])
            }
            return (c.code, value)
        }
    }

    func score(req: Request) async throws -> Response {
        let user = try req.auth.require(AuthenticatedUser.self)
        let tender = try await tender(req)
        let segment = try segment(req, tender)
        let bid = try bidID(req)
        let form = try PostedForm(req)
        let now = req.now
        return try await attempt(req) {
            let scores = try Self.postedScores(form, tender, segment, what: "een score").map { c, value in
                IndividualScore(assessor: user.email, bid: bid, criterion: c, score: value, motivation: form.trimmed("motivation-\(c)"), submittedAt: now)
            }
            let recorded = scores
            try await AssessmentStore.change(tender, segment: segment.code, action: "assessment.scores",
                                             details: ["inschrijving": bid] .merging(scores.map { ($0.criterion, $0.score.dutch) }) { a, _ in a }, on: req) { a in
                for s in recorded { try a.record(s) }
            }
            return back(req, tender, segment, anchor: "#bid-\(AppURL.pathComponent(bid))", "Uw scores zijn vastgelegd.")
        }
    }

    func checkRequirements(req: Request) async throws -> Response {
        let user = try req.auth.require(AuthenticatedUser.self)
        let tender = try await tender(req)
        let segment = try segment(req, tender)
        let bid = try bidID(req)
        let form = try PostedForm(req)
        let now = req.now
        let requirements = tender.scope.design.requirements(forLot: tender.scope.design.lot(containingSegment: segment.code)?.code ?? "")
        return try await attempt(req) {
            var checks: [RequirementCheck] = []
            for r in requirements where !form["outcome-\(r.code)"].isEmpty {
                let outcome: RequirementOutcome
                switch form["outcome-\(r.code)"] {
                case "pass": outcome = .pass
                case "fail": outcome = .fail(reason: form.trimmed("reason-\(r.code)"))
                default:
                    guard let due = CalendarDate(iso: form.trimmed("due-\(r.code)")) else {
                        throw ProblemList(problems: [Problem("due-\(r.code)", "vul de datum in waarop het bewijs van ‘\(r.name)’ verwacht wordt (jjjj-mm-dd)")])
                    }
                    outcome = .pending(expected: due)
                }
                checks.append(RequirementCheck(bid: bid, requirement: r.code, outcome: outcome, evidence: form.trimmed("evidence-\(r.code)"),
                                               checkedBy: user.email, checkedAt: now))
            }
            let details = Dictionary(checks.map { c -> (String, String) in
                switch c.outcome {
                case .pass: (c.requirement, "voldoet")
                case let .fail(reason): (c.requirement, "voldoet niet: \(reason)")
                case let .pending(expected): (c.requirement, "in behandeling, verwacht \(expected.dutch)")
                }
            }, uniquingKeysWith: { a, _ in a }).merging(["inschrijving": bid]) { a, _ in a }
            let recorded = checks
            try await AssessmentStore.change(tender, segment: segment.code, action: "assessment.requirements", details: details, on: req) { a in
                for c in recorded { try a.record(c) }
            }
            return back(req, tender, segment, anchor: "#bid-\(AppURL.pathComponent(bid))", "De toetsing is vastgelegd.")
        }
    }

    func consensus(req: Request) async throws -> Response {
        let user = try req.auth.require(AuthenticatedUser.self)
        let tender = try await tender(req)
        let segment = try segment(req, tender)
        let bid = try bidID(req)
        let form = try PostedForm(req)
        let now = req.now
        return try await attempt(req) {
            let records = try Self.postedScores(form, tender, segment, what: "de consensusscore").map { c, value in
                ConsensusEntry(criterion: c, score: value, rationale: form.trimmed("rationale-\(c)"))
            }
            let reason = form.trimmed("reason")
            let pairs = records.map { ($0.criterion, $0.score.dutch) }
            try await AssessmentStore.change(tender, segment: segment.code, action: "assessment.consensus",
                                             details: Dictionary(pairs, uniquingKeysWith: { a, _ in a }).merging(["inschrijving": bid, "reden": reason.isEmpty ? "-" : reason]) { a, _ in a },
                                             on: req) { a in
                for e in records {
                    if let existing = a.consensusScore(bid: bid, criterion: e.criterion) {
                        if existing.score != e.score || existing.rationale != e.rationale {
                            try a.reviseConsensus(bid: bid, criterion: e.criterion, score: e.score, rationale: e.rationale, reason: reason, by: user.email, at: now)
                        }
                    } else {
                        try a.recordConsensus(bid: bid, criterion: e.criterion, score: e.score, rationale: e.rationale, by: user.email, at: now)
                    }
                }
            }
            return back(req, tender, segment, anchor: "#bid-\(AppURL.pathComponent(bid))", "De consensusscores zijn vastgelegd.")
        }
    }

    struct ConsensusEntry: Sendable {
        var criterion: String
        var score: Score
        var rationale: String
    }

    func document(req: Request) async throws -> Response {
        let user = try req.auth.require(AuthenticatedUser.self)
        let tender = try await tender(req)
        let segment = try segment(req, tender)
        guard let assessment = try await AssessmentStore.all(tender, on: req.db)[segment.code],
              user.role != .assessor || assessment.maySeeBids(user.email) else {
            throw Abort(.forbidden, reason: "U kunt de inschrijvingen van dit segment (nog) niet inzien.")
        }
        let bids = Set(assessment.bids.compactMap { UUID(uuidString: String($0.id.split(separator: "/")[0])) })
        return try await VaultService.openedDocument(req.parameters.get("id", as: UUID.self), of: tender, among: bids, on: req)
    }
}
