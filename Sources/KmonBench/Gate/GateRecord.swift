/// The in-run gate's verdict as results.json keeps it (`gate`; null without `--base-objects`),
/// so report.html and CI artifacts carry it.
public struct GateRecord: Codable, Sendable, Equatable {
    public var baseObjects: String
    public var outcome: String
    public var exitCode: Int32
    public var decision: String
    public var hardFailures: [String]
    public var findings: [RegressionGate.Finding]

    public init(_ report: RegressionGate.Report, baseObjects: String) {
        self.baseObjects = baseObjects
        outcome = report.outcome.rawValue
        exitCode = report.outcome.exitCode
        decision = report.decision
        hardFailures = report.hardFailures
        findings = report.findings
    }

    enum CodingKeys: String, CodingKey {
        case outcome, decision, findings
        case baseObjects = "base_objects", exitCode = "exit_code", hardFailures = "hard_failures"
    }
}
