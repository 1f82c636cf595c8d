import Foundation

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

    static func load(_ percent: Double) -> String {
        percent == percent.rounded() && abs(percent) < 1e15 ? "\(Int64(percent))%" : "\(percent)%"
    }

    static func rate(_ value: Double?) -> String { number(value, 0) }

    /// CSV wants plain numbers, empty for not measured.
    static func csv(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "" }
        return String(format: "%.6g", value)
    }
}
