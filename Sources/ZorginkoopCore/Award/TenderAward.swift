import Foundation

/// The award of one tender, as one aggregate with its rules: the municipalities' go/no-go, the
/// provisional decision with a letter per bidder and the standstill, objections with their
/// numbering, the final award per segment with its contracts, and waiting-room call-ups.
///
/// Bidders are identified by organisation id (`Letter.organisation`, `Objection.organisation`):
/// an organisation that changes its name keeps its letter and its objections.
public struct TenderAward: Codable, Hashable, Sendable {
    /// A municipality's go/no-go on the provisional award: the segments it says no-go to.
    public struct Approval: Codable, Hashable, Sendable {
        public var municipality: String
        public var noGoSegments: [String]
        public var reason: String
        public var by: String
        public var at: Date

        public init(municipality: String, noGoSegments: [String], reason: String, by: String, at: Date) {
            self.municipality = municipality
            self.noGoSegments = noGoSegments
            self.reason = reason
            self.by = by
            self.at = at
        }
    }

    public struct Letter: Codable, Hashable, Sendable {
        /// The bidder's name when the letter was written, as the letter shows it.
        public var bidder: String
        /// The bidder's organisation id: how the letter is found.
        public var organisation: String?
        public var letter: AwardLetter
        public var sha256: String
    }

    public struct Provisional: Codable, Hashable, Sendable {
        public var publishedAt: Date
        public var publishedBy: String
        public var standstill: Standstill
        public var input: AssessedBids
        public var selection: TenderSelection
        public var letters: [Letter]

        public func letter(forOrganisation organisation: String) -> Letter? {
            letters.first { $0.organisation == organisation }
        }
    }

    public struct FinalAward: Codable, Hashable, Sendable {
        public var segment: String
        public var at: Date
        public var by: String
        /// The numbers of the contracts this award created; the contracts live in the register.
        public var contractNumbers: [String]

        enum CodingKeys: String, CodingKey { case segment, at, by, contractNumbers }

        public init(segment: String, at: Date, by: String, contractNumbers: [String]) {
            self.segment = segment
            self.at = at
            self.by = by
            self.contractNumbers = contractNumbers
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            segment = try c.decode(String.self, forKey: .segment)
            at = try c.decode(Date.self, forKey: .at)
            by = try c.decode(String.self, forKey: .by)
            contractNumbers = try c.decodeIfPresent([String].self, forKey: .contractNumbers) ?? []
        }
    }

    public struct CallUp: Codable, Hashable, Sendable {
        public var subSegment: String
        public var bid: String?
        public var reason: String
        public var explanation: String
        public var by: String
        public var at: Date
        public var contractNumber: String?
    }

    public var approvals: [Approval] = []
    public var provisional: Provisional?
    public var objections: [Objection] = []
    public var finals: [FinalAward] = []
    public var callUps: [CallUp] = []
    /// Per sub-segment, what became of waiting bids.
    public var waiting: [String: [String: WaitingBidStatus]] = [:]
    /// Per selected bid and criterion, the committee's text on its relative advantages, for the letters.
    public var relativeAdvantages: [String: [String: String]]?

    public init() {}

    /// Each municipality's latest decision: a later "go" withdraws an earlier no-go.
    public var latestApprovals: [Approval] {
        Array(Dictionary(approvals.map { ($0.municipality, $0) }, uniquingKeysWith: { _, later in later }).values)
    }

    public var noGo: [NoGo] {
        latestApprovals.flatMap { a in a.noGoSegments.map { NoGo(segment: $0, municipality: a.municipality) } }
    }

    public func isFinal(segment: String) -> Bool { finals.contains { $0.segment == segment } }

    // MARK: Before publication

    /// Records a municipality's go/no-go. Only before publication, only by a municipality that
    /// decides on the tender, and a no-go needs its reason.
    public mutating func approve(_ approval: Approval, deciders: [String]) throws {
        guard provisional == nil else { throw AwardError.alreadyPublished }
        guard deciders.contains(approval.municipality) else { throw AwardError.notADecider(municipality: approval.municipality) }
        if !approval.noGoSegments.isEmpty && approval.reason.isBlank { throw AwardError.missingText(field: "motivering van de no-go") }
        approvals.append(approval)
    }

    public mutating func setRelativeAdvantages(_ texts: [String: [String: String]]) throws {
        guard provisional == nil else { throw AwardError.alreadyPublished }
        relativeAdvantages = texts
    }

    /// Publishes the provisional award: every deciding municipality has decided, every segment is
    /// assessed; the engine's selection with the no-gos, a letter per bidder, the standstill from `at`.
    /// - Parameters:
    ///   - organisations: the organisation id of each bid.
    ///   - digest: the letter's fingerprint, as the store computes it.
    public mutating func publish(at: Date, by: String, deciders: [Municipality], assessments: [SegmentAssessment], tenderSegments: [String],
                                 scope: TenderScope, draws: [Draw], organisations: [String: String],
                                 digest: (AwardLetter) -> String) throws -> Provisional {
        guard provisional == nil else { throw AwardError.alreadyPublished }
        let missing = deciders.filter { m in !approvals.contains { $0.municipality == m.code } }
        guard missing.isEmpty else { throw AwardError.approvalsMissing(municipalities: missing.map(\.name)) }
        guard Set(assessments.map(\.segment)).isSuperset(of: tenderSegments) else { throw AwardError.notEverySegmentAssessed }
        let input = try AssessedBids(design: scope.design, tender: scope.tender, segments: assessments, noGo: scope.noGo + noGo, draws: draws)
        var selection = try SelectionEngine.select(input, design: scope.design)
        selection.subSegments = selection.subSegments.filter { scope.subSegments.contains($0.code) }
        let standstill = Standstill(sentAt: at)
        var letters: [Letter] = []
        for bidder in Set(input.bids.map(\.bidder)).sorted() {
            let letter = try AwardLetter(bidder: bidder, selection: selection, segments: assessments, design: scope.design,
                                         standstill: standstill, relativeAdvantages: relativeAdvantages ?? [:])
            let organisation = input.bids.first { $0.bidder == bidder }.flatMap { organisations[$0.id] }
            letters.append(Letter(bidder: bidder, organisation: organisation, letter: letter, sha256: digest(letter)))
        }
        let published = Provisional(publishedAt: at, publishedBy: by, standstill: standstill, input: input, selection: selection, letters: letters)
        provisional = published
        return published
    }

