import KmonSupport

extension BenchResults {
    /// Loads are percentages of the baseline's knee, as `--loads` takes them.
    public static let loadRange = AcceptedRange(0...100, unit: "percent of the baseline's knee")

    /// The numbers of a results file that reach integer conversions and labels when it is
    /// rendered (`compare`, `--baseline`), each within what a bench writes: a crafted file is
    /// refused with the field named, never rendered into a trap.
    func checkRanges() throws {
        let range = Self.loadRange
        for (i, load) in config.loads.enumerated() { try range.check(load, "config.loads[\(i)]") }
        for (i, row) in overhead.enumerated() { try range.check(row.load, "overhead[\(i)].load") }
        for (i, row) in accuracy.enumerated() { try range.check(row.load, "accuracy[\(i)].load") }
        for (i, phase) in phases.enumerated() { if let load = phase.load { try range.check(load, "phases[\(i)].load") } }
        for (i, cdf) in charts.latencyCDF.enumerated() { try range.check(cdf.load, "charts.latency_cdf[\(i)].load") }
        for (i, histogram) in charts.errorHistograms.enumerated() { try range.check(histogram.load, "charts.error_histograms[\(i)].load") }
        for (i, finding) in (gate?.findings ?? []).enumerated() { try range.check(finding.load, "gate.findings[\(i)].load") }
    }
}
