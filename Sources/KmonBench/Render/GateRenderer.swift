/// Text for the gate's verdict and for `kmon compare`.
public enum GateRenderer {
    public static func render(_ report: RegressionGate.Report) -> String {
        var text = MarkdownTable.render(
            header: ["arm", "load", "metric", "baseline", "current", "Δ%", "MDE %", "p", "p Holm", "change", "note"],
            rows: report.findings.map {
                [$0.arm, $0.place, $0.metric, Format.number($0.baseline, 2), Format.number($0.current, 2),
                 Format.signed($0.deltaPercent), Format.number($0.mdePercent), Format.pValue($0.pValue), Format.pValue($0.adjustedPValue),
                 $0.change.rawValue, $0.note ?? ""]
            },
            rightAligned: [3, 4, 5, 6, 7, 8])
        for failure in report.hardFailures { text += "\nhard gate: \(failure)" }
        text += "\n\ngate: \(report.outcome.rawValue) (exit \(report.outcome.exitCode))\n"
        text += "decided by: \(report.decision)\n"
        return text
    }

    /// Side-by-side deltas of two runs' overhead and accuracy figures.
    public static func compare(_ a: BenchResults, _ b: BenchResults, nameA: String, nameB: String) -> String {
        func delta(_ x: Double?, _ y: Double?) -> String {
            guard let x, let y, x != 0 else { return Format.missing }
            return Format.signed((y - x) / x * 100) + "%"
        }
        let rowsB = Dictionary(b.overhead.map { (RegressionGate.RowKey($0), $0) }, uniquingKeysWith: { first, _ in first })
        let overhead = a.overhead.compactMap { x -> [String]? in
            guard let y = rowsB[RegressionGate.RowKey(x)] else { return nil }
            let cpuA = x.samples.cpuMicrosecondsPerRequest, cpuB = y.samples.cpuMicrosecondsPerRequest
            return [x.arm, Format.load(x.load),
                    "\(Format.rate(x.achievedRPS)) → \(Format.rate(y.achievedRPS))",
                    "\(Format.number(x.p50Microseconds)) → \(Format.number(y.p50Microseconds)) (\(delta(x.p50Microseconds, y.p50Microseconds)))",
                    "\(Format.number(x.p99Microseconds)) → \(Format.number(y.p99Microseconds)) (\(delta(x.p99Microseconds, y.p99Microseconds)))",
                    "\(Format.number(x.p999Microseconds)) → \(Format.number(y.p999Microseconds)) (\(delta(x.p999Microseconds, y.p999Microseconds)))",
                    "\(Format.number(Percentile.median(cpuA))) → \(Format.number(Percentile.median(cpuB)))",
                    "\(Format.number(x.runsPerRequest, 2)) → \(Format.number(y.runsPerRequest, 2))",
                    "\(x.eventsLost) → \(y.eventsLost)"]
        }
        var text = "# kmon compare\n\nA = \(nameA) (\(a.startedAt))\nB = \(nameB) (\(b.startedAt))\n\n## Overhead (A → B)\n\n"
        text += MarkdownTable.render(header: ["arm", "load", "achieved req/s", "p50 µs", "p99 µs", "p99.9 µs", "CPU µs/req",
                                              "runs/req", "lost"], rows: overhead)
        struct AccuracyKey: Hashable { var arm: String, vantage: Vantage, hop: String, load: Double }
        let accuracyB = Dictionary(b.accuracy.map { (AccuracyKey(arm: $0.arm, vantage: $0.vantage, hop: $0.hop, load: $0.load), $0) },
                                   uniquingKeysWith: { first, _ in first })
        let accuracy = a.accuracy.compactMap { x -> [String]? in
            guard let y = accuracyB[AccuracyKey(arm: x.arm, vantage: x.vantage, hop: x.hop, load: x.load)] else { return nil }
            return [x.arm, x.vantage.rawValue, x.hop, Format.load(x.load),
                    "\(Format.number(x.matchedPercent, 3)) → \(Format.number(y.matchedPercent, 3))",
                    "\(Format.signed(x.errors.biasMicroseconds, 2)) → \(Format.signed(y.errors.biasMicroseconds, 2))",
                    "\(Format.number(x.errors.meanAbsoluteErrorMicroseconds, 2)) → \(Format.number(y.errors.meanAbsoluteErrorMicroseconds, 2))",
                    "\(Format.number(x.errors.p99AbsoluteErrorMicroseconds, 2)) → \(Format.number(y.errors.p99AbsoluteErrorMicroseconds, 2))"]
        }
        text += "\n\n## Accuracy (A → B)\n\n"
        text += MarkdownTable.render(header: ["arm", "vantage", "hop", "load", "matched %", "bias µs", "MAE µs", "p99 |err| µs"],
                                     rows: accuracy)
        let gate = RegressionGate().check(baseline: a, current: b)
        text += "\n\n## Gate (A as baseline)\n\n" + render(gate)
        return text
    }
}
