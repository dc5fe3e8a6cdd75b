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
        return try await req.view.render("home", PageContext(req, title: "De regio in één oogopslag", data: try await home(req, summary: summary)))
    }

    /// The start page: the region, and for officers and officials what the contract period asks
    /// of them, from one reading of the register.
    private func home(_ req: Request, summary: String) async throws -> HomeData {
        guard let user = req.auth.get(AuthenticatedUser.self),
              Policy.allows(user.role, .adviseExtensions) || Policy.allows(user.role, .decideExtensions) else {
            return HomeData(summary: summary, toDo: [], proofs: [])
        }
        let day = Amsterdam.day(of: req.now)
        let stored = try await ContractStore.all(on: req.db)
        let notice = req.application.zorginkoop.notice
        let rounds = try await ExtensionStore.rounds(stored, from: day, notice: notice, on: req.db).map(\.round)
        let names = ContractNames(try await DesignStore.region(on: req.db).design)
        let toDo = ExtensionOverviewPage(rounds, for: ExtensionController.viewer(user), on: day, names: names, notice: notice).rows.filter { !$0.toDo.isEmpty }
        let proofs = !Policy.allows(user.role, .manageContracts) ? [] : stored.map(\.contract).filter { $0.terminatedOn == nil }.flatMap { c in
            c.proofs.filter(\.isOpen).map { p in
                OpenProof(href: AppURL.contract(c.number).path, contract: c.number,
                          text: "\(p.name) van \(c.lead?.name ?? c.number), uiterlijk \(p.due.dutch)" + (day > p.due ? " (termijn verstreken)" : ""),
                          overdue: day > p.due)
            }
        }
        return HomeData(summary: summary, toDo: toDo, proofs: proofs)
    }
}
