import Foundation

/// A step of assessment or award that the rules refuse, with the reason in Dutch for the user.
public enum AwardError: Error, Hashable, Sendable, CustomStringConvertible {
    case unknownSegment(String)
    case unknownBid(String)
    case unknownRequirement(String)
    case unknownCriterion(String)
    /// The bid belongs to another segment than the assessment.
    case bidOfOtherSegment(bid: String, segment: String)
    /// A required text (reason, motivation, rationale) is empty; `field` names it in Dutch.
    case missingText(field: String)
    case notACommitteeMember(assessor: String, segment: String)
    /// A declared conflict of interest is final: it cannot be replaced by "no conflict".
    case conflictAlreadyDeclared(assessor: String)
    /// A conflict must name at least one bidder of the segment.
    case conflictWithoutBidders
    case notABidderOfSegment(name: String)
    case mayNotSeeBids(assessor: String, access: BidAccess)
    case proofMayNotFollow(requirement: String)
    case scoreOffScale(score: Score, scale: ScoreScale)
    case bidExcluded(bid: String, reasons: [String])
    /// Individual scores of a bid are frozen once they are open to the committee.
    case individualScoresClosed(bid: String)
    /// Consensus needs every committee member's scores on every criterion first.
    case individualScoresIncomplete(bid: String, waitingFor: [String])
    case consensusAlreadyRecorded(bid: String, criterion: String)
    case noConsensusYet(bid: String, criterion: String)
    case revisionChangesNothing(bid: String, criterion: String)
    case lodgedOutsideStandstill(lodgedAt: Date, standstillEnd: Date)
    case objectionClosed(objection: String, state: ObjectionState)
    case invalidTransition(from: ObjectionState, to: ObjectionState)
    /// The selection still has ties without a recorded draw; its award is not final.
    case unresolvedTies(subSegments: [String])
    /// The tender's contracts would start before the award; the term needs a correction first.
    case startBeforeAward(start: CalendarDate, award: CalendarDate)
    case alreadyPublished
    case notADecider(municipality: String)
    case approvalsMissing(municipalities: [String])
    case notEverySegmentAssessed
    case notPublished
    case unknownObjection(String)
    case alreadyFinal(segment: String)
    case signingBlocked(reasons: [String])
    case waitingRoomNotOpen(subSegment: String)

    /// A step that the award's state does not allow now (as opposed to bad input): HTTP's 409.
    public var isConflict: Bool {
        switch self {
        case .alreadyPublished, .notADecider, .notPublished, .alreadyFinal, .signingBlocked, .waitingRoomNotOpen: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case let .unknownSegment(code): "segment '\(code)' bestaat niet in dit ontwerp"
        case let .unknownBid(id): "inschrijving '\(id)' is onbekend"
        case let .unknownRequirement(code): "minimumeis '\(code)' geldt niet voor dit segment"
        case let .unknownCriterion(code): "criterium '\(code)' wordt in dit segment niet gewogen"
        case let .bidOfOtherSegment(bid, segment): "inschrijving '\(bid)' hoort niet bij segment '\(segment)'"
        case let .missingText(field): "\(field) ontbreekt"
        case let .notACommitteeMember(assessor, segment): "\(assessor) is geen lid van de beoordelingscommissie van segment \(segment)"
        case let .conflictAlreadyDeclared(assessor): "\(assessor) heeft al een belangenconflict gemeld; die melding kan niet worden ingetrokken"
        case .conflictWithoutBidders: "noem bij een belangenconflict de inschrijver(s) waarmee het conflict bestaat"
        case let .notABidderOfSegment(name): "'\(name)' is geen inschrijver in dit segment"
        case let .mayNotSeeBids(assessor, access): "\(assessor) mag de inschrijvingen niet inzien: \(access.dutch)"
        case let .proofMayNotFollow(requirement): "voor minimumeis \(requirement) mag het bewijs niet later volgen; kies voldoet of voldoet niet"
        case let .scoreOffScale(score, scale): "score \(score.dutch) ligt niet op de schaal (\(scale.dutchDescription))"
        case let .bidExcluded(bid, reasons): "inschrijving \(bid) is uitgesloten van beoordeling: \(reasons.joined(separator: "; "))"
        case let .individualScoresClosed(bid): "de individuele scores voor inschrijving \(bid) zijn al voor de commissie geopend en liggen vast"
        case let .individualScoresIncomplete(bid, waitingFor): "nog niet alle individuele scores voor inschrijving \(bid) zijn ingediend (wacht op \(waitingFor.joined(separator: ", ")))"
        case let .consensusAlreadyRecorded(bid, criterion): "de consensusscore voor \(bid), criterium \(criterion), staat al vast; wijzigen kan alleen met een reden"
        case let .noConsensusYet(bid, criterion): "er is nog geen consensusscore voor \(bid), criterium \(criterion)"
        case let .revisionChangesNothing(bid, criterion): "de wijziging voor \(bid), criterium \(criterion), verandert score noch motivering"
        case let .lodgedOutsideStandstill(lodgedAt, end):
            "bezwaar ontvangen op \(Amsterdam.dutchDateTime(lodgedAt)), buiten de opschortende termijn (tot en met \(Amsterdam.dutchDateTime(end)))"
        case let .objectionClosed(objection, state): "bezwaar \(objection) is al afgehandeld (\(state.dutch))"
        case let .invalidTransition(from, to): "een bezwaar kan niet van '\(from.dutch)' naar '\(to.dutch)'"
        case let .unresolvedTies(subSegments): "de selectie is niet definitief: gelijke scores zonder loting in \(subSegments.joined(separator: ", "))"
        case .alreadyPublished: "Het voorlopige gunningsbesluit is al gepubliceerd."
        case .notADecider: "Uw gemeente doet niet mee in deze aanbesteding."
        case let .approvalsMissing(names): "nog geen go/no-go van " + names.joined(separator: ", ")
        case .notEverySegmentAssessed: "niet elk segment is beoordeeld"
        case .notPublished: "Er is nog geen voorlopig gunningsbesluit."
        case let .unknownObjection(id): "Bezwaar \(id) bestaat niet."
        case .alreadyFinal: "Dit segment is al definitief gegund."
        case let .signingBlocked(reasons): "Definitief gunnen kan nog niet: " + reasons.joined(separator: "; ")
        case .waitingRoomNotOpen: "De wachtkamer is pas beschikbaar na de definitieve gunning van dit segment."
        case let .startBeforeAward(start, award): "de overeenkomsten zouden starten op \(start.dutch), voor de gunning op \(award.dutch); pas eerst de looptijd van de aanbesteding aan"
        }
    }
}
