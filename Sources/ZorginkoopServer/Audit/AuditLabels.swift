import Foundation

/// The audit trail as an official reads it: each action in Dutch, and the details as named values.
/// The stored codes stay as they are (they are part of every entry's hash).
enum AuditLabels {
    static let actions: [String: String] = [
        "region.loaded": "Regio geladen uit het ontwerp",
        "login.succeeded": "Ingelogd", "login.failed": "Inloggen mislukt", "login.throttled": "Inloggen geblokkeerd (te veel pogingen)",
        "logout": "Uitgelogd",
        "user.created": "Account aangemaakt", "user.activated": "Account geheractiveerd", "user.deactivated": "Account gedeactiveerd",
        "user.password-changed": "Wachtwoord gewijzigd", "user.password-reset-requested": "Link voor nieuw wachtwoord aangevraagd",
        "user.password-reset": "Nieuw wachtwoord gekozen via e-maillink",
        "login.password-accepted": "Wachtwoord juist; inlogcode gevraagd", "login.second-factor": "Ingelogd (wachtwoord en inlogcode)", "login.second-factor-failed": "Verkeerde inlogcode",
        "user.second-factor-enabled": "Tweestapsverificatie aangezet", "user.recovery-codes-renewed": "Nieuwe herstelcodes gemaakt",
        "user.second-factor-removed": "Tweestapsverificatie verwijderd door beheerder",
        "token.created": "API-token aangemaakt", "token.revoked": "API-token ingetrokken",
        "provider.registered": "Zorgaanbieder geregistreerd",
        "design.draft.created": "Conceptontwerp aangemaakt", "design.changed": "Ontwerp gewijzigd",
        "tender.created": "Aanbesteding aangemaakt", "tender.changed": "Aanbesteding gewijzigd (of rectificatie)",
        "tender.published": "Aanbesteding gepubliceerd",
        "tender.document.uploaded": "Aanbestedingsdocument toegevoegd of nieuwe versie (voor publicatie)",
        "tender.document.corrected": "Aanbestedingsdocument gerectificeerd (nieuw of vervangen, iedereen bericht)",
        "bid.submitted": "Inschrijving ingediend", "bid.withdrawn": "Inschrijving ingetrokken", "bid.refused-late": "Inschrijving geweigerd: te laat",
        "vault.confirmation": "Opening van de kluis bevestigd",
        "question.asked": "Vraag gesteld", "question.handled": "Vraag behandeld", "nota.published": "Nota van inlichtingen gepubliceerd",
        "assessment.committee": "Beoordelingscommissie samengesteld", "assessment.declaration": "Verklaring belangenconflict",
        "assessment.requirements": "Minimumeisen getoetst", "assessment.scores": "Individuele scores ingediend",
        "assessment.consensus": "Consensusscore vastgelegd", "assessment.draw": "Loting vastgelegd",
        "award.approval": "Besluit gemeente (go/no-go)", "award.provisional": "Voorlopige gunning gepubliceerd",
        "award.relative-advantages": "Relatieve voordelen vastgelegd", "award.objection.lodged": "Bezwaar ingediend",
        "award.objection.handled": "Bezwaar behandeld", "award.final": "Definitief gegund",
        "award.waiting-room.call-up": "Oproep uit de wachtkamer",
    ]

    static func action(_ code: String) -> String { actions[code] ?? code }

    struct Detail: Encodable {
        var key: String
        var value: String
    }

    /// The stored details (a JSON object of texts) as named values, in key order; anything else as it is.
    static func details(_ json: String) -> [Detail] {
        guard let object = try? JSONDecoder().decode([String: String].self, from: Data(json.utf8)) else {
            return json.isEmpty || json == "{}" ? [] : [Detail(key: "gegevens", value: json)]
        }
        return object.sorted { $0.key < $1.key }.map { Detail(key: $0.key, value: $0.value) }
    }
}
