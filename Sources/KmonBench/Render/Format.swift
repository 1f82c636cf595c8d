import Foundation
import KmonSupport

/// Number formatting shared by the tables, CSV and HTML: fixed decimals, "—" for not measured.
enum Format {
    static let missing = "—"

    static func number(_ value: Double?, _ decimals: Int = 1) -> String {
        guard let value, value.isFinite else { return missing }
        return String(format: "%.\(decimals)f", value)
    }

    static func signed(_ value: Double?, _ decimals: Int = 1) -> String {
        guard let value, value.isFinite else { return missing }
        return String(format: "%+.\(decimals)f", value)
    }

    static func pValue(_ value: Double?) -> String {
        guard let value else { return missing }
        return value < 0.001 ? "<0.001" : String(format: "%.3f", value)
    }

    static func interval(_ values: [Double]?) -> String {
        guard let values, values.count == 2 else { return missing }
        return "[\(signed(values[0])), \(signed(values[1]))]"
    }

    static func load(_ percent: Double) -> String { NumberText.percent(percent) }

    static func rate(_ value: Double?) -> String { number(value, 0) }

    /// CSV wants plain numbers, empty for not measured.
    static func csv(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "" }
        return String(format: "%.6g", value)
    }
}

extension Format {
    /// Enough decimals to show `digits` significant digits of a small figure (an MDE of 0.05%
    /// reads "0.050", not "0.0"), never more than 3; large figures get none beyond what `digits` asks.
    static func significant(_ value: Double?, digits: Int = 2) -> String {
        guard let value, value.isFinite else { return missing }
        return number(value, decimals(forMagnitude: abs(value), digits: digits))
    }

    static func decimals(forMagnitude magnitude: Double, digits: Int = 2) -> Int {
        guard magnitude > 0, magnitude.isFinite else { return 1 }
        return min(3, max(0, digits - 1 - Int(floor(log10(magnitude)))))
    }

    /// Decimals an axis needs so that ticks `step` apart all read differently (−1, −0.5, 0, +0.5, +1).
    static func tickDecimals(step: Double) -> Int {
        guard step > 0, step.isFinite else { return 0 }
        for places in 0..<4 {
            let scaled = step * pow(10, Double(places))
            if abs(scaled - scaled.rounded()) < 1e-6 * max(scaled, 1) { return places }
        }
        return 4
    }

    /// A Δ% and its CI at one precision: two decimals where the figures are under 1%, so a
    /// +0.04 [−0.1, +0.2] is not printed "+0.0 [−0.1, +0.2]".
    static func delta(_ value: Double?, _ interval: [Double]?) -> String {
        guard let value, value.isFinite else { return missing }
        let largest = ([value] + (interval ?? [])).map { abs($0) }.filter(\.isFinite).max() ?? abs(value)
        let places = largest < 1 ? 2 : 1
        guard let interval, interval.count == 2 else { return "\(signed(value, places))%" }
        return "\(signed(value, places))% [\(signed(interval[0], places)), \(signed(interval[1], places))]"
    }
}
