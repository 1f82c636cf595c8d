import KmonSupport

/// The CI regression gate: compares the low-noise cost figures of a run with a stored baseline.
///
/// A metric regresses only when all hold: the change exceeds the relative tolerance, it exceeds
/// the absolute floor, it exceeds the minimum detectable effect of the two sets of blocks, and a
/// Mann-Whitney test on the blocks says it is significant. Hard gates (losses nobody counted, a
/// join rate under the floor) fail on their own.
public struct RegressionGate: Sendable {
    public struct Thresholds: Sendable {
        public var tolerancePercent = 15.0
        public var nanosecondsPerRunFloor = 20.0
        public var runsPerRequestFloor = 0.5
        public var cpuMicrosecondsPerRequestFloor = 2.0
        public var alpha = 0.05
        /// Client-vantage join rate below which a run fails outright.
        public var minimumMatchedPercent = 99.9

        public init() {}
    }

    public enum Outcome: String, Sendable {
        case equal, regression, improvement

        /// package-benchmark's convention: 0 equal, 2 regression, 4 improvements only.
        public var exitCode: Int32 {
            switch self {
            case .equal: 0
            case .regression: 2
            case .improvement: 4
            }
        }
    }

    /// `not gated`: a diagnosis, reported with its Δ and never failing the gate.
    public enum Change: String, Codable, Sendable {
        case equal, regression, improvement, notCompared = "not compared", notGated = "not gated"

        /// Whether the finding was one of the verdict's tests.
        public var isTested: Bool { self == .equal || self == .regression || self == .improvement }
    }

    public struct Finding: Codable, Sendable, Equatable {
        public var arm: String
        public var load: Double
        /// A level that is no load level: `trigger` (its `load` is 0).
        public var level: String?
        public var metric: String
        @ExplicitNull public var baseline: Double? = nil
        @ExplicitNull public var current: Double? = nil
        @ExplicitNull public var deltaPercent: Double? = nil
        @ExplicitNull public var mdePercent: Double? = nil
        @ExplicitNull public var pValue: Double? = nil
        /// The p-value corrected for every test of the run (Holm); nil where the metric was not tested.
        @ExplicitNull public var adjustedPValue: Double? = nil
        public var change: Change
        @ExplicitNull public var note: String? = nil

        enum CodingKeys: String, CodingKey {
            case arm, load, level, metric, baseline, current, change, note
            case deltaPercent = "delta_pct", mdePercent = "mde_pct", pValue = "p_value", adjustedPValue = "p_adjusted"
        }

        /// Where it was measured: "50%", or the level's name.
        public var place: String { level ?? Format.load(load) }
    }

    public struct Report: Sendable {
        public var findings: [Finding]
        public var hardFailures: [String]
        /// How the tests share one false-alarm budget.
        public var familyControl: String

        public init(findings: [Finding], hardFailures: [String], familyControl: String = "none: each test at its own α") {
            self.findings = findings
            self.hardFailures = hardFailures
            self.familyControl = familyControl
        }

        /// How many tests the verdict covers.
        public var comparisons: Int { findings.filter { $0.change.isTested }.count }

        public var outcome: Outcome {
            if !hardFailures.isEmpty || findings.contains(where: { $0.change == .regression }) { return .regression }
            return findings.contains { $0.change == .improvement } ? .improvement : .equal
        }

        /// Which metric decided the outcome, and why.
        public var decision: String {
            if let failure = hardFailures.first { return "hard gate: \(failure)" }
            func line(_ f: Finding) -> String {
                "\(f.arm) at \(f.place): \(f.metric) \(Format.number(f.baseline, 2)) → \(Format.number(f.current, 2)) "
                    + "(\(Format.signed(f.deltaPercent))%)" + (f.note.map { ": \($0)" } ?? "")
            }
            let family = " [verdict over \(comparisons) tests; \(familyControl)]"
            // Every arm that moved, since a change to shared code can move several and the first is not always the point.
            func arms(_ change: Change) -> String {
                var names: [String] = []
                for finding in findings where finding.change == change && !names.contains(finding.arm) { names.append(finding.arm) }
                return names.count > 1 ? " (\(change.rawValue)s in \(names.count) arms: \(names.joined(separator: ", ")))" : ""
            }
            if let regression = findings.first(where: { $0.change == .regression }) { return line(regression) + arms(.regression) + family }
            if let improvement = findings.first(where: { $0.change == .improvement }) {
                return line(improvement) + arms(.improvement) + family
            }
            return "no metric changed: \(comparisons) compared, none beyond tolerance, floor, noise and significance together" + family
        }
    }

