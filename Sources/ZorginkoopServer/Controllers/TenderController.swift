import Fluent
import Foundation
import Vapor
import ZorginkoopCore

/// Tenders: the officer's set-up and publication, and the tender page everyone reads.
struct TenderController {
    func boot(_ routes: RoutesBuilder) {
        routes.on(.GET, "aanbestedingen", permission: .viewTenders, use: list)
        routes.on(.GET, "aanbestedingen", "nieuw", permission: .manageTenders, use: newForm)
        routes.on(.POST, "aanbestedingen", "nieuw", permission: .manageTenders, use: create)
        routes.on(.GET, "aanbestedingen", ":code", permission: .viewTenders, use: show)
        routes.on(.GET, "aanbestedingen", ":code", "bewerken", permission: .manageTenders, use: editForm)
        routes.on(.POST, "aanbestedingen", ":code", "bewerken", permission: .manageTenders, use: save)
        routes.on(.POST, "aanbestedingen", ":code", "publiceren", permission: .manageTenders, use: publish)
    }

    struct Row: Encodable {
        var code: String
        var name: String
        var phase: String
        var deadline: String
        var href: String
    }

    func list(req: Request) async throws -> View {
        let user = try req.auth.require(AuthenticatedUser.self)
        let now = req.now
        let rows = try await TenderStore.all(for: user, at: req.now, on: req.db).map {
            Row(code: $0.code, name: $0.name, phase: $0.phase(at: now).dutchName,
                deadline: DutchTime.dateTime($0.timeline.submissionDeadline), href: AppURL.tender($0.code).path)
        }
        struct Data: Encodable { var tenders: [Row]; var canCreate: Bool; var newHref: String; var contactBanHref: String }
        return try await req.view.render("tenders", PageContext(req, title: "Aanbestedingen", data: Data(
            tenders: rows, canCreate: Policy.allows(user.role, .manageTenders), newHref: AppURL.tenderNew.path,
            contactBanHref: AppURL.contactBan.path)))
    }

    // MARK: The form

    struct Option: Encodable {
        var key: String
        var label: String
        var checked: Bool
    }

    struct SegmentNoGo: Encodable {
        var name: String
        var options: [Option]
    }

    struct FormData: Encodable {
        var action: String
        var isNew: Bool
        var published: Bool
        var designTenders: [Option]
        var name: String
        var subSegments: [Option]
        var noGo: [SegmentNoGo]
        var timeline: [DateField]
        var contractTerm: [DateField]
        var contractTermNote: String
        var explanation: String
        var errors: FieldErrors
        var nameError: String?
        var subSegmentsError: String?
        var noGoError: String?
        var explanationError: String?
    }

    struct DateField: Encodable {
        var key: String
        var label: String
        var value: String
        var hint: String?
        var error: String?
    }

    func newForm(req: Request) async throws -> Response {
        let region = try await DesignStore.region(on: req.db)
        let chosen = req.query[String.self, at: "aanbesteding"] ?? region.design.tenders.first?.code ?? ""
        let now = req.now
        let timeline = TenderTimeline(publication: now.addingTimeInterval(3600), questionDeadlines: [now.addingTimeInterval(14 * 86400)],
                                      submissionDeadline: now.addingTimeInterval(42 * 86400), opening: now.addingTimeInterval(42 * 86400 + 3600))
        let designTender = region.design.tenders.first { $0.code == chosen }
        let subSegments = designTender.map { TenderScope.availableSubSegments(of: $0, in: region.design).map(\.code) } ?? []
        let term = designTender.map { TenderContractTerm.proposed(from: $0.contractTerm, opening: timeline.opening) }
        return try await renderForm(req, design: region.design, designTender: chosen, isNew: true, published: false, name: designTender?.name ?? "",
                                    subSegments: subSegments, noGo: [], timeline: timeline, contractTerm: term.map(ContractTermFields.init) ?? .blank,
                                    explanation: "", errors: FieldErrors())
    }

