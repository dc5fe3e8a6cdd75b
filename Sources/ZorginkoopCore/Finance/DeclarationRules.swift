import Foundation

/// A rule a declaration line can break, with the iStandaarden return code (`LDT_RetourCode` of
/// the 3.2 basisschema) that the JW325/WMO325 answer carries for it. `docs/finance.md` lists them.
public enum DeclarationRule: Int, Codable, Hashable, Sendable, CaseIterable, Comparable {
    case duplicateReference
    case periodNotOneMonth
    case periodStartsTooLate
    case periodEndsTooEarly
    case amountNotVolumeTimesTariff
    case notContracted
    case qualityMarkGate
    case tariffDiffers
    case unknownAllocation
    case otherClient
    case categoryDiffers
    case codeDiffers
    case unitDiffers
    case beginOutsideAllocation
    case endOutsideAllocation
    case volumeAbovePeriodMaximum
    case volumeAboveAllocationTotal
    case secondDebit
    case creditWithoutDebit
    case alreadyCredited

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// The return code of the iStandaarden code list. For the contract rules the standard has no
    /// code of its own; they carry 0611 (no contractual tariff applies to the line).
    public var returnCode: String {
        switch self {
        case .duplicateReference: "8021"
        case .periodNotOneMonth: "9319"
        case .periodStartsTooLate: "9387"
        case .periodEndsTooEarly: "9388"
        case .amountNotVolumeTimesTariff: "9346"
        case .notContracted, .qualityMarkGate, .tariffDiffers: "0611"
        case .unknownAllocation: "9338"
        case .otherClient: "8187"
        case .categoryDiffers: "9339"
        case .codeDiffers: "9340"
        case .unitDiffers: "9341"
        case .beginOutsideAllocation: "9307"
        case .endOutsideAllocation: "9308"
        case .volumeAbovePeriodMaximum: "9321"
        case .volumeAboveAllocationTotal: "9322"
        case .secondDebit: "9389"
        case .creditWithoutDebit: "8017"
        case .alreadyCredited: "9390"
        }
    }

    /// Where the rule comes from: the iStandaarden (with the instruction where one applies) or the contract.
    public var source: String {
        switch self {
        case .notContracted, .qualityMarkGate, .tariffDiffers: "contract (CS Wmo/Jeugd, docs/finance.md)"
        case .volumeAbovePeriodMaximum, .volumeAboveAllocationTotal: "iStandaarden IV077"
        case .periodNotOneMonth, .periodStartsTooLate, .periodEndsTooEarly: "iStandaarden IV089"
        default: "iStandaarden 3.2"
        }
    }

    public var dutch: String {
        switch self {
        case .duplicateReference: "het referentienummer van de prestatie is al eerder aangeleverd"
        case .periodNotOneMonth: "de productperiode valt niet binnen één kalendermaand"
        case .periodStartsTooLate: "de productperiode begint niet op de eerste van de maand, en de toewijzing begint niet later in die maand"
        case .periodEndsTooEarly: "de productperiode eindigt niet op de laatste van de maand, en de toewijzing eindigt niet eerder in die maand"
        case .amountNotVolumeTimesTariff: "het ingediende bedrag is niet het geleverde volume maal het producttarief"
        case .notContracted: "de aanbieder heeft in die periode geen contract voor dit product in deze gemeente"
        case .qualityMarkGate: "de aanbieder mag nog niet leveren: het bewijs van het keurmerk is niet geaccepteerd"
        case .tariffDiffers: "het tarief is niet het tarief van het contract voor dat jaar"
        case .unknownAllocation: "de prestatie hoort bij geen toewijzing van deze aanbieder (toewijzingnummer onbekend)"
        case .otherClient: "de prestatie hoort niet bij deze cliënt (ander BSN dan in de toewijzing)"
        case .categoryDiffers: "de productcategorie is niet die van de toewijzing"
        case .codeDiffers: "de productcode is niet die van de toewijzing"
        case .unitDiffers: "de eenheid past niet bij de eenheid van de toewijzing"
        case .beginOutsideAllocation: "de begindatum van de prestatie ligt buiten de toewijzing"
        case .endOutsideAllocation: "de einddatum van de prestatie ligt buiten de toewijzing"
        case .volumeAbovePeriodMaximum: "het volume is groter dan de toewijzing voor deze periode toestaat (weken × volume per week)"
        case .volumeAboveAllocationTotal: "de som van de volumes is groter dan de hele toewijzing toestaat"
        case .secondDebit: "er is al een goedgekeurde debetprestatie voor deze toewijzing en maand, zonder creditprestatie"
        case .creditWithoutDebit: "van deze creditprestatie is geen goedgekeurde debetprestatie bekend"
        case .alreadyCredited: "deze prestatie is al gecrediteerd"
        }
    }
}

/// The rules one line breaks, as a bit set: empty means approved.
public struct BrokenRules: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ rule: DeclarationRule) { rawValue = 1 << UInt32(rule.rawValue) }

    public var rules: [DeclarationRule] { DeclarationRule.allCases.filter { contains(BrokenRules($0)) } }
    public var isApproved: Bool { rawValue == 0 }
}
