import Fluent
import Vapor

struct RegionController {
    func boot(_ routes: RoutesBuilder) {
        routes.on(.GET, permission: .viewRegion, use: overview)
    }

    func overview(req: Request) async throws -> View {
        let region = try await DesignStore.region(on: req.db)
        return try await req.view.render("home", PageContext(req, title: "De regio in één oogopslag", data: RegionView(region.design)))
    }
}
