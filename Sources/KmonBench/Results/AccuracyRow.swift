import KmonSupport

/// One row of the accuracy table: a variant's spans for one hop, seen from one vantage, at one
/// load. results.json stores the sample's error figures (`errors`) flat, beside the counts: the
/// row is its own fields and its errors, written side by side. Fields read as the row's own
/// (`row.matched`).
@dynamicMemberLookup
public struct AccuracyRow: Codable, FlatEncodable, Sendable {
    public struct Fields: Codable, Sendable {
        public var arm: String
        public var variant: String
        @ExplicitNull public var mode: String?
        public var vantage: Vantage
        public var hop: String
        public var load: Double
        public var truthRequests: Int
        public var matched: Int
        @ExplicitNull public var matchedPercent: Double?
        public var unmatchedTruth: Int
        public var unmatchedProbe: Int
        public var nestingChecked: Int
        public var nestingViolations: Int
        /// Method and status against the truth; absent only in files from before it existed.
        @ExplicitNull public var status: StatusRecord?

        enum CodingKeys: String, CodingKey {
            case arm, variant, mode, vantage, hop, load, matched
            case truthRequests = "truth_requests", matchedPercent = "matched_pct"
            case unmatchedTruth = "unmatched_truth", unmatchedProbe = "unmatched_probe"
            case nestingChecked = "nesting_checked", nestingViolations = "nesting_violations"
            case status
        }
    }

    public var fields: Fields
    public var errors: AccuracySample.Summary

    public init(arm: String, variant: String, mode: String?, vantage: Vantage, hop: String, load: Double,
                sample: AccuracySample) {
        fields = Fields(arm: arm, variant: variant, mode: mode, vantage: vantage, hop: hop, load: load,
                        truthRequests: sample.truthCount, matched: sample.matched, matchedPercent: sample.matchedPercent,
                        unmatchedTruth: sample.unmatchedTruth, unmatchedProbe: sample.unmatchedProbe,
                        nestingChecked: sample.nestingChecked, nestingViolations: sample.nestingViolations,
                        status: StatusRecord(sample.status))
        errors = sample.summary()
    }

    public subscript<Value>(dynamicMember field: WritableKeyPath<Fields, Value>) -> Value {
        get { fields[keyPath: field] }
        set { fields[keyPath: field] = newValue }
    }

    public init(from decoder: Decoder) throws {
        fields = try Fields(from: decoder)
        errors = try AccuracySample.Summary(from: decoder)
    }

    public var flatParts: [any Encodable] { [fields, errors] }
}
