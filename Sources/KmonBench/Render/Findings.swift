/// What a run found, distilled from its results for the terminal summary and the top of
/// report.html: per load level each arm's verdicts and Δs against the noise floor, then each
/// span-reporting arm's accuracy, then what ran degraded or not at all. The full figures stay
/// in tables.md and the CSVs.
struct Findings {
    struct Metric {
        var name: String
        var delta: Double?
        var interval: [Double]?
        var verdict: Verdict
    }

    struct Arm {
        var arm: String
        var metrics: [Metric]
        var nanosecondsPerRun: Double?

        /// "slower: CPU · not detected: p50, p99": the verdicts grouped, the telling ones first.
        var verdictText: String {
            let order: [Verdict] = [.slower, .faster, .notSignificant, .tooFewBlocks, .notDetected, .reference]
            return order.compactMap { verdict in
                let names = metrics.filter { $0.verdict == verdict }.map(\.name)
                return names.isEmpty ? nil : "\(verdict.rawValue): \(names.joined(separator: ", "))"
            }.joined(separator: " · ")
        }
    }

    struct Level {
        var load: Double
        var offeredRPS: Double?
        var blocks: Int?
        var noiseFloor: MetricMDE
        var arms: [Arm]
    }

    struct Accuracy {
        var arm: String
        /// The lowest share of requests joined over the arm's hops, vantages and levels.
        var joinedPercent: Double?
        /// The bias (probe − truth) farthest from zero, and where.
        var worstBias: Double?
        var worstBiasWhere: String?
        var worstP99Error: Double?
        var topology: VariantTopology?
        /// The lowest share of joined spans whose method and status equal the truth's; nil where
        /// no row compared any (then `noStatus` says why, if the variant reads none).
        var statusAgreedPercent: Double?
        var noStatus: String?
        /// Services whose probe error rates (4xx, 5xx) equal the truth's, of those compared.
        var errorRatesMatching: Int = 0
        var errorRatesCompared: Int = 0
    }

    var levels: [Level] = []
    var accuracy: [Accuracy] = []
    /// One line each: skipped arms, degraded features, phases left out.
    var notes: [String] = []

    init(_ results: BenchResults) {
        for load in results.config.loads {
            let rows = results.overhead.filter { $0.load == load && $0.arm != "baseline" }
            guard !rows.isEmpty else { continue }
            let key = BenchSchedule.format(load)
            levels.append(Level(
                load: load, offeredRPS: rows.first?.offeredRPS, blocks: results.noiseFloor.blocks[key],
                noiseFloor: results.noiseFloor.mdePercent[key] ?? MetricMDE(),
                arms: rows.map { row in
                    Arm(arm: row.arm, metrics: [
                        Metric(name: "p50", delta: row.p50DeltaPercent, interval: row.p50DeltaCI, verdict: row.verdicts.p50),
                        Metric(name: "p99", delta: row.p99DeltaPercent, interval: row.p99DeltaCI, verdict: row.verdicts.p99),
                        Metric(name: "CPU", delta: row.cpuDeltaPercent, interval: row.cpuDeltaCI, verdict: row.verdicts.cpu),
                    ], nanosecondsPerRun: TablesRenderer.meanNanosecondsPerRun(row))
                }))
        }
        let arms = results.accuracy.reduce(into: [String]()) { if !$0.contains($1.arm) { $0.append($1.arm) } }
        for arm in arms {
            let rows = results.accuracy.filter { $0.arm == arm }
            let biased = rows.filter { $0.errors.biasMicroseconds != nil }
                .max { abs($0.errors.biasMicroseconds!) < abs($1.errors.biasMicroseconds!) }
            accuracy.append(Accuracy(
                arm: arm, joinedPercent: rows.compactMap(\.matchedPercent).min(),
                worstBias: biased?.errors.biasMicroseconds, worstBiasWhere: biased.map { "\($0.vantage.rawValue) \($0.hop)" },
                worstP99Error: rows.compactMap(\.errors.p99AbsoluteErrorMicroseconds).max(),
                topology: results.topology.byVariant.first { $0.variant == arm },
                statusAgreedPercent: rows.compactMap { $0.status?.agreedPercent }.min(),
                noStatus: rows.lazy.compactMap { $0.status?.noStatus }.first,
                errorRatesMatching: (results.serviceErrors ?? []).filter { $0.arm == arm && $0.matchesTruth }.count,
                errorRatesCompared: (results.serviceErrors ?? []).filter { $0.arm == arm }.count))
        }
        notes += results.skipped.map { "skipped \($0.arm): \($0.reason)" }
        notes += results.degraded.map { "degraded \($0.arms.joined(separator: ", ")): no \($0.feature), so \($0.effect)" }
        if !results.invalidBlocks.isEmpty {
            let offSchedule = results.invalidBlocks.filter { $0.reason.isOffSchedule }.count
            let count = results.invalidBlocks.count
            notes.append("left out: \(count) phase\(count == 1 ? "" : "s") (\(offSchedule) off schedule), "
                + "listed under Invalid blocks in tables.md")
        }
    }
}