    func renderForm(_ req: Request, design: Design, designTender: String, isNew: Bool, published: Bool, code: String? = nil, name: String,
                    subSegments: [String], noGo: [NoGo], timeline: TenderTimeline, contractTerm: ContractTermFields, explanation: String,
                    errors: FieldErrors, status: HTTPStatus = .ok) async throws -> Response {
        let tender = design.tenders.first { $0.code == designTender }
        let available = tender.map { TenderScope.availableSubSegments(of: $0, in: design) } ?? []
        let scope = TenderScope(design: design, tender: designTender, subSegments: available.map(\.code), noGo: [])
        func field(_ key: String, _ label: String, _ date: Date?, hint: String? = nil) -> DateField {
            DateField(key: key, label: label, value: date.map(DutchTime.inputValue) ?? "", hint: hint, error: errors[key])
        }
        var dates = [field("publication", "Publicatie", timeline.publication)]
        dates += (0..<3).map { i in
            field("question-\(i + 1)", "Sluiting vragenronde \(i + 1)", i < timeline.questionDeadlines.count ? timeline.questionDeadlines[i] : nil,
                  hint: i == 0 ? "Minstens één ronde." : "Leeg laten als er geen ronde \(i + 1) is.")
        }
        dates += [field("deadline", "Sluiting inschrijving", timeline.submissionDeadline, hint: "Een inschrijving moet vóór dit moment (servertijd) compleet zijn."),
                  field("opening", "Opening", timeline.opening)]
        let data = FormData(
            action: isNew ? AppURL.tenderNew.path : AppURL.tenderEdit(code!).path, isNew: isNew, published: published,
            designTenders: design.tenders.map { Option(key: $0.code, label: $0.name, checked: $0.code == designTender) },
            name: name,
            subSegments: available.map { Option(key: "sub-\($0.code)", label: "\($0.name) (\($0.code))", checked: subSegments.contains($0.code)) },
            noGo: scope.segments.map { segment in
                let out = Set(segment.nonParticipation.map(\.municipality))
                return SegmentNoGo(name: segment.name, options: design.region.municipalities.filter { !out.contains($0.code) }.map { m in
                    Option(key: "nogo-\(segment.code)-\(m.code)", label: m.name,
                           checked: noGo.contains { $0.segment == segment.code && $0.municipality == m.code })
                })
            },
            timeline: dates,
            contractTerm: [DateField(key: "contract-start", label: "Start van de overeenkomsten", value: contractTerm.start,
                                     hint: "Niet voor de gunning: minstens \(TenderContractTerm.minimumDaysAfterOpening) dagen na de opening.", error: errors["contract-start"]),
                           DateField(key: "contract-initial", label: "Initiële looptijd (maanden)", value: contractTerm.initialMonths, error: errors["contract-initial"]),
                           DateField(key: "contract-extension", label: "Duur van een verlenging (maanden)", value: contractTerm.extensionMonths, error: errors["contract-extension"]),
                           DateField(key: "contract-extensions", label: "Aantal verlengingen", value: contractTerm.extensions, error: errors["contract-extensions"])],
            contractTermNote: tender.map { "Voorgesteld uit de looptijdentabel van het ontwerp: \(TenderContractTerm.dutch($0.contractTerm)). De einddata volgen uit de start en de maanden." } ?? "",
            explanation: explanation, errors: errors, nameError: errors["name"],
            subSegmentsError: errors["subsegments"], noGoError: errors["nogo"], explanationError: errors["explanation"])
        let title = isNew ? "Nieuwe aanbesteding" : "Aanbesteding wijzigen"
        return try await req.view.render("tender-form", PageContext(req, title: title, data: data)).encodeResponse(status: status, for: req)
    }

    /// Reads the form into settings; field errors for anything unreadable.
    func settings(_ form: PostedForm, design: Design, designTender: String, errors: inout FieldErrors) -> TenderSettings {
        let tender = design.tenders.first { $0.code == designTender }
        let available = tender.map { TenderScope.availableSubSegments(of: $0, in: design) } ?? []
        let subSegments = available.map(\.code).filter { form.checked("sub-\($0)") }
        var noGo: [NoGo] = []
        for segment in design.segments {
            for m in design.region.municipalities where form.checked("nogo-\(segment.code)-\(m.code)") {
                noGo.append(NoGo(segment: segment.code, municipality: m.code))
            }
        }
        func date(_ key: String, _ label: String) -> Date? {
            guard let value = DutchTime.parseInput(form[key]) else {
                errors.add(key, "vul \(label) in als datum en tijd")
                return nil
            }
            return value
        }
        let publication = date("publication", "de publicatiedatum")
        var rounds: [Date] = []
        for i in 1...3 where !form.trimmed("question-\(i)").isEmpty {
            if let d = date("question-\(i)", "de sluiting van vragenronde \(i)") { rounds.append(d) }
        }
        let deadline = date("deadline", "de sluiting van de inschrijving")
        let opening = date("opening", "het moment van opening")
        let fallback = Date(timeIntervalSince1970: 0)
        return TenderSettings(name: form.trimmed("name"), subSegments: subSegments, noGo: noGo,
                              timeline: TenderTimeline(publication: publication ?? fallback, questionDeadlines: rounds,
                                                       submissionDeadline: deadline ?? fallback, opening: opening ?? fallback),
                              contractTerm: ContractTermFields(form).term(errors: &errors))
    }

