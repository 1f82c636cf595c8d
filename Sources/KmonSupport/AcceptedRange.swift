/// The range a number a user gives (a flag, a config or spec field) must fall in before kmon turns
/// it into integer nanoseconds, a count or an allocation. Checked once where the number enters,
/// with the range in the message, NaN, infinity, negatives and huge values become a one-line error
/// instead of a trap in `UInt64(Double)` or an allocation that cannot succeed.
public struct AcceptedRange: Sendable, Equatable, CustomStringConvertible {
    public let bounds: ClosedRange<Double>
    public let unit: String

    public init(_ bounds: ClosedRange<Double>, unit: String) {
        self.bounds = bounds
        self.unit = unit
    }

    /// `value` when it is in range; else an error naming `field`, showing `text` (what the user
    /// wrote, when there is such a text) or the value.
    @discardableResult
    public func check(_ value: Double, _ field: String, text: String? = nil) throws -> Double {
        guard bounds.contains(value) else { throw OutOfRangeError(field: field, value: text ?? Self.show(value), range: self) }
        return value
    }

    @discardableResult
    public func check<T: BinaryInteger>(_ value: T, _ field: String) throws -> T {
        guard bounds.contains(Double(value)) else { throw OutOfRangeError(field: field, value: "\(value)", range: self) }
        return value
    }

    /// "from 0.001 to 31536000 seconds"
    public var description: String { "from \(Self.show(bounds.lowerBound)) to \(Self.show(bounds.upperBound)) \(unit)" }

    static func show(_ value: Double) -> String { NumberText.plain(value) }
}

extension AcceptedRange {
    /// The longest run, wait or timeout kmon takes: a year. `now + seconds` in UInt64
    /// nanoseconds then stays far from overflowing (that takes 584 years).
    public static let maximumSeconds: Double = 31_536_000

    /// Seconds from `low` up to a year.
    public static func seconds(from low: Double) -> AcceptedRange { AcceptedRange(low...maximumSeconds, unit: "seconds") }

    /// A positive duration: from a millisecond up to a year.
    public static let positiveSeconds = seconds(from: 0.001)

    /// Offered load: from one request per 1000 s to 10 million a second, so a gap between sends
    /// and the requests a run expects both fit in 64 bits.
    public static let requestsPerSecond = AcceptedRange(0.001...10_000_000, unit: "requests per second")

    /// Between InfluxDB flushes and JSON period lines (`--export-period`, a config's `export.period`).
    public static let exportPeriodSeconds = AcceptedRange(0.1...3600, unit: "seconds")
}

/// A number outside its `AcceptedRange`: "--duration must be from 0.001 to 31536000 seconds (got 1e+11)".
public struct OutOfRangeError: Error, CustomStringConvertible, Equatable, Sendable {
    public let field: String
    public let value: String
    public let range: AcceptedRange

    public var description: String { "\(field) must be \(range) (got \(value))" }
}

extension FixedWidthInteger {
    /// `value` rounded toward zero and clamped to this type, NaN as zero: a conversion that
    /// cannot trap, for numbers an `AcceptedRange` already bounded (in case a caller skipped
    /// the check) and for numbers only shown.
    public init(saturating value: Double) {
        if value.isNaN {
            self = 0
        } else if value <= Double(Self.min) {
            self = .min
        } else if value >= Double(Self.max) {
            self = .max
        } else {
            self.init(value)
        }
    }
}
