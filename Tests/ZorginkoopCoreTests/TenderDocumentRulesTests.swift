import Foundation
import Testing
@testable import ZorginkoopCore

/// A minimal ZIP local file header naming `entry`, as an Office file starts.
func zipStart(_ entry: String) -> [UInt8] {
    let name = Array(entry.utf8)
    var bytes: [UInt8] = [0x50, 0x4B, 0x03, 0x04, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    bytes += [4, 0, 0, 0, 4, 0, 0, 0]  // compressed and uncompressed size: 4
    bytes += [UInt8(name.count), 0, 0, 0] + name + Array("data".utf8)
    return bytes
}

@Suite("Tender documents: types, sizes, titles, versions and corrections")
struct TenderDocumentRulesTests {
    let pdf = Array("%PDF-1.7\n1 0 obj".utf8)

    @Test("Only PDF, DOCX and XLSX are allowed, by extension and content together")
    func typeByExtensionAndContent() {
        #expect(TenderDocumentRules.kind(filename: "Selectieleidraad.pdf", prefix: pdf) == .success(.pdf))
        #expect(TenderDocumentRules.kind(filename: "PvE.DOCX", prefix: zipStart("word/document.xml")) == .success(.docx))
        #expect(TenderDocumentRules.kind(filename: "tarieven.xlsx", prefix: zipStart("xl/workbook.xml")) == .success(.xlsx))
        // A ZIP whose entries cannot be read still counts by its extension.
        #expect(TenderDocumentRules.kind(filename: "tarieven.xlsx", prefix: zipStart("[Content_Types].xml")) == .success(.xlsx))
        // A text file named .pdf, a program, a Word file named .xlsx, an ODT: refused.
        #expect(TenderDocumentRules.kind(filename: "nep.pdf", prefix: Array("gewoon tekst".utf8))
                == .failure(.contentDoesNotMatch(filename: "nep.pdf", expected: .pdf)))
        #expect(TenderDocumentRules.kind(filename: "setup.exe", prefix: [0x4D, 0x5A, 0x90, 0]) == .failure(.extensionNotAllowed(filename: "setup.exe")))
        #expect(TenderDocumentRules.kind(filename: "pve.xlsx", prefix: zipStart("word/document.xml"))
                == .failure(.contentDoesNotMatch(filename: "pve.xlsx", expected: .xlsx)))
        #expect(TenderDocumentRules.kind(filename: "pve.docx", prefix: pdf) == .failure(.contentDoesNotMatch(filename: "pve.docx", expected: .docx)))
        #expect(TenderDocumentRules.kind(filename: "brief.odt", prefix: zipStart("mimetype")) == .failure(.extensionNotAllowed(filename: "brief.odt")))
        #expect(TenderDocumentRules.kind(filename: "pdf", prefix: pdf) == .failure(.extensionNotAllowed(filename: "pdf")))
        #expect(TenderDocumentError.contentDoesNotMatch(filename: "nep.pdf", expected: .pdf).description
                == "‘nep.pdf’ is geen echt PDF-bestand (het type wordt aan de inhoud herkend, niet alleen aan de naam)")
    }

    @Test("A document may be at most 50 MB, and a file name is a name")
    func sizeAndName() {
        #expect(TenderDocumentRules.checkSize(50 * 1024 * 1024, filename: "a.pdf") == nil)
        #expect(TenderDocumentRules.checkSize(50 * 1024 * 1024 + 1, filename: "a.pdf") == .tooLarge(filename: "a.pdf", limit: 50 * 1024 * 1024))
        #expect(TenderDocumentError.tooLarge(filename: "a.pdf", limit: TenderDocumentRules.maximumSize).description == "‘a.pdf’ is groter dan 50 MB")
        #expect(TenderDocumentRules.expectedKind(filename: "  ") == .failure(.badFilename))
        #expect(TenderDocumentRules.expectedKind(filename: "a\u{202E}fdp.exe.pdf") == .failure(.badFilename))
    }

    @Test("A title is required, trimmed, at most 200 characters and without control characters")
    func titleRule() {
        #expect(TenderDocumentRules.title("  Selectieleidraad  ") == .success("Selectieleidraad"))
        #expect(TenderDocumentRules.title(" \n ") == .failure(.missingTitle))
        #expect(TenderDocumentRules.title(String(repeating: "x", count: 201)) == .failure(.titleTooLong(limit: 200)))
        guard case .failure(.titleCharacter) = TenderDocumentRules.title("Leidraad\u{0}") else { Issue.record("NUL accepted"); return }
        #expect(TenderDocumentRules.kind("draft-contract") == .success(.draftContract))
        #expect(TenderDocumentRules.kind("bestek") == .failure(.unknownKind("bestek")))
        #expect(TenderDocumentKind.allCases.map(\.dutchName) == ["Selectieleidraad", "Programma van eisen", "Concept-overeenkomst", "Bijlage"])
    }

    @Test("Before publication new versions are free: numbered, no correction, no reason needed")
    func draftVersions() {
        #expect(TenderDocumentChange.plan(stage: .draft, versions: [], corrections: [], reason: "", confirmed: false)
                == .success(TenderDocumentChange(version: 1, correction: nil, reason: nil)))
        #expect(TenderDocumentChange.plan(stage: .draft, versions: [1, 2], corrections: [4], reason: "typo", confirmed: false)
                == .success(TenderDocumentChange(version: 3, correction: nil, reason: nil)))
    }

    @Test("After publication a replacement is a correction: it needs a reason and a confirmation, and takes the tender's next correction number")
    func correctionsAfterPublication() {
        #expect(TenderDocumentChange.plan(stage: .published, versions: [1], corrections: [], reason: "  ", confirmed: true) == .failure(.correctionWithoutReason))
        #expect(TenderDocumentChange.plan(stage: .published, versions: [1], corrections: [], reason: "Tabel 3 was onvolledig", confirmed: false)
                == .failure(.correctionNotConfirmed))
        #expect(TenderDocumentChange.plan(stage: .published, versions: [1], corrections: [], reason: " Tabel 3 was onvolledig ", confirmed: true)
                == .success(TenderDocumentChange(version: 2, correction: 1, reason: "Tabel 3 was onvolledig")))
        #expect(TenderDocumentChange.plan(stage: .published, versions: [1, 2], corrections: [1, 2], reason: "Bijlage erbij", confirmed: true)
                == .success(TenderDocumentChange(version: 3, correction: 3, reason: "Bijlage erbij")))
        #expect(TenderDocumentChange.plan(stage: .closed, versions: [1], corrections: [], reason: "Te laat", confirmed: true) == .failure(.closed))
        #expect(TenderDocumentError.correctionWithoutReason.description.contains("geef de reden"))
    }

    @Test("A question cites a document as nr. – titel (versie n)")
    func citation() {
        #expect(TenderDocumentCitation.label(number: 1, title: "Selectieleidraad", version: 2) == "1 – Selectieleidraad (versie 2)")
    }
}