    /// The contract term as the form shows and posts it: a date and three counts.
    struct ContractTermFields {
        var start: String
        var initialMonths: String
        var extensionMonths: String
        var extensions: String

        static let blank = ContractTermFields(start: "", initialMonths: "", extensionMonths: "", extensions: "")

        init(start: String, initialMonths: String, extensionMonths: String, extensions: String) {
            (self.start, self.initialMonths, self.extensionMonths, self.extensions) = (start, initialMonths, extensionMonths, extensions)
        }

        init(_ term: ContractTerm) {
            self.init(start: term.start.description, initialMonths: String(term.initialTermMonths),
                      extensionMonths: String(term.extensionMonths), extensions: String(term.maxExtensions))
        }

        init(_ form: PostedForm) {
            self.init(start: form.trimmed("contract-start"), initialMonths: form.trimmed("contract-initial"),
                      extensionMonths: form.trimmed("contract-extension"), extensions: form.trimmed("contract-extensions"))
        }

        /// The term, or nil when the form leaves all four empty (then the tender keeps or is proposed one).
        func term(errors: inout FieldErrors) -> ContractTerm? {
            if [start, initialMonths, extensionMonths, extensions].allSatisfy(\.isEmpty) { return nil }
            let day = CalendarDate(iso: start)
            if day == nil { errors.add("contract-start", "vul de startdatum in als datum") }
            func count(_ text: String, _ key: String, _ range: ClosedRange<Int>) -> Int? {
                guard let value = Int(text), range.contains(value) else {
                    errors.add(key, "vul een geheel aantal in van \(range.lowerBound) tot en met \(range.upperBound)")
                    return nil
                }
                return value
            }
            let initial = count(initialMonths, "contract-initial", 1...Design.maxTermMonths)
            let length = count(extensionMonths, "contract-extension", 0...Design.maxTermMonths)
            let number = count(extensions, "contract-extensions", 0...Design.maxExtensions)
            guard let day, let initial, let length, let number else { return nil }
            return ContractTerm(start: day, initialTermMonths: initial, extensionMonths: length, maxExtensions: number)
        }
    }

