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
        /// Start proofs still open, for the officers who accept them.
        var proofs: [OpenProof]
    }

    struct OpenProof: Encodable {
        var href: String
        var contract: String
        var text: String
        var overdue: Bool
    }

    func overview(req: Request) async throws -> View {
        let region = try await DesignStore.region(on: req.db)
        let summary = try await RenderedFragments.shared.fragment("region-summary", of: region, on: req) {
            RegionView(region.design)
        }
        return try await req.view.render("home", PageContext(req, title: "De regio in één oogopslag", data: HomeData(summary: summary, toDo: try await toDo(req), proofs: try await openProofs(req))))
    }

    private func openProofs(_ req: Request) async throws -> [OpenProof] {
        guard let user = req.auth.get(AuthenticatedUser.self), Policy.allows(user.role, .manageContracts) else { return [] }
        let day = Amsterdam.day(of: req.now)
        return try await ContractStore.all(on: req.db).map(\.contract).filter { $0.terminatedOn == nil }.flatMap { c in
            c.proofs.filter(\.isOpen).map { p in
                OpenProof(href: AppURL.contract(c.number).path, contract: c.number,
                          text: "\(p.name) van \(c.lead?.name ?? c.number), uiterlijk \(p.due.dutch)" + (day > p.due ? " (termijn verstreken)" : ""),
                          overdue: day > p.due)
            }
        }
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