    // MARK: Objections

    /// Lodges an objection of the organisation on a segment it bid on; objections are numbered
    /// B1, B2, … in the order they arrive.
    public mutating func lodgeObjection(organisation: String, segment: String, kind: ObjectionKind, summary: String, at: Date) throws -> Objection {
        guard let provisional else { throw AwardError.notPublished }
        guard let letter = provisional.letter(forOrganisation: organisation) else { throw AwardError.notABidderOfSegment(name: organisation) }
        guard provisional.input.bids.contains(where: { $0.bidder == letter.bidder && $0.segment == segment }) else {
            throw AwardError.notABidderOfSegment(name: letter.bidder)
        }
        var objection = try Objection(id: "B\(objections.count + 1)", bidder: letter.bidder, segment: segment, kind: kind,
                                      summary: summary, lodgedAt: at, standstill: provisional.standstill)
        objection.organisation = organisation
        objections.append(objection)
        return objection
    }

    public mutating func handleObjection(_ id: String, to next: ObjectionState, by: String, at: Date, note: String) throws -> Objection {
        guard let i = objections.firstIndex(where: { $0.id == id }) else { throw AwardError.unknownObjection(id) }
        try objections[i].move(to: next, by: by, at: at, note: note)
        return objections[i]
    }

    // MARK: Final award and the waiting room

    /// The final award of a segment: after the standstill, without open objections, once, with
    /// contracts that start on or after the award day. The contracts are numbered
    /// `TENDER-001`, `TENDER-002`, … (the tender's code) across the tender's final awards and call-ups.
    public mutating func finalise(segment: String, at: Date, by: String, scope: TenderScope, numberPrefix: String) throws -> [Contract] {
        guard let provisional else { throw AwardError.notPublished }
        guard scope.segments.contains(where: { $0.code == segment }) else { throw AwardError.unknownSegment(segment) }
        guard !isFinal(segment: segment) else { throw AwardError.alreadyFinal(segment: segment) }
        if case let .blocked(reasons) = provisional.standstill.signing(segment: segment, objections: objections, at: at) {
            throw AwardError.signingBlocked(reasons: reasons)
        }
        var selection = provisional.selection
        selection.subSegments = selection.subSegments.filter { $0.segment == segment }
        try Contract.requireStart(of: scope.design, tender: selection.tender, notBefore: Amsterdam.day(of: at))
        var contracts = try Contract.forFinalAward(selection, input: provisional.input, design: scope.design)
        for i in contracts.indices { contracts[i].number = nextContractNumber(numberPrefix, offset: i) }
        finals.append(FinalAward(segment: segment, at: at, by: by, contractNumbers: contracts.map(\.number)))
        return contracts
    }

    /// Calls up the next available waiting bid of a sub-segment after its final award, with the
    /// reason (the gap). The outcome is recorded also when nobody can be called (a tie, an empty
    /// room); a called-up bid gets a contract from the call-up's day.
    public mutating func callUp(subSegment code: String, reason: String, by: String, at: Date, scope: TenderScope, numberPrefix: String) throws -> (WaitingRoomCallUp, Contract?) {
        guard !reason.isBlank else { throw AwardError.missingText(field: "reden van de oproep (welk gat is ontstaan)") }
        guard let provisional, let sub = provisional.selection.subSegments.first(where: { $0.code == code }), isFinal(segment: sub.segment) else {
            throw AwardError.waitingRoomNotOpen(subSegment: code)
        }
        let call = WaitingRoomCallUp(selection: sub, statuses: waiting[code] ?? [:])
        var contract: Contract?
        if case let .next(id, _) = call.outcome {
            waiting[code, default: [:]][id] = .calledUp
            var single = sub
            single.selected = [id]
            var selection = provisional.selection
            selection.subSegments = [single]
            if var made = try Contract.forFinalAward(selection, input: provisional.input, design: scope.design).first {
                made.start = Swift.max(made.start, Amsterdam.day(of: at))
                made.number = nextContractNumber(numberPrefix, offset: 0)
                contract = made
            }
        }
        callUps.append(CallUp(subSegment: code, bid: contract?.bid, reason: reason, explanation: call.explanation, by: by, at: at,
                              contractNumber: contract?.number))
        return (call, contract)
    }

    /// The tender's contracts so far, in the order they were made.
    public var contractNumbers: [String] { finals.flatMap(\.contractNumbers) + callUps.compactMap(\.contractNumber) }

    private func nextContractNumber(_ prefix: String, offset: Int) -> String {
        "\(prefix)-" + String(format: "%03d", contractNumbers.count + offset + 1)
    }
}
