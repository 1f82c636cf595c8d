import KmonSupport

/// What one run's join says about one hop from one vantage, kept as raw values so that
/// blocks can be pooled before percentiles are taken.
public struct AccuracySample: Sendable {
    public var truthCount = 0
    public var probeCount = 0
    public var matched = 0
    public var unmatchedTruth = 0
    public var unmatchedProbe = 0
    public var nestingChecked = 0
    public var nestingViolations = 0
    /// probe − truth per matched request, ns.
    public var errors: [Double] = []
    /// |probe − truth| / truth per matched request.
    public var relativeErrors: [Double] = []
    public var truthDurations: [Double] = []
    public var probeDurations: [Double] = []
    /// Method and status of the matched pairs against the truth's.
    public var status = StatusAgreement()

    public init() {}

    public init(join: SpanJoin.Result, nesting: (checked: Int, violations: Int) = (0, 0)) {
        matched = join.pairs.count
        unmatchedTruth = join.unmatchedTruth.count
        unmatchedProbe = join.unmatchedProbe.count
        truthCount = matched + unmatchedTruth
        probeCount = matched + unmatchedProbe
        nestingChecked = nesting.checked
        nestingViolations = nesting.violations
        status = StatusAgreement(pairs: join.pairs)
        errors.reserveCapacity(matched)
        relativeErrors.reserveCapacity(matched)
        for (truth, probe) in join.pairs {
            let error = probe.durationNanoseconds - truth.durationNanoseconds
            errors.append(error)
            let truthDuration = truth.durationNanoseconds
            if truthDuration > 0 { relativeErrors.append(abs(error) / truthDuration) }
        }
        truthDurations = (join.pairs.map(\.truth) + join.unmatchedTruth).map(\.durationNanoseconds)
        probeDurations = (join.pairs.map(\.probe) + join.unmatchedProbe).map(\.durationNanoseconds)
    }

    public mutating func merge(_ other: AccuracySample) {
        truthCount += other.truthCount
        probeCount += other.probeCount
        matched += other.matched
        unmatchedTruth += other.unmatchedTruth
        unmatchedProbe += other.unmatchedProbe
        nestingChecked += other.nestingChecked
        nestingViolations += other.nestingViolations
        errors += other.errors
        relativeErrors += other.relativeErrors
        truthDurations += other.truthDurations
        probeDurations += other.probeDurations
        status.merge(other.status)
    }

    /// Matched share of the ground truth, percent; nil without ground truth.
    public var matchedPercent: Double? {
        truthCount == 0 ? nil : Double(matched) / Double(truthCount) * 100
    }

    /// The error figures of a sample, as an accuracy row of results.json holds them (flat, with
    /// nulls written out: a figure without data is `null`, not missing).
    public struct Summary: Codable, Sendable, Equatable {
        @ExplicitNull public var biasMicroseconds: Double? = nil
        @ExplicitNull public var meanAbsoluteErrorMicroseconds: Double? = nil
        @ExplicitNull public var p99AbsoluteErrorMicroseconds: Double? = nil
        @ExplicitNull public var medianRelativeErrorPercent: Double? = nil
        @ExplicitNull public var p50TruthMicroseconds: Double? = nil
        @ExplicitNull public var p50ProbeMicroseconds: Double? = nil
        @ExplicitNull public var p99TruthMicroseconds: Double? = nil
        @ExplicitNull public var p99ProbeMicroseconds: Double? = nil

        enum CodingKeys: String, CodingKey {
            case biasMicroseconds = "bias_us", meanAbsoluteErrorMicroseconds = "mae_us", p99AbsoluteErrorMicroseconds = "p99_abs_err_us"
            case medianRelativeErrorPercent = "median_rel_err_pct"
            case p50TruthMicroseconds = "p50_truth_us", p50ProbeMicroseconds = "p50_probe_us"
            case p99TruthMicroseconds = "p99_truth_us", p99ProbeMicroseconds = "p99_probe_us"
        }
    }

    public func summary() -> Summary {
        let us = { (ns: Double?) in ns.map { $0 / 1000 } }
        let absolute = errors.map(abs).sorted()
        let truth = truthDurations.sorted(), probe = probeDurations.sorted()
        return Summary(
            biasMicroseconds: us(Percentile.median(errors)),
            meanAbsoluteErrorMicroseconds: us(Percentile.mean(absolute)),
            p99AbsoluteErrorMicroseconds: us(Percentile.of(sorted: absolute, 0.99)),
            medianRelativeErrorPercent: Percentile.median(relativeErrors).map { $0 * 100 },
            p50TruthMicroseconds: us(Percentile.of(sorted: truth, 0.5)),
            p50ProbeMicroseconds: us(Percentile.of(sorted: probe, 0.5)),
            p99TruthMicroseconds: us(Percentile.of(sorted: truth, 0.99)),
            p99ProbeMicroseconds: us(Percentile.of(sorted: probe, 0.99)))
    }
}