    public var thresholds: Thresholds

    public init(thresholds: Thresholds = Thresholds()) { self.thresholds = thresholds }

    public func check(baseline: BenchResults, current: BenchResults) -> Report {
        var findings: [Finding] = []
        let currentRows = Dictionary(current.overhead.map { (RowKey($0), $0) }, uniquingKeysWith: { first, _ in first })
        for old in baseline.overhead where old.variant != "baseline" && old.variant != "baseline-aa" {
            guard let new = currentRows[RowKey(old)] else {
                findings.append(Finding(arm: old.arm, load: old.load, metric: "all", change: .notCompared,
                                        note: "arm or load level missing from the current run"))
                continue
            }
            let programs = Set(old.samples.bpfNanosecondsPerRun.keys).union(new.samples.bpfNanosecondsPerRun.keys).sorted()
            for program in programs {
                findings.append(compare(old, new, metric: "ns/run \(program)",
                                        old.samples.bpfNanosecondsPerRun[program] ?? [],
                                        new.samples.bpfNanosecondsPerRun[program] ?? [],
                                        floor: thresholds.nanosecondsPerRunFloor))
            }
            findings.append(compare(old, new, metric: "runs/req", old.samples.runsPerRequest, new.samples.runsPerRequest,
                                    floor: thresholds.runsPerRequestFloor))
            findings.append(compare(old, new, metric: "CPU µs/req", old.samples.cpuMicrosecondsPerRequest,
                                    new.samples.cpuMicrosecondsPerRequest, floor: thresholds.cpuMicrosecondsPerRequestFloor))
        }
        return Report(findings: findings, hardFailures: hardFailures(current))
    }

    func hardFailures(_ results: BenchResults) -> [String] {
        var failures: [String] = []
        for row in results.overhead where row.unaccountedLosses > 0 {
            failures.append("\(row.arm) at \(Format.load(row.load)): \(row.unaccountedLosses) requests missing without a counted loss")
        }
        for row in results.accuracy where row.vantage == .client {
            if let matched = row.matchedPercent, matched < thresholds.minimumMatchedPercent {
                failures.append("\(row.arm) \(row.hop) at \(Format.load(row.load)): client-vantage join rate "
                                + "\(Format.number(matched, 3))% is below \(Format.number(thresholds.minimumMatchedPercent, 1))%")
            }
        }
        return failures
    }

    func compare(_ old: OverheadRow, _ new: OverheadRow, metric: String, _ before: [Double], _ after: [Double],
                 floor: Double) -> Finding {
        var finding = Finding(arm: old.arm, load: old.load, metric: metric, baseline: Percentile.median(before),
                              current: Percentile.median(after), change: .notCompared)
        guard let base = finding.baseline, let value = finding.current, base > 0 else {
            finding.note = before.isEmpty ? "not in the baseline" : (after.isEmpty ? "not in the current run" : nil)
            return finding
        }
        let delta = value - base
        let deltaPercent = delta / base * 100
        finding.deltaPercent = deltaPercent
        finding.mdePercent = Self.twoSampleMDE(before, after).map { $0 / base * 100 }
        finding.pValue = RankTests.mannWhitneyP(before, after)
        let large = abs(deltaPercent) > thresholds.tolerancePercent && abs(delta) > floor
        let detectable = finding.mdePercent.map { abs(deltaPercent) > $0 } ?? false
        let significant = finding.pValue.map { $0 < thresholds.alpha } ?? false
        if large && detectable && significant {
            finding.change = delta > 0 ? .regression : .improvement
        } else {
            finding.change = .equal
            if large && !significant { finding.note = "beyond tolerance but not significant" }
        }
        return finding
    }

    /// 2.8·σ of a difference of two means, from the blocks' own spread; nil below two blocks on a side.
    static func twoSampleMDE(_ a: [Double], _ b: [Double]) -> Double? {
        guard let sa = Percentile.standardDeviation(a), let sb = Percentile.standardDeviation(b) else { return nil }
        return 2.8 * (sa * sa / Double(a.count) + sb * sb / Double(b.count)).squareRoot()
    }

    struct RowKey: Hashable {
        var arm: String
        var load: Double
        init(_ row: OverheadRow) {
            arm = row.arm
            load = row.load
        }
    }
}
