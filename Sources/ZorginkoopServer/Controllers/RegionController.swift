import Fluent
import Vapor

struct RegionController {
    func boot(_ routes: RoutesBuilder) {
        routes.on(.GET, permission: .viewRegion, use: overview)
    }

    struct HomeData: Encodable {
        /// The region summary, rendered by Leaf (escaped) once per version of the region's design.
        var summary: String
    }

    func overview(req: Request) async throws -> View {
        let region = try await DesignStore.region(on: req.db)
        let summary = try await RenderedFragments.shared.fragment("region-summary", of: region, on: req) {
            RegionView(region.design)
        }
        return try await req.view.render("home", PageContext(req, title: "De regio in één oogopslag", data: HomeData(summary: summary)))
    }
}
