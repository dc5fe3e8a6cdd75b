import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import ZorginkoopCore

/// The declaration (JW323/WMO323) and its answer (JW325/WMO325) of iJw/iWmo 3.2.
public enum DeclarationMessage {
    /// Reads a JW323 or WMO323 message (which, its namespace says). Throws `MessageProblems`
    /// naming each element that breaks the schema.
    public static func read(_ data: Data) throws(MessageProblems) -> Declaration {
        var problems: [Problem] = []
        guard let root = StrictElement.root(of: data, problems: &problems) else { throw MessageProblems(problems: problems) }
        guard let law = CareLaw.allCases.first(where: { root.uri == IStandaard.message($0, "323") }), root.localName == "Bericht" else {
            throw MessageProblems(problems: [Problem(root.localName ?? "", "dit is geen JW323- of WMO323-bericht (iJw/iWmo 3.2): naamruimte '\(root.uri ?? "geen")'")])
        }
        let bericht = StrictElement(element: root, path: "Bericht", messageNamespace: IStandaard.message(law, "323"), baseNamespace: IStandaard.base(law))
        var v = ValueReader()
        let top = bericht.children([.init("Header"), .init("Declaratie")], &v.problems)
        let header = top["Header"]?.first?.children([
            .init("BerichtCode"), .init("BerichtVersie"), .init("BerichtSubversie"), .init("Afzender"), .init("Ontvanger"),
            .init("BerichtIdentificatie"), .init("XsdVersie"),
        ], &v.problems) ?? [:]
        _ = v.string(header["BerichtCode"]?.first, maxLength: 3, pattern: { $0 == law.declarationMessageCode }, what: "berichtcode (\(law.declarationMessageCode))")
        _ = v.string(header["BerichtVersie"]?.first, maxLength: 1, pattern: { $0 == "3" }, what: "berichtversie (3)")
        _ = v.string(header["BerichtSubversie"]?.first, maxLength: 1, pattern: { $0 == "2" }, what: "berichtsubversie (2)")
        let provider = v.digits(header["Afzender"]?.first, count: 8, what: "AGB-code van de afzender")
        let municipality = v.digits(header["Ontvanger"]?.first, count: 4, what: "gemeentecode van de ontvanger")
        let identification = header["BerichtIdentificatie"]?.first?.children([.init("Identificatie", .base), .init("Dagtekening", .base)], &v.problems) ?? [:]
        let messageId = v.string(identification["Identificatie"]?.first, maxLength: 12, what: "berichtidentificatie")
        let messageDate = v.date(identification["Dagtekening"]?.first)
        readXsdVersion(header["XsdVersie"]?.first, &v)

        let declaratie = top["Declaratie"]?.first?.children([
            .init("DeclaratieNummer"), .init("DeclaratiePeriode"), .init("DeclaratieDagtekening"), .init("TotaalIngediendBedrag"), .init("Clienten"),
        ], &v.problems) ?? [:]
        let number = v.string(declaratie["DeclaratieNummer"]?.first, maxLength: 12,
                              pattern: { $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } }, what: "declaratienummer")
        let period = readPeriod(declaratie["DeclaratiePeriode"]?.first, &v)
        let date = v.date(declaratie["DeclaratieDagtekening"]?.first)
        let total = declaratie["TotaalIngediendBedrag"]?.first?.children([.init("TotaalBedrag", .base), .init("DebetCredit", .base)], &v.problems) ?? [:]
        let totalCents = v.integer(total["TotaalBedrag"]?.first, max: 999_999_999_999, what: "totaalbedrag")
        let totalDirection = v.choice(total["DebetCredit"]?.first, DebitCredit.self, what: "debet/credit (D of C)")

