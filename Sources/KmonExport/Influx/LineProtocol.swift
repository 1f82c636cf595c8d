/// InfluxDB line protocol (1.x): `measurement,tag=v field=1i,other=2.5 timestamp_ns`.
public struct LinePoint: Sendable, Equatable {
    public enum FieldValue: Sendable, Equatable {
        case integer(Int64)
        case unsigned(UInt64)
        case float(Double)
        case string(String)
        case boolean(Bool)
    }

    public var measurement: String
    public var tags: [String: String]
    /// Written in this order; a point needs at least one field.
    public var fields: [(String, FieldValue)]
    /// CLOCK_REALTIME nanoseconds.
    public var timestamp: UInt64

    public init(measurement: String, tags: [String: String] = [:], fields: [(String, FieldValue)], timestamp: UInt64) {
        self.measurement = measurement
        self.tags = tags
        self.fields = fields
        self.timestamp = timestamp
    }

    public static func == (lhs: LinePoint, rhs: LinePoint) -> Bool {
        lhs.measurement == rhs.measurement && lhs.tags == rhs.tags && lhs.timestamp == rhs.timestamp
            && lhs.fields.map(\.0) == rhs.fields.map(\.0) && lhs.fields.map(\.1) == rhs.fields.map(\.1)
    }

    /// One line, without the trailing newline; nil when no field has a value the protocol can carry
    /// (NaN and infinities cannot be written).
    public var line: String? {
        let written = fields.compactMap { key, value in LineProtocol.field(value).map { LineProtocol.escapeKey(key) + "=" + $0 } }
        guard !written.isEmpty else { return nil }
        var text = LineProtocol.escapeMeasurement(measurement)
        // Sorted tags are what InfluxDB stores; sending them sorted saves it the work. Empty values are not allowed.
        for (key, value) in tags.sorted(by: { $0.key < $1.key }) where !value.isEmpty && !key.isEmpty {
            text += "," + LineProtocol.escapeKey(key) + "=" + LineProtocol.escapeKey(value)
        }
        text += " " + written.joined(separator: ",") + " " + String(timestamp)
        return text
    }
}

/// The escaping rules of InfluxDB 1.x's line protocol parser.
public enum LineProtocol {
    /// Measurements: commas and spaces are escaped.
    public static func escapeMeasurement(_ text: String) -> String {
        escape(text, special: [",", " "])
    }

    /// Tag keys, tag values and field keys: commas, equals signs and spaces are escaped.
    public static func escapeKey(_ text: String) -> String {
        escape(text, special: [",", "=", " "])
    }

    /// String field values: double-quoted, with `"` and `\` escaped.
    public static func quoteString(_ text: String) -> String {
        var out = "\""
        for ch in sanitize(text) {
            if ch == "\"" || ch == "\\" { out.append("\\") }
            out.append(ch)
        }
        return out + "\""
    }

    static func field(_ value: LinePoint.FieldValue) -> String? {
        switch value {
        case .integer(let v): return "\(v)i"
        case .unsigned(let v): return v <= UInt64(Int64.max) ? "\(v)i" : nil
        case .float(let v): return v.isFinite ? "\(v)" : nil
        case .string(let v): return quoteString(v)
        case .boolean(let v): return v ? "true" : "false"
        }
    }

    private static func escape(_ text: String, special: Set<Character>) -> String {
        var out = ""
        var clean = sanitize(text)
        // The parser treats a backslash before a separator as an escape, so a trailing one would
        // swallow the separator that follows; it cannot be written, so it is dropped.
        while clean.hasSuffix("\\") { clean.removeLast() }
        for ch in clean {
            if special.contains(ch) { out.append("\\") }
            out.append(ch)
        }
        return out
    }

    /// Line protocol has no escape for line breaks: control characters become spaces.
    private static func sanitize(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
    }
}
