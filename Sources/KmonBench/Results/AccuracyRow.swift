/// Where the truth for an accuracy row comes from.
public enum Vantage: String, Codable, Sendable, CaseIterable {
    /// The caller's record of the request: the load generator for the ingress hop, the calling
    /// service's downstream-call record for internal hops.
    case client
    /// The callee's handler entry and exit.
    case server
    /// Packet timestamps (the skb variant) against the caller's record.
    case wire
}

/// One row of the accuracy table: a variant's spans for one hop, seen from one vantage, at one load.
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
    public var biasMicroseconds: Double?
    public var maeMicroseconds: Double?
    public var p99AbsoluteErrorMicroseconds: Double?
    public var medianRelativeErrorPercent: Double?
    public var p50TruthMicroseconds: Double?
    public var p50ProbeMicroseconds: Double?
    public var p99TruthMicroseconds: Double?
    public var p99ProbeMicroseconds: Double?
    public var nestingChecked: Int
    public var nestingViolations: Int

    public init(arm: String, variant: String, mode: String?, vantage: Vantage, hop: String, load: Double,
                sample: AccuracySample) {
        let summary = sample.summary()
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
        biasMicroseconds = summary.biasMicroseconds
        maeMicroseconds = summary.meanAbsoluteErrorMicroseconds
        p99AbsoluteErrorMicroseconds = summary.p99AbsoluteErrorMicroseconds
        medianRelativeErrorPercent = summary.medianRelativeErrorPercent
        p50TruthMicroseconds = summary.p50TruthMicroseconds
        p50ProbeMicroseconds = summary.p50ProbeMicroseconds
        p99TruthMicroseconds = summary.p99TruthMicroseconds
        p99ProbeMicroseconds = summary.p99ProbeMicroseconds
        nestingChecked = sample.nestingChecked
        nestingViolations = sample.nestingViolations
    }

    enum CodingKeys: String, CodingKey {
        case arm, variant, mode, vantage, hop, load, matched
        case truthRequests = "truth_requests", matchedPercent = "matched_pct"
        case unmatchedTruth = "unmatched_truth", unmatchedProbe = "unmatched_probe"
        case biasMicroseconds = "bias_us", maeMicroseconds = "mae_us", p99AbsoluteErrorMicroseconds = "p99_abs_err_us"
        case medianRelativeErrorPercent = "median_rel_err_pct"
        case p50TruthMicroseconds = "p50_truth_us", p50ProbeMicroseconds = "p50_probe_us"
        case p99TruthMicroseconds = "p99_truth_us", p99ProbeMicroseconds = "p99_probe_us"
        case nestingChecked = "nesting_checked", nestingViolations = "nesting_violations"
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
        try c.encode(biasMicroseconds, forKey: .biasMicroseconds)
        try c.encode(maeMicroseconds, forKey: .maeMicroseconds)
        try c.encode(p99AbsoluteErrorMicroseconds, forKey: .p99AbsoluteErrorMicroseconds)
        try c.encode(medianRelativeErrorPercent, forKey: .medianRelativeErrorPercent)
        try c.encode(p50TruthMicroseconds, forKey: .p50TruthMicroseconds)
        try c.encode(p50ProbeMicroseconds, forKey: .p50ProbeMicroseconds)
        try c.encode(p99TruthMicroseconds, forKey: .p99TruthMicroseconds)
        try c.encode(p99ProbeMicroseconds, forKey: .p99ProbeMicroseconds)
        try c.encode(nestingChecked, forKey: .nestingChecked)
        try c.encode(nestingViolations, forKey: .nestingViolations)
    }
}
