import Foundation

/// Every page and link of the web application, in one place.
enum AppURL {
    case home
    case login(next: String?)
    case logout
    case designs
    case design(String)
    case designCopy(String)
    case designEdit(String)
    case audit
    case auditCSV
    case account
    case accountTokens
    case accountPassword
    case passwordForgotten
    case passwordReset
    case loginCode
    case accountSecondFactor
    case userSecondFactor(UUID)
    case userActive(UUID)
    case accountToken(UUID)
    case users
    case tenders
    case tenderNew
    case tender(String)
    case tenderEdit(String)
    case tenderPublish(String)
    case tenderDocuments(String)
    case tenderDocumentReplace(String, Int)
    case tenderDocument(String, Int, Int)
    case bid(String)
    case bidDocuments(String)
    case bidDocument(String, UUID)
    case bidDocumentRemove(String, UUID)
    case bidSubmit(String)
    case bidWithdraw(String)
    case receipt(String, Int)
    case vault(String)
    case vaultConfirm(String)
    case openedDocument(String, UUID)
    case questions(String)
    case questionHandling(String)
    case question(String, UUID)
    case notaPublish(String, Int)
    case nota(String, Int)
    case notaPrint(String, Int)
    case notaCSV(String, Int)
    case contactBan
    case assessment(String)
    case committee(String, String)
    case segmentAssessment(String, String)
    case declaration(String, String)
    case scores(String, String, String)
    case requirementChecks(String, String, String)
    case consensus(String, String, String)
    case assessedDocument(String, String, UUID)
    case ranking(String)
    case award(String)
    case approval(String)
    case provisionalAward(String)
    case relativeAdvantages(String)
    case letter(String)
    case letterPrint(String)
    case objections(String)
    case objection(String, String)
    case finalAward(String, String)
    case callUp(String, String)
    case draw(String)
    case advice(String, String)
    case providerRegistration
    case organisation
    case notifications
    case contracts
    case contractsCSV
    case contractsXLSX
    case contractNew
    case contract(String)
    case contractProof(String, String)
    case contractSubcontractors(String)
    case contractSubcontractorDecision(String, Int)
    case contractCapacity(String)
    case contractMunicipalities(String)
    case extensions
    case extensionRound(String, String, String)
    case extensionAdvice(String, String, String)
    case extensionIntention(String, String, String)
    case extensionDecision(String, String, String)
    case coverage(String)
    case kpis
    case kpiReport
    case kpiUpload
    case kpiCSV
    case kpiXLSX
    case publicRegister
    case publicRegisterCSV
    case publicRegisterJSON
    case finance
    case financeCSV
    case financeXLSX
    case financeBudget
    case financeCeiling
    case financeClientStop
    case declarationUpload
    case declarationMessage(UUID)
    case declarationAnswer(UUID)

    /// The pages with a form for visitors who are not signed in: they need a form token, and a
    /// session to keep it in, before anyone has logged in.
    static let anonymousForms: Set<String> = [AppURL.login(next: nil).path, AppURL.providerRegistration.path,
                                              AppURL.passwordForgotten.path, AppURL.passwordReset.path,
                                              AppURL.loginCode.path]

    /// A bid id in a path: `id/SEGMENT` for a bid assessed in several segments becomes `id~SEGMENT`.
    static func pathComponent(_ bid: String) -> String { bid.replacingOccurrences(of: "/", with: "~") }
    static func bidID(fromPath component: String) -> String { component.replacingOccurrences(of: "~", with: "/") }

