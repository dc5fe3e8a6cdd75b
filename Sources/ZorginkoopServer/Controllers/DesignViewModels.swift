import Foundation
import ZorginkoopCore

/// Display forms of a design for the pages: plain rows the templates can walk.
struct DesignView: Encodable {
    struct MunicipalityRow: Encodable {
        var code: String
        var name: String
        var cbsCode: String
        var clients: String
        var share: String
        var lead: Bool
        var transport: String
    }

    struct WeightCell: Encodable {
        var criterion: String
        var name: String
        var weight: Int
    }

    struct SubSegmentRow: Encodable {
        var code: String
        var name: String
        var description: String
        var min: Int
        var max: Int
        var coverage: String
    }

    /// A product of the segment's funding with its tariff per year, in the years of the segment's products.
    struct ProductRow: Encodable {
        var code: String
        var category: String
        var name: String
        var unit: String
        var tariffs: [String]
    }

    struct SegmentView: Encodable {
        var code: String
        var name: String
        var description: String
        var funding: String
        var tariffYears: [String]
        var products: [ProductRow]
        var weights: [WeightCell]
        var subSegments: [SubSegmentRow]
        var participants: Int
        var nonParticipation: [String]
    }

    struct LotView: Encodable {
        var code: String
        var name: String
        var description: String
        var segments: [SegmentView]
    }

    struct MatrixCell: Encodable {
        var takesPart: Bool
        var label: String
        var reason: String
    }

    struct MatrixRow: Encodable {
        var municipality: String
        var cells: [MatrixCell]
    }

    struct RequirementRow: Encodable {
        var code: String
        var name: String
        var description: String
        var scope: String
        var proof: String
    }

    struct TenderRow: Encodable {
        var code: String
        var name: String
        var procedure: String
        var lots: String
        var start: String
        var initialEnd: String
        var initialTerm: String
        var extensionTerm: String
        var maxExtensions: String
        var maxTotal: String
        var maxEnd: String
    }

    var code: String
    var name: String
    var description: String
    var regionName: String
    var lead: String
    var totalClients: String
    var clientsYear: Int
    var municipalities: [MunicipalityRow]
    var lots: [LotView]
    var matrixSegments: [String]
    var matrix: [MatrixRow]
    var requirements: [RequirementRow]
    var tenders: [TenderRow]
    var notes: [String]
    var scale: String
    var segmentCount: Int
    var subSegmentCount: Int

    init(_ design: Design) {
        code = design.code
        name = design.name
        description = design.description
        regionName = design.region.name
        lead = design.municipality(design.region.leadMunicipality)?.name ?? design.region.leadMunicipality
        totalClients = Self.thousands(design.region.totalClients)
        clientsYear = design.region.municipalities.first?.clientsYear ?? 0
        municipalities = Self.municipalityRows(design)
        lots = design.lots.map { lot in
            LotView(code: lot.code, name: lot.name, description: lot.description, segments: lot.segments.map { segment in
                let products = segment.funding?.products ?? []
                let years = Set(products.flatMap(\.tariffs.keys)).sorted()
                return SegmentView(
                    code: segment.code, name: segment.name, description: segment.description, funding: segment.fundingModel.dutchName,
                    tariffYears: years,
                    products: products.map { p in
                        ProductRow(code: p.code, category: p.category, name: p.name, unit: p.unit.dutchName,
                                   tariffs: years.map { p.tariffs[$0]?.dutch ?? "–" })
                    },
                    weights: lot.criteria.map { WeightCell(criterion: $0.code, name: $0.name, weight: segment.weights[$0.code] ?? 0) },
                    subSegments: segment.subSegments.map { sub in
                        var coverage: [String] = []
                        if !sub.requiredSpecialisms.isEmpty { coverage.append("Specialismen: \(sub.requiredSpecialisms.joined(separator: ", "))") }
                        if !sub.requiredCapacity.isEmpty { coverage.append("Minimumcapaciteit: \(sub.requiredCapacity.values.reduce(0, +)) plaatsen") }
                        return SubSegmentRow(code: sub.code, name: sub.name, description: sub.description, min: sub.minProviders,
                                             max: sub.maxProviders, coverage: coverage.joined(separator: "; "))
                    },
                    participants: design.participants(ofSegment: segment).count,
                    nonParticipation: segment.nonParticipation.map { "\(design.municipality($0.municipality)?.name ?? $0.municipality): \($0.reason)" })
            })
        }
        let segments = design.segments
        matrixSegments = segments.map(\.code)
        matrix = design.region.municipalities.map { m in
            MatrixRow(municipality: m.name, cells: segments.map { segment in
                let out = segment.nonParticipation.first { $0.municipality == m.code }
                return MatrixCell(takesPart: out == nil, label: out == nil ? "Ja" : "Nee", reason: out?.reason ?? "")
            })
        }
        requirements = design.requirements.map { r in
            RequirementRow(code: r.code, name: r.name, description: r.description,
                           scope: r.lots.isEmpty ? "Alle percelen" : r.lots.compactMap { design.lot($0)?.name }.joined(separator: ", "),
                           proof: r.proofMayFollow ? "Mag later, uiterlijk bij de start van de overeenkomst" : "Bij inschrijving")
        }
        tenders = Self.tenderRows(design)
        notes = design.notes
        scale = design.scoreScale.dutchDescription
        segmentCount = segments.count
        subSegmentCount = design.subSegments.count
    }

