import Foundation
import Testing
import ZorginkoopCatalog
@testable import ZorginkoopCore

@Suite("Funding per segment as design data")
struct FundingTests {
    static func design(_ model: FundingModel, _ funding: SegmentFunding) -> Design {
        var design = smallDesign()
        design.lots[0].segments[0].fundingModel = model
        design.lots[0].segments[0].funding = funding
        return design
    }

    static let path = "lots[0].segments[0].funding"

    @Test("The bundled 2026 design's products validate, and its 2027 tariffs are 2026's indexed by 6.30 %, each rounded once to the cent")
    func bundled() throws {
        let design = try Catalog.bundledDesign("achterhoek-2026")
        #expect(design.validate().isEmpty)
        let products = design.segments.compactMap(\.funding).flatMap(\.products)
        #expect(products.count == 5)
        for p in products {
            let indexed = try #require(p.tariffs["2026"]).percent(Decimal(string: "106.30")!)
            #expect(p.tariffs["2027"] == indexed, "\(p.code)")
        }
    }

    @Test("Each model needs its own data: products, arrangements or budgets")
    func modelNeedsItsData() {
        let empty = SegmentFunding()
        #expect(Self.design(.effortBased, empty).validate().map(\.path) == ["\(Self.path).products"])
        #expect(Self.design(.priceTimesQuantity, empty).validate().map(\.path) == ["\(Self.path).products"])
        #expect(Self.design(.outputBased, empty).validate().map(\.path) == ["\(Self.path).arrangements"])
        #expect(Self.design(.taskBased, empty).validate().map(\.path) == ["\(Self.path).budgets"])
        #expect(Self.design(.taskBased, SegmentFunding(budgets: ["2026": Money(cents: 120_000_000)])).validate().isEmpty)
    }

    @Test("Products: a two-digit category, a five-character code, once; an effort unit; a positive tariff per year")
    func products() {
        let funding = SegmentFunding(products: [
            FundedProduct(category: "4", code: "45A48", name: "Begeleiding", unit: .hour, tariffs: ["2026": Money(cents: 3800)]),
            FundedProduct(category: "45", code: "45A48", name: "Dubbel", unit: .piecesOutput, tariffs: ["26": Money(cents: 1), "2027": .zero]),
            FundedProduct(category: "45", code: "45-A", name: "Zonder tarief", unit: .hour, tariffs: [:]),
        ])
        #expect(Self.design(.effortBased, funding).validate().map(\.path) == [
            "\(Self.path).products[1].code",
            "\(Self.path).products[0].category",
            "\(Self.path).products[1].unit", "\(Self.path).products[1].tariffs.2027", "\(Self.path).products[1].tariffs.26",
            "\(Self.path).products[2].code", "\(Self.path).products[2].tariffs",
        ])
    }

    @Test("Arrangements: a positive amount declared in parts that sum to 100 %, e.g. 40 % at the start and 60 % at the end")
    func arrangements() {
        let good = Arrangement(code: "TRAJ1", profile: "Gezin", intensity: "Middel", amount: Money(cents: 450_000),
                               moments: [.init(moment: "start", percent: 40), .init(moment: "einde", percent: 60)])
        #expect(Self.design(.outputBased, SegmentFunding(arrangements: [good])).validate().isEmpty)
        var bad = good
        bad.amount = .zero
        bad.moments = [.init(moment: "start", percent: 40), .init(moment: "einde", percent: 50)]
        #expect(Self.design(.outputBased, SegmentFunding(arrangements: [bad])).validate().map(\.message) == [
            "het bedrag van een arrangement is groter dan 0", "de declaratiemomenten tellen op tot 90 %, niet tot 100 %",
        ])
    }

    @Test("A design file with funding reads amounts exactly and names a bad one by its path")
    func decoding() throws {
        let json = #"{"products": [{"category": "45", "code": "45A48", "name": "Begeleiding", "unit": "04", "tariffs": {"2026": "38.00", "2027": 40.39}}]}"#
        let funding = try JSONDecoder().decode(SegmentFunding.self, from: Data(json.utf8))
        #expect(funding.products.first?.tariffs == ["2026": Money(cents: 3800), "2027": Money(cents: 4039)])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(SegmentFunding.self, from: Data(json.replacingOccurrences(of: "40.39", with: "40.395").utf8))
        }
    }
}
