/// The in-run gate's verdict as results.json keeps it (`gate`; null without `--base-objects`),
/// so report.html and CI artifacts carry it.
public struct GateRecord: Codable, Sendable, Equatable {
    public struct Row: Codable, Sendable, Equatable {
        public var arm: String
        public var load: Double
        public var metric: String
        public var baseline: Double?
        public var current: Double?
        public var deltaPercent: Double?
        public var mdePercent: Double?
        public var pValue: Double?
        public var change: String
        public var note: String?

        enum CodingKeys: String, CodingKey {
            case arm, load, metric, baseline, current, change, note
            case deltaPercent = "delta_pct", mdePercent = "mde_pct", pValue = "p_value"
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(arm, forKey: .arm)
            try c.encode(load, forKey: .load)
            try c.encode(metric, forKey: .metric)
            try c.encode(baseline, forKey: .baseline)
            try c.encode(current, forKey: .current)
            try c.encode(deltaPercent, forKey: .deltaPercent)
            try c.encode(mdePercent, forKey: .mdePercent)
            try c.encode(pValue, forKey: .pValue)
            try c.encode(change, forKey: .change)
            try c.encode(note, forKey: .note)
        }
    }

    public var baseObjects: String
    public var outcome: String
    public var exitCode: Int32
    public var decision: String
    public var hardFailures: [String]
    public var findings: [Row]

    public init(_ report: RegressionGate.Report, baseObjects: String) {
        self.baseObjects = baseObjects
        outcome = report.outcome.rawValue
        exitCode = report.outcome.exitCode
        decision = report.decision
        hardFailures = report.hardFailures
        findings = report.findings.map {
            Row(arm: $0.arm, load: $0.load, metric: $0.metric, baseline: $0.baseline, current: $0.current,
                deltaPercent: $0.deltaPercent, mdePercent: $0.mdePercent, pValue: $0.pValue, change: $0.change.rawValue,
                note: $0.note)
        }
    }

    enum CodingKeys: String, CodingKey {
        case outcome, decision, findings
        case baseObjects = "base_objects", exitCode = "exit_code", hardFailures = "hard_failures"
    }
}
