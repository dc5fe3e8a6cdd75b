import Fluent
import Foundation
import Vapor
import ZorginkoopCore

/// Ranking and selection per sub-segment, by the core engine on the stored assessment; draws for
/// ties; the printable award advice per segment.
struct RankingController {
    func boot(_ routes: RoutesBuilder) {
        routes.on(.GET, "aanbestedingen", ":code", "rangschikking", permission: .viewRanking, use: page)
        routes.on(.POST, "aanbestedingen", ":code", "rangschikking", "loting", permission: .manageAssessment, use: draw)
        routes.on(.GET, "aanbestedingen", ":code", "rangschikking", ":segment", "advies", permission: .viewRanking, use: advice)
    }

    struct Row: Encodable {
        var position: Int
        var rank: Int
        var bidder: String
        var score: String
        var status: String
        var tied: Bool
        var orderedByDraw: Bool
        var belowCut: Bool
    }

    struct TieBlock: Encodable {
        var bidders: String
        var score: String
        var places: Int
        var fields: [Field]
        var subSegment: String
    }

    struct Field: Encodable {
        var key: String
        var label: String
    }

    struct SubSegmentBlock: Encodable {
        var code: String
        var name: String
        var segment: String
        var min: Int
        var max: Int
        var rows: [Row]
        var excluded: [String]
        var gaps: [String]
        var shortfall: String?
        var maximumReachedWithGaps: Bool
        var conditions: [String]
        var ties: [TieBlock]
        var draws: [String]
        var steps: [String]
    }

    struct PageData: Encodable {
        var tenderName: String
        var tenderCode: String
        var tenderHref: String
        var assessmentHref: String
        var subSegments: [SubSegmentBlock]
        var segments: [Field]
        var canDraw: Bool
        var drawAction: String
        var message: String?
        var printable: Bool
        var generatedAt: String
    }

    func data(_ req: Request, only segment: String? = nil, message: String?) async throws -> PageData {
        let user = try req.auth.require(AuthenticatedUser.self)
        let tender = try await TenderStore.find(try req.parameters.require("code"), for: user, at: req.now, on: req.db)
        try AssessmentStore.requireOpened(tender)
        let (selection, input) = try await AssessmentStore.selection(tender, on: req.db)
        let names = Dictionary(input.bids.map { ($0.id, $0.bidder) }, uniquingKeysWith: { a, _ in a })
        func name(_ id: String) -> String { names[id] ?? id }
        func describe(_ text: String) -> String {
            names.reduce(text) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
        }
        let draws = try await AssessmentStore.draws(tender, on: req.db)
        let blocks = selection.subSegments.filter { segment == nil || $0.segment == segment }.map { s in
            SubSegmentBlock(
                code: s.code, name: s.name, segment: tender.scope.design.segment(s.segment)?.name ?? s.segment, min: s.min, max: s.max,
                rows: s.ranking.map { r in
                    let status = s.selected.contains(r.bid) ? "Geselecteerd" : s.waitingRoom.contains(r.bid) ? "Wachtkamer (plaats \((s.waitingRoom.firstIndex(of: r.bid) ?? 0) + 1))" : "Niet geselecteerd"
                    return Row(position: r.position, rank: r.rank, bidder: r.bidder, score: Self.dutch(r.score), status: status,
                               tied: r.tied, orderedByDraw: r.orderedByDraw, belowCut: r.position > s.min)
                },
                excluded: s.excluded.map { "\($0.bidder): \($0.reasons.joined(separator: "; "))" },
                gaps: s.gaps.map(\.description),
                shortfall: s.shortfall.map { "Te weinig geschikte inschrijvingen: \($0.eligible) voor een minimum van \($0.min)." },
                maximumReachedWithGaps: s.maximumReachedWithGaps,
                conditions: s.conditions.map { "\(name($0.bid)): \($0.requirement) uiterlijk \($0.expected.dutch)" },
                ties: s.ties.map { t in
                    TieBlock(bidders: t.bids.map(name).joined(separator: ", "), score: Self.dutch(t.score), places: t.places,
                             fields: t.bids.enumerated().map { Field(key: "plaats-\($0.offset + 1)", label: "Plaats \($0.offset + 1)") },
                             subSegment: s.code)
                },
                draws: draws.filter { $0.subSegment == s.code }.map { "Loting door \($0.drawnBy) op \($0.drawnAt): \($0.order.map(name).joined(separator: ", "))" },
                steps: s.explanation.map { "\($0.number). \(describe($0.text))" })
        }
        return PageData(tenderName: tender.name, tenderCode: tender.code, tenderHref: AppURL.tender(tender.code).path,
                        assessmentHref: AppURL.assessment(tender.code).path, subSegments: blocks,
                        segments: tender.scope.segments.map { Field(key: AppURL.advice(tender.code, $0.code).path, label: $0.name) },
                        canDraw: Policy.allows(user.role, .manageAssessment), drawAction: AppURL.draw(tender.code).path, message: message,
                        printable: segment != nil, generatedAt: DutchTime.dateTime(req.now))
    }

