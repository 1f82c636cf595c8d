/// A series' paired comparison and A/A noise floor, and whether it joins the tested family.
struct Assessment {
    var series: GateSeries
    var comparison: PairedComparison?
    var mde: Double?
    /// The A/A pair's own Δ, median over blocks of X / X@aa in %: how far two loads of identical
    /// objects sat apart in this run. A placement offset that lasts the whole run is no block
    /// noise, so the MDE does not see it; this does.
    var againDeltaPercent: Double?
    var gated = false
    /// Why it is reported but not tested.
    var reason: String?
    /// Why this cost figure was the one tested.
    var choice: String?

    init(_ series: GateSeries, seed: UInt64) {
        self.series = series
        comparison = PairedComparison.compare(baseline: series.base, arm: series.current, seed: seed)
        mde = NoiseFloor.minimumDetectableEffect(first: series.current, second: series.again)
        let ratios = zip(series.current, series.again).compactMap { pair -> Double? in
            guard let value = pair.0, let again = pair.1, value > 0, again > 0 else { return nil }
            return value / again
        }
        againDeltaPercent = Percentile.median(ratios).map { ($0 - 1) * 100 }
    }
}
