import Foundation

/// The cost-price build-up of an hourly tariff (`docs/finance.md`, as in the VNG/Berenschot tariff
/// tool): the collective agreement's wage, its surcharges, social charges, productivity, overhead
/// and risk, each a visible parameter. Computed in decimal and rounded once, to the cent, at the
/// end: the tariff of a year.
public struct TariffBuildUp: Codable, Hashable, Sendable {
    /// One step of the collective agreement's scale, with the share of staff assumed on it.
    public struct WageStep: Codable, Hashable, Sendable {
        public var scale: String
        public var step: Int
        public var hourlyWage: Money
        /// Percent of the staff hours on this step; the shares of a build-up sum to 100.
        public var share: Decimal

        public init(scale: String, step: Int, hourlyWage: Money, share: Decimal = 100) {
            self.scale = scale
            self.step = step
            self.hourlyWage = hourlyWage
            self.share = share
        }
    }

    public var product: String
    public var year: Int
    public var wages: [WageStep]
    /// Percentages of the wage: holiday pay, irregular-hours pay, year-end bonus (or individual choice budget).
    public var holidayPay: Decimal
    public var irregularHours: Decimal
    public var yearEndBonus: Decimal
    /// Percentage of the wage with its surcharges: social charges and pension premium.
    public var socialCharges: Decimal
    /// Percent of paid hours that are client-bound (direct time).
    public var productivity: Decimal
    /// Surcharge on the direct cost per client hour for overhead and other costs, in percent.
    public var overhead: Decimal
    /// Surcharge from cost price to tariff for risk and innovation, in percent.
    public var risk: Decimal

    public init(product: String, year: Int, wages: [WageStep], holidayPay: Decimal = 0, irregularHours: Decimal = 0, yearEndBonus: Decimal = 0,
                socialCharges: Decimal = 0, productivity: Decimal, overhead: Decimal, risk: Decimal) {
        self.product = product
        self.year = year
        self.wages = wages
        self.holidayPay = holidayPay
        self.irregularHours = irregularHours
        self.yearEndBonus = yearEndBonus
        self.socialCharges = socialCharges
        self.productivity = productivity
        self.overhead = overhead
        self.risk = risk
    }

    /// Each step's amount per hour, unrounded, for the tariff sheet.
    public struct Steps: Hashable, Sendable {
        public var wage: Decimal
        public var withSurcharges: Decimal
        public var employerCost: Decimal
        public var perClientHour: Decimal
        public var costPrice: Decimal
        public var tariff: Money
    }

    /// Euros per hour at each step; the tariff rounded half away from zero to the cent.
    public var steps: Steps {
        let totalShare = wages.reduce(Decimal(0)) { $0 + $1.share }
        let wage = totalShare == 0 ? 0 : wages.reduce(Decimal(0)) { $0 + Decimal($1.hourlyWage.cents) / 100 * $1.share } / totalShare
        let withSurcharges = wage * (100 + holidayPay + irregularHours + yearEndBonus) / 100
        let employerCost = withSurcharges * (100 + socialCharges) / 100
        let perClientHour = productivity == 0 ? 0 : employerCost * 100 / productivity
        let costPrice = perClientHour * (100 + overhead) / 100
        let tariff = costPrice * (100 + risk) / 100
        return Steps(wage: wage, withSurcharges: withSurcharges, employerCost: employerCost, perClientHour: perClientHour,
                     costPrice: costPrice, tariff: Money(roundingEuros: tariff))
    }

    public func problems(at path: String = "") -> [Problem] {
        var v = ProblemCollector()
        if product.isBlank { v.add(path + "product", "vul de productcode in") }
        if wages.isEmpty { v.add(path + "wages", "geef ten minste één trede van de cao-schaal met haar uurloon") }
        for (i, w) in wages.enumerated() {
            if w.hourlyWage.cents <= 0 { v.add(path + "wages[\(i)].hourlyWage", "het uurloon is groter dan 0") }
            if !(0...100).contains(w.share) { v.add(path + "wages[\(i)].share", "een aandeel ligt tussen 0 en 100 (niet \(w.share))") }
        }
        let shares = wages.reduce(Decimal(0)) { $0 + $1.share }
        if !wages.isEmpty && shares != 100 { v.add(path + "wages", "de aandelen van de treden tellen op tot \(shares), niet tot 100") }
        for (field, value, high) in [("holidayPay", holidayPay, Decimal(50)), ("irregularHours", irregularHours, 100), ("yearEndBonus", yearEndBonus, 50),
                                     ("socialCharges", socialCharges, 100), ("overhead", overhead, 200), ("risk", risk, 50)]
        where !(0...high).contains(value) {
            v.add(path + field, "een percentage van 0 tot en met \(high) (niet \(value))")
        }
        if !(productivity > 0 && productivity <= 100) { v.add(path + "productivity", "de productiviteit ligt boven 0 en hoogstens 100 % (niet \(productivity))") }
        return v.problems
    }
}
