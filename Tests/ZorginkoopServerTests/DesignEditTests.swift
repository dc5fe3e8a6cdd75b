import Fluent
import Foundation
import Testing
import VaporTesting
@testable import ZorginkoopServer

@Suite("The region pages and editing a draft design")
struct DesignEditTests {
    @Test("The overview shows municipalities with client counts; the design page shows weights, min/max, participation and requirements")
    func regionPages() async throws {
        try await withApp { app in
            try await makeUser(app, .municipalityOfficial)
            let browser = Browser(app)
            _ = try await browser.login("municipality-official@test.nl")
            let home = try await browser.get("/").body.string
            #expect(home.contains("lang=\"nl\""))
            #expect(home.contains("Doetinchem") && home.contains("2.702") && home.contains("10.437"))
            #expect(home.contains("penvoerder"))
            let design = try await browser.get("/ontwerpen/achterhoek-2026").body.string
            #expect(design.contains("Behandeling groep"))
            #expect(design.contains("31-12-2033"))
            #expect(design.contains("Gedragswetenschapper beschikbaar en betrokken"))
            #expect(design.contains("class=\"matrix\""))
            #expect(design.contains("Lokaal perceel van Aalten"))
            // The funding's products with their tariff per unit per year, in Dutch money.
            #expect(design.contains("<caption>Producten en tarieven per eenheid van Wmo Wonen</caption>"))
            #expect(design.contains("<th scope=\"row\">Beschermd wonen (24 uur)</th><td>etmaal</td><td class=\"num\">€ 182,40</td><td class=\"num\">€ 193,89</td>"))
        }
    }

    @Test("An officer copies the region design to a draft and saves a valid change, audited with what changed")
    func editDraft() async throws {
        try await withApp { app in
            try await makeUser(app, .procurementOfficer)
            let browser = Browser(app)
            _ = try await browser.login("procurement-officer@test.nl")
            let copy = try await browser.post("/ontwerpen/achterhoek-2026/kopie", form: [:])
            #expect(copy.status == .seeOther)
            let editPath = try #require(copy.headers.first(name: .location))
            #expect(editPath == "/ontwerpen/achterhoek-2026-concept-1/bewerken")
            let form = try await browser.get(editPath)
            #expect(form.status == .ok)
            var fields = formFields(form.body.string)
            #expect(fields["min-WON-BW"] == "9")
            fields["min-WON-BW"] = "10"
            let saved = try await browser.post(editPath, form: fields)
            #expect(saved.status == .seeOther)
            let (_, stored) = try await DesignStore.find("achterhoek-2026-concept-1", on: app.db)
            #expect(stored.design.subSegments.first { $0.code == "WON-BW" }?.minProviders == 10)
            let entry = try #require(try await AuditEntryRecord.query(on: app.db).filter(\.$action == "design.changed").first())
            #expect(entry.details.contains("min WON-BW") && entry.details.contains("9 → 10"))
            let created = try #require(try await AuditEntryRecord.query(on: app.db).filter(\.$action == "design.draft.created").first())
            #expect(created.subject == "achterhoek-2026-concept-1")
            #expect(created.details.contains("achterhoek-2026"))
            // The region's own design is untouched.
            let (_, region) = try await DesignStore.find("achterhoek-2026", on: app.db)
            #expect(region.design.subSegments.first { $0.code == "WON-BW" }?.minProviders == 9)
        }
    }

    @Test("Changing only a reason for not taking part is saved and audited")
    func reasonChangeAudited() async throws {
        try await withApp { app in
            let (browser, editPath) = try await officerEditingADraft(app)
            var fields = formFields(try await browser.get(editPath).body.string)
            #expect(fields["reason-AJL-AAL-berkelland"] == "Lokaal perceel van Aalten: alleen Aalten neemt deel.")
            fields["reason-AJL-AAL-berkelland"] = "Berkelland koopt dit zelf in."
            #expect(try await browser.post(editPath, form: fields).status == .seeOther)
            let (_, stored) = try await DesignStore.find("achterhoek-2026-concept-1", on: app.db)
            #expect(stored.design.segment("AJL-AAL")?.nonParticipation.first { $0.municipality == "berkelland" }?.reason == "Berkelland koopt dit zelf in.")
            let entry = try #require(try await AuditEntryRecord.query(on: app.db).filter(\.$action == "design.changed").first())
            #expect(entry.details.contains("Berkelland koopt dit zelf in."))
        }
    }

