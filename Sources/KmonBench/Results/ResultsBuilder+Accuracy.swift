
/// The accuracy side of the results: rows and topology from the fresh-service runs, where each
/// probe sees every connection from its first request.
extension ResultsBuilder {
    func accuracyRows(arm: BenchArm, load: Double, runs: [RunMeasurement], chart: Bool) -> ([AccuracyRow], [ErrorHistogram]) {
        let withSpans = runs.compactMap(\.accuracy)
        guard !withSpans.isEmpty else { return ([], []) }
        var rows: [AccuracyRow] = [], charts: [ErrorHistogram] = []
        for hop in hops {
            for vantage in [Vantage.client, .server] {
                let key = HopVantage(hop: hop, vantage: vantage)
                var pooled = AccuracySample()
                var present = false
                for accuracy in withSpans {
                    if let sample = accuracy.samples[key] {
                        pooled.merge(sample)
                        present = true
                    }
                }
                guard present else { continue }
                var row = AccuracyRow(arm: arm.name, variant: arm.variantName, mode: arm.mode?.rawValue, vantage: vantage,
                                      hop: hop.description, load: load, sample: pooled)
                if arm.build == .noHTTP, row.status?.agreedPercent == nil {
                    row.status?.noStatus = "status reading off: the @nohttp arm reads no payload (--http-off)"
                }
                rows.append(row)
                if chart, let histogram = ErrorHistogram.make(arm: arm.name, vantage: vantage, hop: hop.description, load: load,
                                                              errorsNanoseconds: pooled.errors) {
                    charts.append(histogram)
                }
            }
        }
        return (rows, charts)
    }

    /// Per service, the error rate its server spans show against its served records, pooled
    /// over the arm's accuracy runs at this load.
    func serviceErrorRows(arm: BenchArm, load: Double, runs: [RunMeasurement]) -> [ServiceErrorRow] {
        var pooled: [String: ServiceErrorSample] = [:]
        for accuracy in runs.compactMap(\.accuracy) {
            pooled.merge(accuracy.serviceErrors) { var sum = $0; sum.merge($1); return sum }
        }
        return pooled.keys.sorted().map { service in
            ServiceErrorRow(arm: arm.name, variant: arm.variantName, mode: arm.mode?.rawValue, load: load, service: service,
                            sample: pooled[service]!)
        }
    }

    /// Each probe arm's topology over all its valid load runs.
    func topology() -> TopologyRecord {
        var byVariant: [VariantTopology] = []
        for arm in plan.arms where !arm.isBaseline {
            let runs = accuracyRuns.filter { $0.run.arm == arm && $0.isValid }.compactMap(\.accuracy)
            guard !runs.isEmpty else { continue }
            var observed: [TopologyEdge: Int] = [:], truth: [TopologyEdge: Int] = [:]
            for run in runs {
                observed.merge(run.observedEdges, uniquingKeysWith: +)
                truth.merge(run.truthEdges, uniquingKeysWith: +)
            }
            let expected = Dictionary(uniqueKeysWithValues: hops.map { ($0, truth[$0]) })
            byVariant.append(VariantTopology(variant: arm.name, score: TopologyScore.score(expected: expected, observed: observed)))
        }
        return TopologyRecord(byVariant: byVariant)
    }
}
