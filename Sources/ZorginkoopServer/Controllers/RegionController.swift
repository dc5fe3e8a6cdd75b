import Fluent
import Vapor
import ZorginkoopCore

struct RegionController {
    func boot(_ routes: RoutesBuilder) {
        routes.on(.GET, permission: .viewRegion, use: overview)
    }

    struct HomeData: Encodable {
        /// The region summary, rendered by Leaf (escaped) once per version of the region's design.
        var summary: String
        /// What the viewer has to do in the extension rounds, for officers and officials.
        var toDo: [ExtensionRoundRow]
    }

    func overview(req: Request) async throws -> View {
        let region = try await DesignStore.region(on: req.db)
        let summary = try await RenderedFragments.shared.fragment("region-summary", of: region, on: req) {
            RegionView(region.design)
        }
        return try await req.view.render("home", PageContext(req, title: "De regio in één oogopslag", data: HomeData(summary: summary, toDo: try await toDo(req))))
    }

    private func toDo(_ req: Request) async throws -> [ExtensionRoundRow] {
        guard let user = req.auth.get(AuthenticatedUser.self), Policy.allows(user.role, .adviseExtensions) || Policy.allows(user.role, .decideExtensions) else {
            return []
        }
        let day = Amsterdam.day(of: req.now)
        let names = ContractNames(try await DesignStore.region(on: req.db).design)
        return ExtensionOverviewPage(try await ExtensionController.dueRounds(req, from: day), for: ExtensionController.viewer(user), on: day,
                                     names: names, notice: req.application.zorginkoop.notice).rows.filter { !$0.toDo.isEmpty }
    }
}
