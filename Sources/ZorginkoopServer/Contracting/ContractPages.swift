import Foundation
import ZorginkoopCore
import ZorginkoopInterop

/// Names for the codes a contract carries, from the region's design.
struct ContractNames: Sendable {
    var municipalities: [String: String]
    var segments: [String: String]
    var subSegments: [String: String]

    init(_ design: Design) {
        municipalities = Dictionary(design.region.municipalities.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        segments = Dictionary(design.segments.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        subSegments = Dictionary(design.segments.flatMap(\.subSegments).map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
    }

    func municipality(_ code: String) -> String { municipalities[code] ?? code }
    func segment(_ code: String) -> String { segments[code] ?? code }
    func subSegment(_ code: String) -> String { subSegments[code] ?? code }
}

extension ContractFilter {
    /// The filter from a query string, the same keys for the page and the API; a value that is not
    /// a status or a date is a problem named by its key, not an empty list.
    static func parse(_ query: [String: String]) throws(ProblemList) -> ContractFilter {
        func value(_ key: String) -> String? {
            guard let v = query[key]?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
            return v
        }
        var problems: [Problem] = []
        var filter = ContractFilter()
        filter.municipality = value("municipality")
        filter.segment = value("segment")
        filter.subSegment = value("subSegment")
        filter.tender = value("tender")
        if let provider = value("provider") {
            if let id = UUID(uuidString: provider) { filter.organisation = id } else {
                problems.append(Problem("provider", "'\(provider)' is geen organisatie-id"))
            }
        }
        if let status = value("status") {
            if let s = ContractStatus(rawValue: status) { filter.status = s } else {
                problems.append(Problem("status", "'\(status)' is geen status; kies uit " + ContractStatus.allCases.map(\.rawValue).joined(separator: ", ")))
            }
        }
        if let end = value("endsBy") {
            if let day = CalendarDate(entered: end) { filter.endsBy = day } else {
                problems.append(Problem("endsBy", "'\(end)' is geen datum (dd-mm-jjjj of jjjj-mm-dd)"))
            }
        }
        guard problems.isEmpty else { throw ProblemList(problems: problems) }
        return filter
    }

    var queryItems: [String: String] {
        var items: [String: String] = [:]
        items["municipality"] = municipality
        items["segment"] = segment
        items["subSegment"] = subSegment
        items["tender"] = tender
        items["provider"] = organisation?.uuidString
        items["status"] = status?.rawValue
        items["endsBy"] = endsBy?.description
        return items
    }
}

/// One contract as the register lists it: the same facts on the page, in the exports and (as
/// codes) in the API.
struct ContractRegisterRow: Encodable, Sendable {
    struct MunicipalRow: Encodable, Sendable {
        var code: String
        var name: String
        var end: String
        var extensionsUsed: Int
        var extensionsLeft: Int
        var noticeDate: String
    }

    var number: String
    var href: String
    var title: String
    var segment: String
    var source: String
    var lead: String
    var members: String
    var subcontractors: String
    var subSegments: String
    var start: String
    var maxEnd: String
    var status: String
    var startGate: String
    var mayStart: Bool
    var overdue: Bool
    var municipalities: [MunicipalRow]
    /// One line for the register: all municipalities on one end date, or each with its own.
    var endsSummary: String
    var extensionsSummary: String

    init(_ c: RegisteredContract, on day: CalendarDate, names: ContractNames, notice: NoticePolicy = NoticePolicy()) {
        number = c.number
        href = AppURL.contract(c.number).path
        title = c.title
        segment = names.segment(c.segment)
        source = c.source.dutch
        lead = c.lead?.name ?? "–"
        members = c.parties.filter { $0.role == .member }.map(\.name).joined(separator: ", ")
        subcontractors = c.parties.filter { $0.role == .subcontractor }.map(\.name).joined(separator: ", ")
        subSegments = c.subSegments.map(names.subSegment).joined(separator: ", ")
        start = c.start.dutch
        maxEnd = c.term.maxEnd.dutch
        status = c.status(on: day, notice: notice).dutch
        let gate = c.startGate(on: day)
        startGate = gate.dutch
        mayStart = gate.allowsDelivery
        if case .overdue = gate { overdue = true } else { overdue = false }
        municipalities = c.terms.map { t in
            MunicipalRow(code: t.municipality, name: names.municipality(t.municipality), end: t.end.dutch, extensionsUsed: t.extensionsUsed,
                         extensionsLeft: c.extensionsLeft(t.municipality), noticeDate: notice.noticeDate(forEnd: t.end).dutch)
        }
        let ends = Set(c.terms.map(\.end))
        endsSummary = ends.count <= 1 ? (ends.first?.dutch ?? "–") : municipalities.map { "\($0.name) \($0.end)" }.joined(separator: "; ")
        let used = Set(municipalities.map { "\($0.extensionsUsed)/\($0.extensionsLeft)" })
        extensionsSummary = used.count <= 1
            ? municipalities.first.map { "\($0.extensionsUsed) gebruikt, \($0.extensionsLeft) over" } ?? "–"
            : municipalities.map { "\($0.name): \($0.extensionsUsed) gebruikt, \($0.extensionsLeft) over" }.joined(separator: "; ")
    }
}

/// The register page: the filter form with its choices, and the rows it admits.
struct ContractRegisterPage: Encodable, Sendable {
    struct Choice: Encodable, Sendable {
        var value: String
        var label: String
        var selected: Bool
    }

    var rows: [ContractRegisterRow]
    var municipalities: [Choice]
    var segments: [Choice]
    var statuses: [Choice]
    var endsBy: String
    var csvHref: String
    var xlsxHref: String
    var newHref: String?
    var canCreate: Bool
    var total: Int

    init(_ contracts: [RegisteredContract], filter: ContractFilter, on day: CalendarDate, design: Design, canCreate: Bool) {
        let notice = filter.notice
        let names = ContractNames(design)
        rows = contracts.map { ContractRegisterRow($0, on: day, names: names, notice: notice) }
        total = rows.count
        municipalities = [Choice(value: "", label: "Alle gemeenten", selected: filter.municipality == nil)]
            + design.region.municipalities.map { Choice(value: $0.code, label: $0.name, selected: filter.municipality == $0.code) }
        segments = [Choice(value: "", label: "Alle segmenten", selected: filter.segment == nil)]
            + design.segments.map { Choice(value: $0.code, label: $0.name, selected: filter.segment == $0.code) }
        statuses = [Choice(value: "", label: "Alle statussen", selected: filter.status == nil)]
            + ContractStatus.allCases.map { Choice(value: $0.rawValue, label: $0.dutch, selected: filter.status == $0) }
        endsBy = filter.endsBy?.description ?? ""
        let query = Self.query(filter.queryItems)
        csvHref = AppURL.contractsCSV.path + query
        xlsxHref = AppURL.contractsXLSX.path + query
        self.canCreate = canCreate
        newHref = canCreate ? AppURL.contractNew.path : nil
    }

    static func query(_ items: [String: String]) -> String {
        guard !items.isEmpty else { return "" }
        var components = URLComponents()
        components.queryItems = items.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        return "?" + (components.percentEncodedQuery ?? "")
    }
}

/// The page of one contract: its facts, its terms per municipality, capacity, start proofs and history.
struct ContractPage: Encodable, Sendable {
    struct Party: Encodable, Sendable {
        var role: String
        var name: String
        var kvk: String
    }

    struct Proof: Encodable, Sendable {
        var requirement: String
        var name: String
        var due: String
        var state: String
        var open: Bool
        var action: String
    }

    struct CapacityRow: Encodable, Sendable {
        var subSegment: String
        var places: [String]
        var total: Int
    }

    struct Event: Encodable, Sendable {
        var when: String
        var kind: String
        var municipality: String
        var by: String
        var summary: String
        var reason: String
    }

    var row: ContractRegisterRow
    var tender: String
    var parties: [Party]
    var proofs: [Proof]
    var capacityMunicipalities: [String]
    var capacity: [CapacityRow]
    var events: [Event]
    var canManage: Bool
    var registerHref: String
    var term: String
    var requests: [Request]
    var canRequest: Bool
    var requestAction: String
    var capacityAction: String
    var municipalitiesAction: String
    var regionChoices: [ContractRegisterPage.Choice]
    var subSegmentChoices: [ContractRegisterPage.Choice]
    var municipalityChoices: [ContractRegisterPage.Choice]
    var form: [String: String]
    var errors: [String: String]

    struct Request: Encodable, Sendable {
        var number: Int
        var kind: String
        var name: String
        var kvk: String
        var reason: String
        var requested: String
        var state: String
        var decision: String
        var pending: Bool
        var action: String
    }

    init(_ stored: StoredContract, on day: CalendarDate, design: Design, canManage: Bool, notice: NoticePolicy = NoticePolicy(), requests: [SubcontractorRequest] = [],
         canRequest: Bool = false, form: PostedForm = PostedForm(values: [:]), errors: FieldErrors = FieldErrors()) {
        let c = stored.contract
        let names = ContractNames(design)
        row = ContractRegisterRow(c, on: day, names: names, notice: notice)
        tender = c.source == .privateTender ? "\(c.tender) (onderhandse aanbesteding)" : c.tender
        parties = c.parties.map { Party(role: $0.role.dutch, name: $0.name, kvk: $0.kvkNumber ?? "–") }
        proofs = c.proofs.map { p in
            Proof(requirement: p.requirement, name: p.name, due: p.due.dutch,
                  state: p.acceptedOn.map { "geaccepteerd op \($0.dutch)" + (p.acceptedBy.map { " door \($0)" } ?? "") }
                      ?? (day > p.due ? "open, termijn verstreken" : "open"),
                  open: p.isOpen, action: AppURL.contractProof(c.number, p.requirement).path)
        }
        let codes = c.municipalities
        capacityMunicipalities = codes.map(names.municipality)
        capacity = c.subSegments.map { sub in
            let places = c.capacity[sub] ?? [:]
            return CapacityRow(subSegment: names.subSegment(sub), places: codes.map { places[$0].map(String.init) ?? "–" },
                               total: places.filter { codes.contains($0.key) }.values.reduce(0, +))
        }
        events = stored.events.map { e in
            Event(when: Amsterdam.dutchDateTime(e.at), kind: e.kind.dutch, municipality: e.municipality.map(names.municipality) ?? "",
                  by: e.by, summary: e.summary, reason: e.reason)
        }
        self.canManage = canManage
        registerHref = AppURL.contracts.path
        term = "\(c.term.initialTermMonths) maanden (\(c.term.start.dutch) t/m \(c.term.initialEnd.dutch)), "
            + "\(c.term.maxExtensions) × \(c.term.extensionMonths) maanden verlenging, maximaal \(c.term.maxTotalMonths) maanden (uiterlijk \(c.term.maxEnd.dutch))"
        self.requests = requests.reversed().map { r in
            Request(number: r.number, kind: r.kind.dutch, name: r.name, kvk: r.kvkNumber, reason: r.reason,
                    requested: "\(r.requestedBy), \(Amsterdam.dutchDateTime(r.requestedAt))", state: r.state.dutch,
                    decision: r.decidedBy.map { by in "\(by), \(r.decidedAt.map(Amsterdam.dutchDateTime) ?? "")" + (r.decisionReason.isEmpty ? "" : ": \(r.decisionReason)") } ?? "",
                    pending: r.state == .pending, action: AppURL.contractSubcontractorDecision(c.number, r.number).path)
        }
        self.canRequest = canRequest
        requestAction = AppURL.contractSubcontractors(c.number).path
        capacityAction = AppURL.contractCapacity(c.number).path
        municipalitiesAction = AppURL.contractMunicipalities(c.number).path
        regionChoices = design.region.municipalities.map { ContractRegisterPage.Choice(value: $0.code, label: $0.name, selected: form["municipality"] == $0.code) }
        subSegmentChoices = c.subSegments.map { ContractRegisterPage.Choice(value: $0, label: names.subSegment($0), selected: form["subSegment"] == $0) }
        municipalityChoices = c.municipalities.map { ContractRegisterPage.Choice(value: $0, label: names.municipality($0), selected: form["municipality"] == $0) }
        self.form = form.values
        self.errors = Dictionary(errors.items.map { ($0.key, $0.message) }, uniquingKeysWith: { a, _ in a })
    }
}

/// A contract in the API: codes and ISO dates, its state on the day asked, so that payment can be
/// refused while the start gate is closed.
struct ContractJSON: Codable, Sendable {
    struct Term: Codable, Sendable {
        var municipality: String
        var end: String
        var extensionsUsed: Int
        var extensionsLeft: Int
        var noticeDate: String
    }

    struct Gate: Codable, Sendable {
        /// mayStart, mayNotStart or overdue.
        var state: String
        var mayDeliver: Bool
        var openProofs: [String]
    }

    var number: String
    var source: String
    var tender: String
    var segment: String
    var subSegments: [String]
    var title: String
    var parties: [ContractParty]
    var start: String
    var currentEnd: String
    var maximumEnd: String
    var maxExtensions: Int
    var extensionMonths: Int
    var status: String
    var startGate: Gate
    var municipalities: [Term]
    var capacity: [String: [String: Int]]
    var terminatedOn: String?

    init(_ c: RegisteredContract, on day: CalendarDate, notice: NoticePolicy = NoticePolicy()) {
        number = c.number
        source = c.source.rawValue
        tender = c.tender
        segment = c.segment
        subSegments = c.subSegments
        title = c.title
        parties = c.parties
        start = c.start.description
        currentEnd = c.currentEnd.description
        maximumEnd = c.term.maxEnd.description
        maxExtensions = c.term.maxExtensions
        extensionMonths = c.term.extensionMonths
        status = c.status(on: day, notice: notice).rawValue
        let gate = c.startGate(on: day)
        switch gate {
        case .mayStart: startGate = Gate(state: "mayStart", mayDeliver: true, openProofs: [])
        case let .mayNotStart(open): startGate = Gate(state: "mayNotStart", mayDeliver: false, openProofs: open.map(\.requirement))
        case let .overdue(open): startGate = Gate(state: "overdue", mayDeliver: false, openProofs: open.map(\.requirement))
        }
        municipalities = c.terms.map {
            Term(municipality: $0.municipality, end: $0.end.description, extensionsUsed: $0.extensionsUsed,
                 extensionsLeft: c.extensionsLeft($0.municipality), noticeDate: notice.noticeDate(forEnd: $0.end).description)
        }
        capacity = c.capacity
        terminatedOn = c.terminatedOn?.description
    }
}

/// The register and the public list as spreadsheets: one row per contract and municipality, so a
/// filter on a municipality or a sort on the end date works in Excel without splitting cells.
enum ContractRegisterSheet {
    static func sheet(_ contracts: [RegisteredContract], on day: CalendarDate, names: ContractNames, notice: NoticePolicy = NoticePolicy()) -> Sheet {
        var sheet = Sheet(name: "Contractregister", columns: [
            "nummer", "titel", "segment", "bron", "hoofdaannemer", "combinatieleden", "onderaannemers", "subsegmenten",
            "gemeente", "start", "huidige_einddatum", "verlengingen_gebruikt", "verlengingen_over", "opzegdatum",
            "maximale_einddatum", "status", "startvoorwaarde",
        ])
        for c in contracts {
            let parties = { (role: ContractParty.Role) in c.parties.filter { $0.role == role }.map(\.name).joined(separator: ", ") }
            let status = c.status(on: day, notice: notice).dutch
            let gate = c.startGate(on: day).dutch
            for t in c.terms {
                sheet.rows.append([
                    .text(c.number), .text(c.title), .text(names.segment(c.segment)), .text(c.source.dutch),
                    .text(c.lead?.name ?? ""), .text(parties(.member)), .text(parties(.subcontractor)),
                    .text(c.subSegments.map(names.subSegment).joined(separator: ", ")),
                    .text(names.municipality(t.municipality)), .date(c.start), .date(t.end), .integer(t.extensionsUsed),
                    .integer(c.extensionsLeft(t.municipality)), .date(notice.noticeDate(forEnd: t.end)),
                    .date(c.term.maxEnd), .text(status), .text(gate),
                ])
            }
        }
        return sheet
    }

    static func publicSheet(_ entries: [PublicRegisterEntry], names: ContractNames) -> Sheet {
        Sheet(name: "Gecontracteerde aanbieders", columns: ["segment", "gemeente", "aanbieder", "kvk_nummer", "rol", "subsegmenten", "van", "tot_en_met"],
              rows: entries.map { e in
                  [.text(names.segment(e.segment)), .text(names.municipality(e.municipality)), .text(e.provider), .text(e.kvkNumber ?? ""),
                   .text(e.role.dutch), .text(e.subSegments.map(names.subSegment).joined(separator: ", ")), .date(e.start), .date(e.end)]
              })
    }
}
