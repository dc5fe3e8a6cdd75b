import Foundation

/// The two care laws of the iStandaarden: iJw (Jeugdwet) and iWmo.
public enum CareLaw: String, Codable, Hashable, Sendable, CaseIterable {
    case jeugdwet = "jw"
    case wmo

    /// The message code of a declaration (323) under this law.
    public var declarationMessageCode: String { self == .jeugdwet ? "490" : "484" }
    /// The message code of the declaration answer (325).
    public var answerMessageCode: String { self == .jeugdwet ? "491" : "485" }

    public var dutch: String { self == .jeugdwet ? "Jeugdwet" : "Wmo" }
}

public enum DebitCredit: String, Codable, Hashable, Sendable {
    case debit = "D", credit = "C"
}

/// A closed period of calendar days.
public struct DatePeriod: Codable, Hashable, Sendable, CustomStringConvertible {
    public var begin: CalendarDate
    public var end: CalendarDate

    public init(_ begin: CalendarDate, _ end: CalendarDate) {
        self.begin = begin
        self.end = end
    }

    public var days: Int { end.dayNumber - begin.dayNumber + 1 }
    public var isWithinOneMonth: Bool { begin.year == end.year && begin.month == end.month }
    public func contains(_ day: CalendarDate) -> Bool { day >= begin && day <= end }
    public var description: String { "\(begin.dutch) t/m \(end.dutch)" }

    /// The number of ISO weeks (Monday to Sunday) the period touches, as the iStandaarden volume
    /// rule counts them (IV077): 7 October to 30 December 2025 touches 13.
    public var isoWeeksTouched: Int { DeclarationEngine.isoWeeks(Int32(begin.dayNumber), Int32(end.dayNumber)) }

}

extension CalendarDate {
    /// Days since 1 January 1970 (negative before), for arithmetic on dates.
    public var dayNumber: Int {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public var firstOfMonth: CalendarDate { CalendarDate(year: year, month: month, day: 1)! }
    public var lastOfMonth: CalendarDate { CalendarDate(year: year, month: month, day: CalendarDate.daysIn(month: month, year: year))! }
}

/// A calendar month, the unit of declaring and of monitoring.
public struct YearMonth: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public var year: Int
    public var month: Int

    public init(year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    public init(_ day: CalendarDate) { self.init(year: day.year, month: day.month) }

    public static func < (a: YearMonth, b: YearMonth) -> Bool { (a.year, a.month) < (b.year, b.month) }
    public var description: String { String(format: "%04d-%02d", year, month) }
    public var first: CalendarDate { CalendarDate(year: year, month: month, day: 1)! }
    public var index: Int { year * 12 + month - 1 }
}

/// One line of a declaration (a *prestatie* of JW323/WMO323).
public struct DeclarationLine: Codable, Hashable, Sendable {
    public var reference: String
    /// For a credit line: the reference of the debit it cancels.
    public var previousReference: String?
    /// The client's BSN. Personal data: never logged.
    public var client: String
    public var allocation: String
    public var category: String
    public var code: String
    public var period: DatePeriod
    public var volume: Int
    public var unit: ProductUnit
    public var tariff: Money?
    public var amount: Money
    public var direction: DebitCredit

    public init(reference: String, previousReference: String? = nil, client: String, allocation: String, category: String, code: String,
                period: DatePeriod, volume: Int, unit: ProductUnit, tariff: Money?, amount: Money, direction: DebitCredit = .debit) {
        self.reference = reference
        self.previousReference = previousReference
        self.client = client
        self.allocation = allocation
        self.category = category
        self.code = code
        self.period = period
        self.volume = volume
        self.unit = unit
        self.tariff = tariff
        self.amount = amount
        self.direction = direction
    }

    /// The amount with its sign: a credit counts negative.
    public var signedAmount: Money { direction == .debit ? amount : -amount }
    public var signedVolume: Int { direction == .debit ? volume : -volume }
}

/// A declaration message: one provider to one municipality for one month.
public struct Declaration: Codable, Hashable, Sendable {
    public var law: CareLaw
    /// The message's identification and date (BerichtIdentificatie), which the answer refers to.
    public var messageId: String
    public var messageDate: CalendarDate
    /// The provider's AGB code (Afzender).
    public var provider: String
    /// The municipality's four-digit code (Ontvanger), as `0222` for Doetinchem.
    public var municipality: String
    public var number: String
    public var period: DatePeriod
    public var date: CalendarDate
    public var total: Money
    public var totalDirection: DebitCredit
    public var lines: [DeclarationLine]

    public init(law: CareLaw, messageId: String, messageDate: CalendarDate, provider: String, municipality: String, number: String,
                period: DatePeriod, date: CalendarDate, total: Money, totalDirection: DebitCredit = .debit, lines: [DeclarationLine]) {
        self.law = law
        self.messageId = messageId
        self.messageDate = messageDate
        self.provider = provider
        self.municipality = municipality
        self.number = number
        self.period = period
        self.date = date
        self.total = total
        self.totalDirection = totalDirection
        self.lines = lines
    }
}

/// The iStandaarden frequency of an allocated volume (code list WJ760).
public enum VolumeFrequency: String, Codable, Hashable, Sendable, CaseIterable {
    case perDay = "1", perWeek = "2", perMonth = "4", total = "6"