    @Test("Validation errors stand next to the field, in Dutch, and nothing is saved")
    func validationNextToField() async throws {
        try await withApp { app in
            let (browser, editPath) = try await officerEditingADraft(app)
            var fields = formFields(try await browser.get(editPath).body.string)
            fields["weight-WON-LOKAAL"] = "40"
            fields["max-WON-BT"] = "5"
            fields["min-SAFE-SAFE"] = "een"
            fields["part-WON-aalten"] = nil
            fields["reason-WON-aalten"] = ""
            let response = try await browser.post(editPath, form: fields)
            #expect(response.status == .unprocessableEntity)
            let page = response.body.string
            #expect(page.contains("id=\"min-SAFE-SAFE-fout\">Vul een geheel getal van 0 tot en met 999 in."))
            // Number errors come first; fix them and the design's own rules speak.
            fields["min-SAFE-SAFE"] = "1"
            let second = try await browser.post(editPath, form: fields).body.string
            #expect(second.contains("id=\"weights-WON-fout\">De wegingen van segment &#39;WON&#39; tellen op tot 125 in plaats van 100.")
                    || second.contains("id=\"weights-WON-fout\">De wegingen van segment 'WON' tellen op tot 125 in plaats van 100."))
            #expect(second.contains("id=\"max-WON-BT-fout\">Maximum aantal aanbieders (5) is kleiner dan het minimum (12)."))
            #expect(second.contains("id=\"reason-WON-aalten-fout\">Geef de reden waarom de gemeente niet deelneemt."))
            #expect(second.contains("aria-invalid=\"true\""))
            let (_, stored) = try await DesignStore.find("achterhoek-2026-concept-1", on: app.db)
            #expect(stored.design.segment("WON")?.weights["LOKAAL"] == 15)
        }
    }

    @Test("A change to the region's design in the database shows at once: nothing stale is kept in the process")
    func overviewFollowsTheDatabase() async throws {
        try await withApp { app in
            try await makeUser(app, .auditor)
            let browser = Browser(app)
            _ = try await browser.login("auditor@test.nl")
            #expect(try await browser.get("/").body.string.contains("Sociaal Domein Achterhoek"))
            let record = try #require(try await DesignRecord.query(on: app.db).filter(\.$status == "region").first())
            record.document = record.document.replacingOccurrences(of: "Sociaal Domein Achterhoek", with: "Samenwerking Oost")
            try await record.update(on: app.db)
            let page = try await browser.get("/").body.string
            #expect(page.contains("Samenwerking Oost"))
            #expect(!page.contains("Sociaal Domein Achterhoek</h1>"))
        }
    }

    @Test("The region design itself cannot be edited, only copied")
    func regionDesignReadOnly() async throws {
        try await withApp { app in
            try await makeUser(app, .procurementOfficer)
            let browser = Browser(app)
            _ = try await browser.login("procurement-officer@test.nl")
            #expect(try await browser.post("/ontwerpen/achterhoek-2026/bewerken", form: ["name": "x"]).status == .conflict)
        }
    }
}

/// A signed-in procurement officer who has just copied the region's design; returns the edit page's path.
func officerEditingADraft(_ app: Application) async throws -> (Browser, String) {
    try await makeUser(app, .procurementOfficer)
    let browser = Browser(app)
    _ = try await browser.login("procurement-officer@test.nl")
    let editPath = try #require(try await browser.post("/ontwerpen/achterhoek-2026/kopie", form: [:]).headers.first(name: .location))
    return (browser, editPath)
}

/// The name/value pairs a browser would submit from the page's form.
func formFields(_ html: String) -> [String: String] {
    func capture(_ pattern: String, in text: String) -> String? {
        guard let range = text.range(of: pattern, options: .regularExpression) else { return nil }
        let match = String(text[range])
        guard let open = match.firstIndex(of: "\"") else { return nil }
        return String(match[match.index(after: open)...].dropLast())
    }
    var fields: [String: String] = [:]
    var rest = html[...]
    while let start = rest.range(of: "<input ") {
        let end = rest[start.upperBound...].firstIndex(of: ">") ?? rest.endIndex
        let tag = String(rest[start.lowerBound..<end])
        rest = rest[end...]
        guard let name = capture(#"name="[^"]*""#, in: tag), let type = capture(#"type="[^"]*""#, in: tag),
              ["text", "number", "checkbox"].contains(type) else { continue }
        let value = (capture(#"value="[^"]*""#, in: tag) ?? "")
            .replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
        if type == "checkbox" {
            if tag.contains(" checked") { fields[name] = value }
        } else {
            fields[name] = value
        }
    }
    return fields
}
