/// The in-run gate's verdict as results.json keeps it (`gate`; null without `--base-objects`),
/// so report.html and CI artifacts carry it.
public struct GateRecord: Codable, Sendable, Equatable {
    public var baseObjects: String
    public var outcome: String
    public var exitCode: Int32
    public var decision: String
    public var hardFailures: [String]
    /// How many tests the verdict covers, and how they share one false-alarm budget (optional:
    /// results files written before either was recorded still read).
    public var comparisons: Int?
    public var familyControl: String?
    public var findings: [RegressionGate.Finding]

    public init(_ report: RegressionGate.Report, baseObjects: String) {
        self.baseObjects = baseObjects
        outcome = report.outcome.rawValue
        exitCode = report.outcome.exitCode
        decision = report.decision
        hardFailures = report.hardFailures
        comparisons = report.comparisons
        familyControl = report.familyControl
        findings = report.findings
    }

    enum CodingKeys: String, CodingKey {
        case outcome, decision, findings, comparisons
        case baseObjects = "base_objects", exitCode = "exit_code", hardFailures = "hard_failures", familyControl = "family_control"
    }
}
