/// Numbers as text in messages, tables, keys and JSON: a whole number without ".0" or an exponent
/// ("50", not "50.0"), any other as Swift prints it ("12.5"). One spelling, so that a level's key
/// in results.json, its label in a table and a range in an error message agree.
public enum NumberText {
    public static func plain(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// "50%", "12.5%": `value` is already in percent.
    public static func percent(_ value: Double) -> String { plain(value) + "%" }
}