    static func fieldKey(_ path: String) -> String {
        switch path {
        case "timeline.publication": "publication"
        case "timeline.submissionDeadline": "deadline"
        case "timeline.opening": "opening"
        case "timeline.questionDeadlines": "question-1"
        case let p where p.hasPrefix("timeline.questionDeadlines["):
            "question-\((Int(p.dropFirst("timeline.questionDeadlines[".count).prefix { $0.isNumber }) ?? 0) + 1)"
        case let p where p.hasPrefix("subSegments"): "subsegments"
        case let p where p.hasPrefix("noGo"): "nogo"
        case "timeline": "deadline"
        case "contractTerm.start": "contract-start"
        case "contractTerm.initialTermMonths": "contract-initial"
        case "contractTerm.extensionMonths": "contract-extension"
        case "contractTerm.maxExtensions": "contract-extensions"
        default: path
        }
    }

    func create(req: Request) async throws -> Response {
        let form = try PostedForm(req)
        let region = try await DesignStore.region(on: req.db)
        let designTender = form["designTender"]
        var errors = FieldErrors()
        let settings = settings(form, design: region.design, designTender: designTender, errors: &errors)
        if errors.isEmpty {
            do {
                let tender = try await TenderStore.create(designTender: designTender, settings: settings, on: req)
                return req.redirect(to: AppURL.tender(tender.code).path)
            } catch let problems as ProblemList {
                for p in problems.problems { errors.add(Self.fieldKey(p.path), p.message) }
            }
        }
        return try await renderForm(req, design: region.design, designTender: designTender, isNew: true, published: false, name: settings.name,
                                    subSegments: settings.subSegments, noGo: settings.noGo, timeline: settings.timeline,
                                    contractTerm: ContractTermFields(form), explanation: "", errors: errors, status: .unprocessableEntity)
    }

    func editForm(req: Request) async throws -> Response {
        let user = req.auth.get(AuthenticatedUser.self)
        let tender = try await TenderStore.find(try req.parameters.require("code"), for: user, at: req.now, on: req.db)
        return try await renderForm(req, design: tender.scope.design, designTender: tender.scope.tender, isNew: false, published: tender.isPublished,
                                    code: tender.code, name: tender.name, subSegments: tender.scope.subSegments, noGo: tender.scope.noGo,
                                    timeline: tender.timeline, contractTerm: tender.scope.contractTerm.map(ContractTermFields.init) ?? .blank,
                                    explanation: "", errors: FieldErrors())
    }

    func save(req: Request) async throws -> Response {
        let user = req.auth.get(AuthenticatedUser.self)
        let tender = try await TenderStore.find(try req.parameters.require("code"), for: user, at: req.now, on: req.db)
        let form = try PostedForm(req)
        var errors = FieldErrors()
        var settings = settings(form, design: tender.scope.design, designTender: tender.scope.tender, errors: &errors)
        if tender.isPublished {
            // Frozen after publication: the form does not offer them, so keep them as they are.
            settings.name = tender.name
            settings.subSegments = tender.scope.subSegments
        }
        if errors.isEmpty {
            do {
                try await TenderStore.update(tender.code, settings: settings, explanation: form.trimmed("explanation"), on: req)
                return req.redirect(to: AppURL.tender(tender.code).path)
            } catch let problems as ProblemList {
                for p in problems.problems { errors.add(Self.fieldKey(p.path), p.message) }
            }
        }
        return try await renderForm(req, design: tender.scope.design, designTender: tender.scope.tender, isNew: false, published: tender.isPublished,
                                    code: tender.code, name: settings.name, subSegments: settings.subSegments, noGo: settings.noGo,
                                    timeline: settings.timeline, contractTerm: ContractTermFields(form), explanation: form["explanation"],
                                    errors: errors, status: .unprocessableEntity)
    }

    func publish(req: Request) async throws -> Response {
        let code = try req.parameters.require("code")
        let form = try PostedForm(req)
        guard form.checked("confirm") else {
            return try await show(req, error: "Vink aan dat u de aanbesteding wilt publiceren: daarna ligt het ontwerp vast.", status: .unprocessableEntity)
        }
        do {
            try await TenderStore.publish(code, on: req)
        } catch let problems as ProblemList {
            return try await show(req, error: problems.problems.map(\.message).joined(separator: "; "), status: .unprocessableEntity)
        }
        return req.redirect(to: AppURL.tender(code).path)
    }

    // MARK: The tender page

    struct Link: Encodable {
        var label: String
        var href: String
    }

    struct TimelineRow: Encodable {
        var label: String
        var at: String
    }

    struct CorrectionRow: Encodable {
        var number: Int
        var publishedAt: String
        var explanation: String
        var changes: [TenderStore.Change]
    }

    struct SubSegmentRow: Encodable {
        var code: String
        var name: String
        var segment: String
        var min: Int
        var max: Int
        var municipalities: String
    }

    struct ShowData: Encodable {
        var code: String
        var name: String
        var designTender: String
        var phase: String
        var isDraft: Bool
        var timeline: [TimelineRow]
        var subSegments: [SubSegmentRow]
        var corrections: [CorrectionRow]
        var notas: [Link]
        var actions: [Link]
        var canPublish: Bool
        var publishAction: String
        var error: String?
        var notice: String?
        var contactBanHref: String
        var documents: TenderDocumentsSection
    }

    func show(req: Request) async throws -> Response {
        try await show(req, error: nil, status: .ok)
    }

    func show(_ req: Request, error: String?, status: HTTPStatus, documentForm: TenderDocumentForm? = nil) async throws -> Response {
        let user = try req.auth.require(AuthenticatedUser.self)
        let tender = try await TenderStore.find(try req.parameters.require("code"), for: user, at: req.now, on: req.db)
        let now = req.now
        let phase = tender.phase(at: now)
        let t = tender.timeline
        var timeline = [TimelineRow(label: "Publicatie", at: DutchTime.dateTime(t.publication))]
        timeline += t.questionDeadlines.enumerated().map { TimelineRow(label: "Sluiting vragenronde \($0.offset + 1)", at: DutchTime.dateTime($0.element)) }
        timeline += [TimelineRow(label: "Sluiting inschrijving", at: DutchTime.dateTime(t.submissionDeadline)),
                     TimelineRow(label: "Opening", at: DutchTime.dateTime(t.opening))]
        let subSegments = tender.scope.segments.flatMap { segment in
            let covered = tender.scope.coveredMunicipalities(segment: segment.code).map(\.name).joined(separator: ", ")
            return segment.subSegments.filter { tender.scope.subSegments.contains($0.code) }.map {
                SubSegmentRow(code: $0.code, name: $0.name, segment: segment.name, min: $0.minProviders, max: $0.maxProviders, municipalities: covered)
            }
        }
        let corrections = try await TenderStore.corrections(tender, on: req.db).map {
            CorrectionRow(number: $0.number, publishedAt: DutchTime.dateTime($0.publishedAt), explanation: $0.explanation,
                          changes: (try? StoredJSON.decode([TenderStore.Change].self, from: $0.changes)) ?? [])
        }
        let notas = try await QuestionService.notas(tender, on: req.db).map {
            Link(label: "Nota van inlichtingen ronde \($0.round) (\($0.entries.count) antwoorden)", href: AppURL.nota(tender.code, $0.round).path)
        }
        var actions: [Link] = []
        let role = user.role
        if Policy.allows(role, .manageTenders) {
            if phase == .draft || phase == .open { actions.append(Link(label: tender.isPublished ? "Rectificatie publiceren" : "Aanbesteding bewerken", href: AppURL.tenderEdit(tender.code).path)) }
            if tender.isPublished { actions.append(Link(label: "Vragen behandelen", href: AppURL.questionHandling(tender.code).path)) }
        }
        if Policy.allows(role, .prepareBids) {
            actions.append(Link(label: "Mijn inschrijving", href: AppURL.bid(tender.code).path))
            actions.append(Link(label: "Vragen stellen en mijn vragen", href: AppURL.questions(tender.code).path))
        }
        if tender.isPublished && (Policy.allows(role, .openVault) || Policy.allows(role, .readOpenedBids)) {
            actions.append(Link(label: "Kluis en inschrijvingen", href: AppURL.vault(tender.code).path))
        }
        if tender.openedAt != nil {
            if Policy.allows(role, .viewAssessment) { actions.append(Link(label: "Beoordeling", href: AppURL.assessment(tender.code).path)) }
            if Policy.allows(role, .viewRanking) { actions.append(Link(label: "Rangschikking en selectie", href: AppURL.ranking(tender.code).path)) }
            if Policy.allows(role, .viewAward) { actions.append(Link(label: "Gunning en contracten", href: AppURL.award(tender.code).path)) }
            if Policy.allows(role, .readOwnLetter) { actions.append(Link(label: "Gunningsbrief en bezwaar", href: AppURL.letter(tender.code).path)) }
            if Policy.allows(role, .viewExtensions) { actions.append(Link(label: "Dekking van de capaciteit", href: AppURL.coverage(tender.code).path)) }
        }
        let data = ShowData(code: tender.code, name: tender.name, designTender: tender.scope.designTender?.name ?? tender.scope.tender,
                            phase: phase.dutchName, isDraft: phase == .draft, timeline: timeline, subSegments: subSegments,
                            corrections: corrections, notas: notas, actions: actions,
                            canPublish: phase == .draft && Policy.allows(role, .manageTenders), publishAction: AppURL.tenderPublish(tender.code).path,
                            error: error, notice: documentForm == nil ? req.query[String.self, at: "melding"] : nil, contactBanHref: AppURL.contactBan.path,
                            documents: TenderDocumentsSection(code: tender.code, documents: try await TenderDocumentService.list(tender, on: req.db),
                                                              canManage: Policy.allows(role, .manageTenders),
                                                              stage: TenderDocumentService.stage(tender, at: now), form: documentForm))
        return try await req.view.render("tender", PageContext(req, title: tender.name, data: data)).encodeResponse(status: status, for: req)
    }
}