    static func municipalityRows(_ design: Design) -> [MunicipalityRow] {
        let total = design.region.totalClients
        return design.region.municipalities.sorted { $0.clients > $1.clients }.map { m in
            MunicipalityRow(code: m.code, name: m.name, cbsCode: m.cbsCode, clients: Self.thousands(m.clients),
                            share: total > 0 ? "\(Int((Double(m.clients) * 100 / Double(total)).rounded()))%" : "–",
                            lead: m.code == design.region.leadMunicipality, transport: m.transportArrangement)
        }
    }

    static func tenderRows(_ design: Design) -> [TenderRow] {
        design.tenders.map { t in
            let term = t.contractTerm
            return TenderRow(code: t.code, name: t.name, procedure: t.procedure.dutchName,
                             lots: t.lots.compactMap { design.lot($0)?.name }.joined(separator: ", "),
                             start: term.start.dutch, initialEnd: term.initialEnd.dutch, initialTerm: Self.months(term.initialTermMonths),
                             extensionTerm: Self.months(term.extensionMonths), maxExtensions: "\(term.maxExtensions)×",
                             maxTotal: Self.months(term.maxTotalMonths), maxEnd: term.maxEnd.dutch)
        }
    }

    static func thousands(_ n: Int) -> String {
        let digits = String(n)
        var out = ""
        for (i, c) in digits.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(".") }
            out.append(c)
        }
        return String(out.reversed())
    }

    static func months(_ n: Int) -> String {
        n % 12 == 0 ? "\(n / 12) jaar" : "\(n) maanden"
    }
}

/// The overview page needs only a summary: a smaller context renders faster than the whole design.
struct RegionView: Encodable {
    struct LotSummary: Encodable {
        var name: String
        var description: String
        var segments: [String]
    }

    var code: String
    var name: String
    var regionName: String
    var lead: String
    var totalClients: String
    var clientsYear: Int
    var municipalities: [DesignView.MunicipalityRow]
    var lots: [LotSummary]
    var segmentCount: Int
    var subSegmentCount: Int
    var tenderCount: Int

    init(_ design: Design) {
        code = design.code
        name = design.name
        regionName = design.region.name
        lead = design.municipality(design.region.leadMunicipality)?.name ?? design.region.leadMunicipality
        totalClients = DesignView.thousands(design.region.totalClients)
        clientsYear = design.region.municipalities.first?.clientsYear ?? 0
        municipalities = DesignView.municipalityRows(design)
        lots = design.lots.map { lot in
            LotSummary(name: lot.name, description: lot.description, segments: lot.segments.map { segment in
                "\(segment.name) – \(segment.subSegments.count) sub-segment(en), \(design.participants(ofSegment: segment).count) deelnemende gemeenten, bekostiging \(segment.fundingModel.dutchName)"
            })
        }
        segmentCount = design.segments.count
        subSegmentCount = design.subSegments.count
        tenderCount = design.tenders.count
    }
}