    public var dutch: String {
        switch self {
        case .perDay: "per dag"
        case .perWeek: "per week"
        case .perMonth: "per maand"
        case .total: "totaal binnen geldigheidsduur"
        }
    }
}

/// An allocation (*toewijzing*, JW301/WMO301) as far as checking declarations needs it.
public struct Allocation: Codable, Hashable, Sendable {
    public var number: String
    public var client: String
    /// The municipality's four-digit code.
    public var municipality: String
    /// The provider's AGB code.
    public var provider: String
    public var category: String
    /// Empty for an aspecific allocation (category only).
    public var code: String?
    public var unit: ProductUnit?
    public var volume: Int?
    public var frequency: VolumeFrequency?
    public var start: CalendarDate
    public var end: CalendarDate?

    public init(number: String, client: String, municipality: String, provider: String, category: String, code: String?,
                unit: ProductUnit?, volume: Int?, frequency: VolumeFrequency?, start: CalendarDate, end: CalendarDate?) {
        self.number = number
        self.client = client
        self.municipality = municipality
        self.provider = provider
        self.category = category
        self.code = code
        self.unit = unit
        self.volume = volume
        self.frequency = frequency
        self.start = start
        self.end = end
    }

    /// A specific allocation names the product code; care under it is always paid (contract standard CS Wmo art. 1.5).
    public var isSpecific: Bool { code.map { !$0.isEmpty } ?? false }

    /// The most that may be declared for one product period (IV077), nil when the allocation sets no limit per period.
    public func maximum(for period: DatePeriod) -> Int? {
        guard let volume, let frequency else { return nil }
        return DeclarationEngine.maximum(frequency, volume: Int32(volume), begin: Int32(period.begin.dayNumber), end: Int32(period.end.dayNumber)).map(Int.init)
    }

    /// The most that may be declared under the whole allocation, nil without an end date (or volume).
    public var totalMaximum: Int? {
        guard let volume, let frequency else { return nil }
        return DeclarationEngine.totalMaximum(frequency, volume: Int32(volume), start: Int32(start.dayNumber),
                                              end: end.map { Int32($0.dayNumber) } ?? Int32.max).map(Int.init)
    }
}

/// What a contract pays for one product of one provider in one municipality: the contract
/// register and the segment's funding flattened for checking (`docs/finance.md`).
public struct ContractedProduct: Codable, Hashable, Sendable {
    public var contract: String
    /// The provider's AGB code.
    public var provider: String
    /// The municipality's four-digit code.
    public var municipality: String
    public var segment: String
    public var subSegment: String?
    public var category: String
    public var code: String
    public var unit: ProductUnit
    public var from: CalendarDate
    public var to: CalendarDate
    /// The first day the quality-mark gate lets the provider deliver; nil while a start proof is open.
    public var deliveryFrom: CalendarDate?
    /// The contract's tariff per unit per calendar year (the design's tariff, indexed).
    public var tariffs: [Int: Money]
    /// Crisis care is always paid, also above a ceiling.
    public var crisis: Bool

    public init(contract: String, provider: String, municipality: String, segment: String, subSegment: String? = nil, category: String,
                code: String, unit: ProductUnit, from: CalendarDate, to: CalendarDate, deliveryFrom: CalendarDate?, tariffs: [Int: Money],
                crisis: Bool = false) {
        self.contract = contract
        self.provider = provider
        self.municipality = municipality
        self.segment = segment
        self.subSegment = subSegment
        self.category = category
        self.code = code
        self.unit = unit
        self.from = from
        self.to = to
        self.deliveryFrom = deliveryFrom
        self.tariffs = tariffs
        self.crisis = crisis
    }
}

extension ContractedProduct {
    /// What makes the entry unusable for checking, with paths under `path`.
    public func problems(at path: String) -> [Problem] {
        var v = ProblemCollector()
        if contract.isBlank { v.add("\(path).contract", "geef het contractnummer") }
        if provider.count != 8 || !provider.allSatisfy(\.isASCIIDigit) { v.add("\(path).provider", "een AGB-code bestaat uit acht cijfers (niet '\(provider)')") }
        if municipality.count != 4 || !municipality.allSatisfy(\.isASCIIDigit) {
            v.add("\(path).municipality", "een gemeentecode bestaat uit vier cijfers, zoals 0222 (niet '\(municipality)')")
        }
        if segment.isBlank { v.add("\(path).segment", "geef het segment") }
        if category.count != 2 || !category.allSatisfy(\.isASCIIDigit) { v.add("\(path).category", "een productcategorie bestaat uit twee cijfers (niet '\(category)')") }
        if code.isBlank || code.count > 5 { v.add("\(path).code", "een productcode heeft één tot vijf tekens (niet '\(code)')") }
        if to < from { v.add("\(path).to", "het einde (\(to.dutch)) ligt voor het begin (\(from.dutch))") }
        if tariffs.isEmpty { v.add("\(path).tariffs", "geef het tarief van ten minste één jaar") }
        for (year, tariff) in tariffs.sorted(by: { $0.key < $1.key }) where tariff.cents < 0 || !(1900...2200).contains(year) {
            v.add("\(path).tariffs.\(year)", tariff.cents < 0 ? "een tarief is niet negatief" : "'\(year)' is geen jaartal")
        }
        return v.problems
    }
}