    var path: String {
        switch self {
        case .home: "/"
        case let .login(next):
            next.map { "/inloggen?verder=\($0.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(["&", "=", "?"])) ?? "/")" } ?? "/inloggen"
        case .logout: "/uitloggen"
        case .designs: "/ontwerpen"
        case let .design(code): "/ontwerpen/\(code)"
        case let .designCopy(code): "/ontwerpen/\(code)/kopie"
        case let .designEdit(code): "/ontwerpen/\(code)/bewerken"
        case .audit: "/audit"
        case .auditCSV: "/audit.csv"
        case .account: "/account"
        case .accountTokens: "/account/tokens"
        case .accountPassword: "/account/wachtwoord"
        case .passwordForgotten: "/wachtwoord-vergeten"
        case .passwordReset: "/wachtwoord-herstellen"
        case .loginCode: "/inloggen/code"
        case .accountSecondFactor: "/account/tweestapsverificatie"
        case let .userSecondFactor(id): "/beheer/gebruikers/\(id.uuidString)/tweestapsverificatie"
        case let .userActive(id): "/beheer/gebruikers/\(id.uuidString)/actief"
        case let .accountToken(id): "/account/tokens/\(id.uuidString)/intrekken"
        case .users: "/beheer/gebruikers"
        case .tenders: "/aanbestedingen"
        case .tenderNew: "/aanbestedingen/nieuw"
        case let .tender(code): "/aanbestedingen/\(code)"
        case let .tenderEdit(code): "/aanbestedingen/\(code)/bewerken"
        case let .tenderPublish(code): "/aanbestedingen/\(code)/publiceren"
        case let .tenderDocuments(code): "/aanbestedingen/\(code)/documenten"
        case let .tenderDocumentReplace(code, number): "/aanbestedingen/\(code)/documenten/\(number)/vervangen"
        case let .tenderDocument(code, number, version): "/aanbestedingen/\(code)/documenten/\(number)/versies/\(version)"
        case let .bid(code): "/aanbestedingen/\(code)/inschrijving"
        case let .bidDocuments(code): "/aanbestedingen/\(code)/inschrijving/documenten"
        case let .bidDocument(code, id): "/aanbestedingen/\(code)/inschrijving/documenten/\(id.uuidString)"
        case let .bidDocumentRemove(code, id): "/aanbestedingen/\(code)/inschrijving/documenten/\(id.uuidString)/verwijderen"
        case let .bidSubmit(code): "/aanbestedingen/\(code)/inschrijving/indienen"
        case let .bidWithdraw(code): "/aanbestedingen/\(code)/inschrijving/intrekken"
        case let .receipt(code, version): "/aanbestedingen/\(code)/inschrijving/ontvangstbewijs/\(version)"
        case let .vault(code): "/aanbestedingen/\(code)/kluis"
        case let .vaultConfirm(code): "/aanbestedingen/\(code)/kluis/openen"
        case let .openedDocument(code, id): "/aanbestedingen/\(code)/kluis/documenten/\(id.uuidString)"
        case let .questions(code): "/aanbestedingen/\(code)/vragen"
        case let .questionHandling(code): "/aanbestedingen/\(code)/vragenbeheer"
        case let .question(code, id): "/aanbestedingen/\(code)/vragenbeheer/\(id.uuidString)"
        case let .notaPublish(code, round): "/aanbestedingen/\(code)/nota/\(round)/publiceren"
        case let .nota(code, round): "/aanbestedingen/\(code)/nota/\(round)"
        case let .notaPrint(code, round): "/aanbestedingen/\(code)/nota/\(round)/afdrukken"
        case let .notaCSV(code, round): "/aanbestedingen/\(code)/nota/\(round)/export.csv"
        case .contactBan: "/contactverbod"
        case let .assessment(code): "/aanbestedingen/\(code)/beoordeling"
        case let .committee(code, segment): "/aanbestedingen/\(code)/beoordeling/\(segment)/commissie"
        case let .segmentAssessment(code, segment): "/aanbestedingen/\(code)/beoordeling/\(segment)"
        case let .declaration(code, segment): "/aanbestedingen/\(code)/beoordeling/\(segment)/verklaring"
        case let .scores(code, segment, bid): "/aanbestedingen/\(code)/beoordeling/\(segment)/scores/\(Self.pathComponent(bid))"
        case let .requirementChecks(code, segment, bid): "/aanbestedingen/\(code)/beoordeling/\(segment)/eisen/\(Self.pathComponent(bid))"
        case let .consensus(code, segment, bid): "/aanbestedingen/\(code)/beoordeling/\(segment)/consensus/\(Self.pathComponent(bid))"
        case let .assessedDocument(code, segment, id): "/aanbestedingen/\(code)/beoordeling/\(segment)/documenten/\(id.uuidString)"
        case let .ranking(code): "/aanbestedingen/\(code)/rangschikking"
        case let .award(code): "/aanbestedingen/\(code)/gunning"
        case let .approval(code): "/aanbestedingen/\(code)/gunning/akkoord"
        case let .provisionalAward(code): "/aanbestedingen/\(code)/gunning/voorlopig"
        case let .relativeAdvantages(code): "/aanbestedingen/\(code)/gunning/voordelen"
        case let .letter(code): "/aanbestedingen/\(code)/gunning/brief"
        case let .letterPrint(code): "/aanbestedingen/\(code)/gunning/brief/afdrukken"
        case let .objections(code): "/aanbestedingen/\(code)/gunning/bezwaar"
        case let .objection(code, id): "/aanbestedingen/\(code)/gunning/bezwaar/\(id)"
        case let .finalAward(code, segment): "/aanbestedingen/\(code)/gunning/definitief/\(segment)"
        case let .callUp(code, sub): "/aanbestedingen/\(code)/gunning/wachtkamer/\(sub)"
        case let .draw(code): "/aanbestedingen/\(code)/rangschikking/loting"
        case let .advice(code, segment): "/aanbestedingen/\(code)/rangschikking/\(segment)/advies"
        case .providerRegistration: "/aanbieders/registreren"
        case .organisation: "/organisatie"
        case .notifications: "/meldingen"
        case .contracts: "/contracten"
        case .contractsCSV: "/contracten/export.csv"
        case .contractsXLSX: "/contracten/export.xlsx"
        case .contractNew: "/contracten/nieuw"
        case let .contract(number): "/contracten/\(number)"
        case let .contractProof(number, requirement): "/contracten/\(number)/bewijs/\(requirement)"
        case let .contractSubcontractors(number): "/contracten/\(number)/onderaannemers"
        case let .contractSubcontractorDecision(number, request): "/contracten/\(number)/onderaannemers/\(request)"
        case let .contractCapacity(number): "/contracten/\(number)/capaciteit"
        case let .contractMunicipalities(number): "/contracten/\(number)/gemeenten"
        case .extensions: "/verlengingen"
        case let .extensionRound(tender, segment, end): "/verlengingen/\(tender)/\(segment)/\(end)"
        case let .extensionAdvice(tender, segment, end): "/verlengingen/\(tender)/\(segment)/\(end)/advies"
        case let .extensionIntention(tender, segment, end): "/verlengingen/\(tender)/\(segment)/\(end)/voornemen"
        case let .extensionDecision(tender, segment, end): "/verlengingen/\(tender)/\(segment)/\(end)/besluit"
        case let .coverage(tender): "/aanbestedingen/\(tender)/dekking"
        case .kpis: "/kpi"
        case .kpiReport: "/kpi/rapporteren"
        case .kpiUpload: "/kpi/upload"
        case .kpiCSV: "/kpi/export.csv"
        case .kpiXLSX: "/kpi/export.xlsx"
        case .publicRegister: "/gecontracteerd"
        case .publicRegisterCSV: "/gecontracteerd.csv"
        case .publicRegisterJSON: "/gecontracteerd.json"
        case .finance: "/financien"
        case .financeCSV: "/financien/export.csv"
        case .financeXLSX: "/financien/export.xlsx"
        case .financeBudget: "/financien/budget"
        case .financeCeiling: "/financien/plafond"
        case .financeClientStop: "/financien/clientenstop"
        case .declarationUpload: "/financien/declaraties"
        case let .declarationMessage(id): "/financien/declaraties/\(id.uuidString)"
        case let .declarationAnswer(id): "/financien/declaraties/\(id.uuidString)/antwoord.xml"
        }
    }
}