    /// A score on 0–100 as an official reads it: two decimals, decimal comma.
    static func dutch(_ value: Decimal) -> String {
        var input = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &input, 2, .plain)
        return String(format: "%.2f", NSDecimalNumber(decimal: rounded).doubleValue).replacingOccurrences(of: ".", with: ",")
    }

    func page(req: Request) async throws -> Response {
        try await page(req, message: req.query[String.self, at: "melding"], status: .ok)
    }

    func page(_ req: Request, message: String?, status: HTTPStatus) async throws -> Response {
        let data = try await data(req, message: message)
        return try await req.view.render("ranking", PageContext(req, title: "Rangschikking: \(data.tenderName)", data: data)).encodeResponse(status: status, for: req)
    }

    func advice(req: Request) async throws -> View {
        let data = try await data(req, only: try req.parameters.require("segment"), message: nil)
        return try await req.view.render("advice", PageContext(req, title: "Gunningsadvies: \(data.tenderName)", data: data))
    }

    /// Records a draw among tied bids: the order is given by place, by bidder name as shown.
    func draw(req: Request) async throws -> Response {
        let user = try req.auth.require(AuthenticatedUser.self)
        let tender = try await TenderStore.find(try req.parameters.require("code"), for: user, at: req.now, on: req.db)
        try AssessmentStore.requireOpened(tender)
        let form = try PostedForm(req)
        let subSegment = form["subSegment"]
        let (selection, input) = try await AssessmentStore.selection(tender, on: req.db)
        guard let tie = selection.subSegments.first(where: { $0.code == subSegment })?.ties.first else {
            return try await page(req, message: "Er is geen gelijke stand om te loten in dit subsegment.", status: .unprocessableEntity)
        }
        let byName = Dictionary(input.bids.filter { tie.bids.contains($0.id) }.map { ($0.bidder, $0.id) }, uniquingKeysWith: { a, _ in a })
        let order = tie.bids.indices.compactMap { byName[form.trimmed("plaats-\($0 + 1)")] }
        guard order.count == tie.bids.count, Set(order).count == order.count else {
            return try await page(req, message: "Vul bij elke plaats precies één van de gelijk geëindigde inschrijvers in, elk één keer.", status: .unprocessableEntity)
        }
        let now = req.now
        try await req.audited("assessment.draw", subject: "\(tender.code)/\(subSegment)",
                              details: ["volgorde": order.map { id in input.bids.first { $0.id == id }?.bidder ?? id }.joined(separator: ", ")]) { db in
            guard try await DrawRecord.query(on: db).filter(\.$tender.$id == tender.id).filter(\.$subSegment == subSegment).count() == 0 else {
                throw Abort(.conflict, reason: "Voor dit subsegment is al geloot.")
            }
            let record = DrawRecord()
            record.$tender.id = tender.id
            record.subSegment = subSegment
            record.order = StoredJSON.string(order)
            record.drawnBy = user.email
            record.drawnAt = now
            try await record.create(on: db)
        }
        return req.redirect(to: AppURL.ranking(tender.code).path + "?melding=De%20loting%20is%20vastgelegd.")
    }
}