        var lines: [DeclarationLine] = []
        let clients = declaratie["Clienten"]?.first?.children([.init("Client", repeated: true)], &v.problems)["Client"] ?? []
        for client in clients {
            let c = client.children([.init("Bsn"), .init("Prestaties")], &v.problems)
            let bsn = v.digits(c["Bsn"]?.first, count: 9, what: "BSN (negen cijfers)")
            let prestaties = c["Prestaties"]?.first?.children([.init("Prestatie", repeated: true)], &v.problems)["Prestatie"] ?? []
            for p in prestaties {
                if let line = readLine(p, client: bsn, law: law, &v) { lines.append(line) }
            }
        }
        guard v.problems.isEmpty, let messageDate, let period, let date, let totalDirection else { throw MessageProblems(problems: v.problems) }
        return Declaration(law: law, messageId: messageId, messageDate: messageDate, provider: provider, municipality: municipality, number: number,
                           period: period, date: date, total: Money(cents: totalCents), totalDirection: totalDirection, lines: lines)
    }

    private static func readXsdVersion(_ e: StrictElement?, _ v: inout ValueReader) {
        let versions = e?.children([.init("BasisschemaXsdVersie", .base), .init("BerichtXsdVersie", .base)], &v.problems) ?? [:]
        for name in ["BasisschemaXsdVersie", "BerichtXsdVersie"] {
            _ = v.string(versions[name]?.first, maxLength: 20, pattern: isVersion, what: "versie (zoals 1.0.0)")
        }
    }

    private static func isVersion(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 3 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) && ($0 == "0" || !$0.hasPrefix("0")) }
    }

    private static func readPeriod(_ e: StrictElement?, _ v: inout ValueReader) -> DatePeriod? {
        guard let e else { return nil }
        let p = e.children([.init("Begindatum", .base), .init("Einddatum", .base)], &v.problems)
        guard let begin = v.date(p["Begindatum"]?.first), let end = v.date(p["Einddatum"]?.first) else { return nil }
        return DatePeriod(begin, end)
    }

    private static func readLine(_ p: StrictElement, client: String, law: CareLaw, _ v: inout ValueReader) -> DeclarationLine? {
        let f = p.children([
            .init("ProductReferentie"), .init("ToewijzingNummer"), .init("ProductCategorie"), .init("ProductCode"), .init("ProductPeriode"),
            .init("GeleverdVolume"), .init("Eenheid"), .init("ProductTarief", optional: true), .init("IngediendBedrag"),
        ], &v.problems)
        let reference = f["ProductReferentie"]?.first?.children([.init("ReferentieNummer", .base), .init("VorigReferentieNummer", .base, optional: true)],
                                                              &v.problems) ?? [:]
        let number = v.string(reference["ReferentieNummer"]?.first, maxLength: 20, what: "referentienummer")
        let previous = reference["VorigReferentieNummer"]?.first.map { v.string($0, maxLength: 20, what: "vorig referentienummer") }
        let allocation = v.integer(f["ToewijzingNummer"]?.first, max: 999_999_999, what: "toewijzingnummer")
        let categories = IStandaard.productCategories(law)
        let category = v.string(f["ProductCategorie"]?.first, maxLength: 2, pattern: categories.contains,
                                what: "productcategorie van de \(law == .jeugdwet ? "iJw" : "iWmo")")
        let code = v.string(f["ProductCode"]?.first, maxLength: 5, what: "productcode")
        let period = readPeriod(f["ProductPeriode"]?.first, &v)
        let volume = v.integer(f["GeleverdVolume"]?.first, max: 99_999_999, what: "geleverd volume")
        let unit = v.choice(f["Eenheid"]?.first, ProductUnit.self, what: "eenheid (01, 04, 14, 16, 82, 83 of 84)")
        let tariff = f["ProductTarief"]?.first.map { v.integer($0, max: 99_999_999, what: "producttarief") }
        let amount = f["IngediendBedrag"]?.first?.children([.init("Bedrag", .base), .init("DebetCredit", .base)], &v.problems) ?? [:]
        let cents = v.integer(amount["Bedrag"]?.first, max: 99_999_999, what: "bedrag")
        let direction = v.choice(amount["DebetCredit"]?.first, DebitCredit.self, what: "debet/credit (D of C)")
        guard let period, let unit, let direction else { return nil }
        return DeclarationLine(reference: number, previousReference: previous, client: client, allocation: String(allocation), category: category,
                               code: code, period: period, volume: volume, unit: unit, tariff: tariff.map { Money(cents: $0) },
                               amount: Money(cents: cents), direction: direction)
    }

    // MARK: - Writing a declaration

    /// The declaration as a JW323/WMO323 message, valid against its schema: what a provider's system
    /// sends. The demo and the tests send their declarations through the same reader with it.
    public static func write(_ declaration: Declaration) -> Data {
        let law = declaration.law
        let m = IStandaard.messagePrefix(law, "323"), b = IStandaard.basePrefix(law)
        func el(_ name: String, _ children: [XMLElement]) -> XMLElement {
            let e = XMLElement(name: name)
            children.forEach(e.addChild)
            return e
        }
        func leaf(_ name: String, _ value: String) -> XMLElement { XMLElement(name: name, stringValue: value) }
        func period(_ name: String, _ p: DatePeriod) -> XMLElement {
            el("\(m):\(name)", [leaf("\(b):Begindatum", p.begin.description), leaf("\(b):Einddatum", p.end.description)])
        }
        let root = XMLElement(name: "\(m):Bericht")
        root.addNamespace(XMLNode.namespace(withName: b, stringValue: IStandaard.base(law)) as! XMLNode)
        root.addNamespace(XMLNode.namespace(withName: m, stringValue: IStandaard.message(law, "323")) as! XMLNode)
        root.addChild(el("\(m):Header", [
            leaf("\(m):BerichtCode", law.declarationMessageCode), leaf("\(m):BerichtVersie", "3"), leaf("\(m):BerichtSubversie", "2"),
            leaf("\(m):Afzender", declaration.provider), leaf("\(m):Ontvanger", declaration.municipality),
            el("\(m):BerichtIdentificatie", [leaf("\(b):Identificatie", declaration.messageId), leaf("\(b):Dagtekening", declaration.messageDate.description)]),
            el("\(m):XsdVersie", [leaf("\(b):BasisschemaXsdVersie", "1.0.0"), leaf("\(b):BerichtXsdVersie", "1.0.0")]),
        ]))
        var clients: [(bsn: String, lines: [XMLElement])] = []
        for line in declaration.lines {
            var reference = [leaf("\(b):ReferentieNummer", line.reference)]
            if let previous = line.previousReference { reference.append(leaf("\(b):VorigReferentieNummer", previous)) }
            var fields: [XMLElement] = [
                el("\(m):ProductReferentie", reference), leaf("\(m):ToewijzingNummer", line.allocation),
                leaf("\(m):ProductCategorie", line.category), leaf("\(m):ProductCode", line.code), period("ProductPeriode", line.period),
                leaf("\(m):GeleverdVolume", String(line.volume)), leaf("\(m):Eenheid", line.unit.rawValue),
            ]
            if let tariff = line.tariff { fields.append(leaf("\(m):ProductTarief", String(tariff.cents))) }
            fields.append(el("\(m):IngediendBedrag", [leaf("\(b):Bedrag", String(line.amount.cents)), leaf("\(b):DebetCredit", line.direction.rawValue)]))
            let prestatie = el("\(m):Prestatie", fields)
            if let i = clients.firstIndex(where: { $0.bsn == line.client }) { clients[i].lines.append(prestatie) } else { clients.append((line.client, [prestatie])) }
        }
        let total = declaration.lines.reduce(Money.zero) { $0 + $1.signedAmount }
        root.addChild(el("\(m):Declaratie", [
            leaf("\(m):DeclaratieNummer", declaration.number), period("DeclaratiePeriode", declaration.period),
            leaf("\(m):DeclaratieDagtekening", declaration.date.description),
            el("\(m):TotaalIngediendBedrag", [leaf("\(b):TotaalBedrag", String(abs(total.cents))), leaf("\(b):DebetCredit", total.cents < 0 ? "C" : "D")]),
            el("\(m):Clienten", clients.map { el("\(m):Client", [leaf("\(m):Bsn", $0.bsn), el("\(m):Prestaties", $0.lines)]) }),
        ]))
        let document = XMLDocument(rootElement: root)
        document.version = "1.0"
        document.characterEncoding = "UTF-8"
        return document.xmlData(options: [.nodePrettyPrint])
    }

    // MARK: - The answer

    /// Who answers, and when: the municipality's own message identification.
    public struct AnswerHeader: Sendable {
        public var messageId: String
        public var date: CalendarDate

        public init(messageId: String, date: CalendarDate) {
            self.messageId = messageId
            self.date = date
        }
    }

    /// The JW325/WMO325 answer: the rejected lines with their return codes, grouped per client,
    /// and the totals declared and approved. A message with every line approved answers 8001.
    public static func answer(to declaration: Declaration, verdicts: [LineVerdict], header: AnswerHeader) -> Data {
        let law = declaration.law
        let m = IStandaard.messagePrefix(law, "325"), b = IStandaard.basePrefix(law)
        func el(_ name: String, _ children: [XMLElement]) -> XMLElement {
            let e = XMLElement(name: name)
            children.forEach(e.addChild)
            return e
        }
        func leaf(_ name: String, _ value: String) -> XMLElement { XMLElement(name: name, stringValue: value) }
        func codes(_ values: [String]) -> XMLElement { el("\(m):RetourCodes", values.map { leaf("\(m):RetourCode", $0) }) }
        func total(_ name: String, _ money: Money) -> XMLElement {
            el("\(m):\(name)", [leaf("\(b):TotaalBedrag", String(abs(money.cents))), leaf("\(b):DebetCredit", money.cents < 0 ? "C" : "D")])
        }

        let root = XMLElement(name: "\(m):Bericht")
        root.addNamespace(XMLNode.namespace(withName: b, stringValue: IStandaard.base(law)) as! XMLNode)
        root.addNamespace(XMLNode.namespace(withName: m, stringValue: IStandaard.message(law, "325")) as! XMLNode)
        let version = [leaf("\(b):BasisschemaXsdVersie", "1.0.0"), leaf("\(b):BerichtXsdVersie", "1.0.0")]
        root.addChild(el("\(m):Header", [
            leaf("\(m):BerichtCode", law.answerMessageCode), leaf("\(m):BerichtVersie", "3"), leaf("\(m):BerichtSubversie", "2"),
            leaf("\(m):Afzender", declaration.municipality), leaf("\(m):Ontvanger", declaration.provider),
            el("\(m):BerichtIdentificatie", [leaf("\(b):Identificatie", header.messageId), leaf("\(b):Dagtekening", header.date.description)]),
            el("\(m):XsdVersie", version.map { $0.copy() as! XMLElement }),
            el("\(m):DeclaratieIdentificatie", [leaf("\(b):Identificatie", declaration.messageId),
                                               leaf("\(b):Dagtekening", declaration.messageDate.description)]),
            el("\(m):XsdVersieDeclaratie", version),
            codes(["0200"]),
        ]))

        let declared = declaration.lines.reduce(Money.zero) { $0 + $1.signedAmount }
        let approved = zip(declaration.lines, verdicts).filter { $0.1.approved }.reduce(Money.zero) { $0 + $1.0.signedAmount }
        var answer: [XMLElement] = [leaf("\(m):DeclaratieNummer", declaration.number), total("TotaalIngediendBedrag", declared),
                                    total("TotaalToegekendBedrag", approved)]
        var clients: [(bsn: String, lines: [XMLElement])] = []
        for (line, verdict) in zip(declaration.lines, verdicts) where !verdict.approved {
            var reference = [leaf("\(b):ReferentieNummer", line.reference)]
            if let previous = line.previousReference { reference.append(leaf("\(b):VorigReferentieNummer", previous)) }
            var fields: [XMLElement] = [
                el("\(m):ProductReferentie", reference), leaf("\(m):ToewijzingNummer", line.allocation),
                leaf("\(m):ProductCategorie", line.category), leaf("\(m):ProductCode", line.code),
                el("\(m):ProductPeriode", [leaf("\(b):Begindatum", line.period.begin.description), leaf("\(b):Einddatum", line.period.end.description)]),
                leaf("\(m):GeleverdVolume", String(line.volume)), leaf("\(m):Eenheid", line.unit.rawValue),
            ]
            if let tariff = line.tariff { fields.append(leaf("\(m):ProductTarief", String(tariff.cents))) }
            fields.append(el("\(m):IngediendBedrag", [leaf("\(b):Bedrag", String(line.amount.cents)), leaf("\(b):DebetCredit", line.direction.rawValue)]))
            fields.append(codes(verdict.returnCodes))
            let prestatie = el("\(m):Prestatie", fields)
            if let i = clients.firstIndex(where: { $0.bsn == line.client }) { clients[i].lines.append(prestatie) } else { clients.append((line.client, [prestatie])) }
        }
        if !clients.isEmpty {
            answer.append(el("\(m):Clienten", clients.map { client in
                el("\(m):Client", [leaf("\(m):Bsn", client.bsn), el("\(m):Prestaties", client.lines), codes(["0200"])])
            }))
        }
        answer.append(codes([clients.isEmpty ? "8001" : "0200"]))
        root.addChild(el("\(m):DeclaratieAntwoord", answer))
        let document = XMLDocument(rootElement: root)
        document.version = "1.0"
        document.characterEncoding = "UTF-8"
        return document.xmlData(options: [.nodePrettyPrint])
    }
}
