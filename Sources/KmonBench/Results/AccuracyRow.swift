/// One row of the accuracy table: a variant's spans for one hop, seen from one vantage, at one
/// load. In results.json the sample's error figures (`errors`) sit beside the counts, flat.
public struct AccuracyRow: Codable, Sendable {
    public var arm: String
    public var variant: String
    public var mode: String?
    public var vantage: Vantage
    public var hop: String
    public var load: Double
    public var truthRequests: Int
    public var matched: Int
    public var matchedPercent: Double?
    public var unmatchedTruth: Int
    public var unmatchedProbe: Int
    public var errors: AccuracySample.Summary
    public var nestingChecked: Int
    public var nestingViolations: Int
    /// Method and status against the truth; absent only in files from before it existed.
    public var status: StatusRecord?

    public init(arm: String, variant: String, mode: String?, vantage: Vantage, hop: String, load: Double,
                sample: AccuracySample) {
        self.arm = arm
        self.variant = variant
        self.mode = mode
        self.vantage = vantage
        self.hop = hop
        self.load = load
        truthRequests = sample.truthCount
        matched = sample.matched
        matchedPercent = sample.matchedPercent
        unmatchedTruth = sample.unmatchedTruth
        unmatchedProbe = sample.unmatchedProbe
        errors = sample.summary()
        nestingChecked = sample.nestingChecked
        nestingViolations = sample.nestingViolations
        status = StatusRecord(sample.status)
    }

    enum CodingKeys: String, CodingKey {
        case arm, variant, mode, vantage, hop, load, matched
        case truthRequests = "truth_requests", matchedPercent = "matched_pct"
        case unmatchedTruth = "unmatched_truth", unmatchedProbe = "unmatched_probe"
        case nestingChecked = "nesting_checked", nestingViolations = "nesting_violations"
        case status
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        arm = try c.decode(String.self, forKey: .arm)
        variant = try c.decode(String.self, forKey: .variant)
        mode = try c.decodeIfPresent(String.self, forKey: .mode)
        vantage = try c.decode(Vantage.self, forKey: .vantage)
        hop = try c.decode(String.self, forKey: .hop)
        load = try c.decode(Double.self, forKey: .load)
        truthRequests = try c.decode(Int.self, forKey: .truthRequests)
        matched = try c.decode(Int.self, forKey: .matched)
        matchedPercent = try c.decodeIfPresent(Double.self, forKey: .matchedPercent)
        unmatchedTruth = try c.decode(Int.self, forKey: .unmatchedTruth)
        unmatchedProbe = try c.decode(Int.self, forKey: .unmatchedProbe)
        errors = try AccuracySample.Summary(from: decoder)
        nestingChecked = try c.decode(Int.self, forKey: .nestingChecked)
        nestingViolations = try c.decode(Int.self, forKey: .nestingViolations)
        status = try c.decodeIfPresent(StatusRecord.self, forKey: .status)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(arm, forKey: .arm)
        try c.encode(variant, forKey: .variant)
        try c.encode(mode, forKey: .mode)
        try c.encode(vantage, forKey: .vantage)
        try c.encode(hop, forKey: .hop)
        try c.encode(load, forKey: .load)
        try c.encode(truthRequests, forKey: .truthRequests)
        try c.encode(matched, forKey: .matched)
        try c.encode(matchedPercent, forKey: .matchedPercent)
        try c.encode(unmatchedTruth, forKey: .unmatchedTruth)
        try c.encode(unmatchedProbe, forKey: .unmatchedProbe)
        try errors.encode(to: encoder)
        try c.encode(nestingChecked, forKey: .nestingChecked)
        try c.encode(nestingViolations, forKey: .nestingViolations)
        try c.encode(status, forKey: .status)
    }
}
