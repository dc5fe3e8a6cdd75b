import Fluent
import Foundation
import Vapor
import ZorginkoopCore

/// First-start accounts: an administrator for a new installation, a full cast for the demo.
public enum FirstStart {
    public static let demoPassword = "demo-wachtwoord-2026"

    public struct Account: Sendable {
        public var email: String
        public var role: String
        public var password: String
    }

    /// Creates the administrator when there are no accounts yet; returns it with its one-time password.
    public static func administratorIfNone(_ app: Application) async throws -> Account? {
        guard try await UserRecord.query(on: app.db).count() == 0 else { return nil }
        let password = Tokens.generate().dropFirst(3).prefix(20)
        let account = NewAccount(email: "beheerder@zorginkoop.local", name: "Beheerder", role: .administrator, password: String(password), oneTimePassword: true)
        do {
            try await Accounts.create(account, actor: "systeem", clock: app.clock, cost: app.zorginkoop.bcryptCost, on: app.db)
        } catch is AccountProblems {
            return nil  // another instance starting at the same moment made it
        }
        return Account(email: account.email, role: Role.administrator.dutchName, password: account.password)
    }

    /// A realistic cast for the demo: officials of every municipality, assessors, a dozen providers.
    public static func demoIfNone(_ app: Application) async throws -> [Account] {
        guard try await UserRecord.query(on: app.db).count() == 0 else { return [] }
        let region = try await DesignStore.region(on: app.db).design
        var accounts: [NewAccount] = [
            NewAccount(email: "beheerder@zorginkoop.local", name: "Beheerder", role: .administrator, password: demoPassword),
            NewAccount(email: "inkoper@doetinchem.nl", name: "Sanne de Vries", role: .procurementOfficer, password: demoPassword),
            NewAccount(email: "inkoper2@doetinchem.nl", name: "Joris Bakker", role: .procurementOfficer, password: demoPassword),
            NewAccount(email: "financien@sociaaldomeinachterhoek.nl", name: "Ilse Jansen", role: .financeConsultant, password: demoPassword),
            NewAccount(email: "auditor@doetinchem.nl", name: "Mark Visser", role: .auditor, password: demoPassword),
        ]
        for m in region.region.municipalities {
            accounts.append(NewAccount(email: "medewerker@\(m.code).nl", name: "Medewerker \(m.name)", role: .municipalityOfficial,
                                       municipality: m.code, password: demoPassword))
        }
        for (i, name) in ["Anouk Smit", "Pieter Mulder", "Fatima el Amrani", "Kees Hendriks", "Lotte Bos", "Ruben Dekker"].enumerated() {
            accounts.append(NewAccount(email: "beoordelaar\(i + 1)@sociaaldomeinachterhoek.nl", name: name, role: .assessor, password: demoPassword))
        }
        for account in accounts {
            try await Accounts.create(account, actor: "demo", clock: app.clock, cost: app.zorginkoop.bcryptCost, on: app.db)
            if account.role.requiresSecondFactor {
                try await SecondFactor.enrolForDemo(email: account.email, keys: app.zorginkoop.vault, at: app.clock.now(), on: app.db)
            }
        }
        // Providers sign up as on the registration page: organisation, KvK number and AGB code.
        for (i, name) in DemoProviders.names.enumerated() {
            try await Accounts.register(ProviderRegistration(organisation: name, kvkNumber: DemoProviders.kvk(name), agbCode: DemoProviders.agb(name),
                                                             name: "Contactpersoon \(name)", email: "aanbieder\(i + 1)@voorbeeldzorg.nl",
                                                             password: demoPassword),
                                        clock: app.clock, cost: app.zorginkoop.bcryptCost, on: app.db)
            accounts.append(NewAccount(email: "aanbieder\(i + 1)@voorbeeldzorg.nl", name: name, role: .provider, organisation: name, password: demoPassword))
        }
        app.logger.notice("Demo: de regio wordt opgebouwd; de aanbestedingen worden doorlopen (een halve minuut of langer)")
        try await DemoContractPeriod.seed(app)
        return accounts.map { Account(email: $0.email, role: $0.role.dutchName, password: demoPassword) }
    }
}

/// The demo's care providers, with KvK numbers and AGB codes of the right form (not real ones).
enum DemoProviders {
    static let names = ["Zorggroep De Linde", "Stichting Kompas", "Jeugdhulp Het Baken", "Iemenzorg", "Sterk Thuis Begeleiding",
                        "Woonzorg Noaber", "Praktijk De Berkel", "Stichting Het Anker", "Zorgcentrum Oosterlicht", "Samen Verder Jeugd",
                        "Coöperatie Slinge", "Perspectief Wonen"]

    static func kvk(_ name: String) -> String {
        "0912" + String(format: "%04d", 1000 + (names.firstIndex(of: name) ?? 99) * 37)
    }

    static func agb(_ name: String) -> String {
        "7300" + String(format: "%04d", 1 + (names.firstIndex(of: name) ?? 99))
    }
}
