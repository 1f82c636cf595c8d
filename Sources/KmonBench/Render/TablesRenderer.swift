/// tables.md: the overhead and accuracy tables (plus saturation, topology, skipped arms and
/// invalid blocks), printed at the end of a run and written beside results.json.
public enum TablesRenderer {
    public static func render(_ results: BenchResults) -> String {
        var sections: [String] = []
        let config = results.config
        var heading = "# kmon bench: \(config.workload) over \(config.network)\n\n"
        heading += "\(results.startedAt) · kernel \(results.environment.kernel) · \(results.environment.cores) cores · "
        heading += "\(config.blocks) blocks × \(Int(config.durationSeconds)) s per run (warm-up \(Format.number(config.warmupSeconds)) s) · seed \(config.seed)"
        if config.quick {
            heading += "\n\n**Quick run:** few samples per arm, so p99.9 and the tails are rough, and below 6 blocks no Δ is judged."
        }
        sections.append(heading)
        sections.append("## Saturation (closed loop)\n\n" + saturation(results))
        sections.append("## Overhead\n\nClient latency from the intended send time (corrected for coordinated omission). "
            + "Δ is the median over blocks of arm/baseline, with a bootstrap 95% CI and a Wilcoxon signed-rank p; "
            + "a Δ below the A/A noise floor (MDE) is \"not detected\". CPU is µs per request.\n\n" + overhead(results))
        sections.append("## Program cost\n\nKernel run statistics (`run_time_ns / run_cnt`) per program; the overhead table's ns/run "
            + "is their mean weighted by runs per request.\n\n" + programs(results))
        sections.append("## Accuracy\n\nprobe − truth per request, joined on (4-tuple, ordinal). Latency from the actual send (uncorrected).\n\n"
            + accuracy(results))
        sections.append("## Topology\n\n" + topology(results))
        if !results.skipped.isEmpty {
            sections.append("## Skipped arms\n\n" + MarkdownTable.render(header: ["arm", "reason"],
                                                                         rows: results.skipped.map { [$0.variant, $0.reason] }))
        }
        if !results.degraded.isEmpty {
            sections.append("## Degraded features\n\nOptional kernel features these arms ran without; they ran, with the stated effect.\n\n"
                + MarkdownTable.render(header: ["feature", "arms", "reason", "effect"],
                                       rows: results.degraded.map { [$0.feature, $0.arms.joined(separator: ", "), $0.reason, $0.effect] }))
        }
        if !results.invalidBlocks.isEmpty {
            sections.append("## Invalid blocks\n\n" + MarkdownTable.render(
                header: ["phase", "block", "arm", "reason"],
                rows: results.invalidBlocks.map { [$0.phase, String($0.block), $0.variant, $0.reason] }))
        }
        return sections.joined(separator: "\n\n") + "\n"
    }

    static func saturation(_ results: BenchResults) -> String {
        MarkdownTable.render(
            header: ["arm", "req/s", "Δ%", "95% CI", "p", "blocks"],
            rows: results.saturation.map {
                [$0.variant, Format.rate($0.rps), Format.signed($0.deltaPercent), Format.interval($0.deltaCI),
                 Format.pValue($0.pValue), String($0.blocks.count)]
            },
            rightAligned: [1, 2, 4, 5])
    }

    static func overhead(_ results: BenchResults) -> String {
        MarkdownTable.render(
            header: ["arm", "load", "offered", "achieved", "p50 µs", "p99 µs", "p99.9 µs", "p99 Δ% [95% CI]", "p",
                     "sat Δ%", "CPU svc", "CPU agent", "CPU bpf", "ns/run", "runs/req", "lost", "RSS MB", "MDE %", "verdict"],
            rows: results.overhead.map { row in
                let cpu = row.cpuMicrosecondsPerRequest
                let delta = row.p99DeltaPercent == nil ? Format.missing
                    : "\(Format.signed(row.p99DeltaPercent)) \(Format.interval(row.p99DeltaCI))"
                return [row.arm, Format.load(row.load), Format.rate(row.offeredRPS), Format.rate(row.achievedRPS),
                        Format.number(row.p50Microseconds), Format.number(row.p99Microseconds),
                        Format.number(row.p999Microseconds), delta, Format.pValue(row.pValue),
                        Format.signed(row.saturationDeltaPercent), Format.number(cpu.services), Format.number(cpu.agent, 2),
                        Format.number(cpu.bpf, 2), Format.number(meanNanosecondsPerRun(row), 0),
                        Format.number(row.runsPerRequest, 2), String(row.eventsLost), Format.number(row.agentRSSMegabytes),
                        Format.number(row.mdePercent), row.verdict.rawValue]
            },
            rightAligned: [2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17])
    }

    /// The programs' mean cost per run, weighted by how often each runs per request.
    static func meanNanosecondsPerRun(_ row: OverheadRow) -> Double? {
        var weighted = 0.0, runs = 0.0
        for (program, ns) in row.bpfNanosecondsPerRun {
            let perRequest = row.bpfRunsPerRequest[program] ?? 0
            weighted += ns * perRequest
            runs += perRequest
        }
        return runs > 0 ? weighted / runs : nil
    }

    /// One line per program: the kernel's own run statistics, beside the CPU figures above.
    static func programs(_ results: BenchResults) -> String {
        let rows = results.overhead.flatMap { row in
            row.bpfNanosecondsPerRun.keys.sorted().map { program in
                [row.arm, Format.load(row.load), program, Format.number(row.bpfNanosecondsPerRun[program], 0),
                 Format.number(row.bpfRunsPerRequest[program], 2)]
            }
        }
        guard !rows.isEmpty else { return "No arm loaded BPF programs." }
        return MarkdownTable.render(header: ["arm", "load", "program", "ns/run", "runs/req"], rows: rows, rightAligned: [3, 4])
    }

    static func accuracy(_ results: BenchResults) -> String {
        guard !results.accuracy.isEmpty else { return "No arm produced per-request spans." }
        return MarkdownTable.render(
            header: ["arm", "vantage", "hop", "load", "matched %", "unmatched truth/probe", "bias µs", "MAE µs",
                     "p99 |err| µs", "med rel err %", "p50 truth/probe µs", "p99 truth/probe µs", "nesting viol."],
            rows: results.accuracy.map { row in
                [row.arm, row.vantage.rawValue, row.hop, Format.load(row.load), Format.number(row.matchedPercent, 3),
                 "\(row.unmatchedTruth)/\(row.unmatchedProbe)", Format.signed(row.biasMicroseconds, 2),
                 Format.number(row.maeMicroseconds, 2), Format.number(row.p99AbsoluteErrorMicroseconds, 2),
                 Format.number(row.medianRelativeErrorPercent, 2),
                 "\(Format.number(row.p50TruthMicroseconds)) / \(Format.number(row.p50ProbeMicroseconds))",
                 "\(Format.number(row.p99TruthMicroseconds)) / \(Format.number(row.p99ProbeMicroseconds))",
                 "\(row.nestingViolations)/\(row.nestingChecked)"]
            },
            rightAligned: [4, 5, 6, 7, 8, 9, 10, 11, 12])
    }

    static func topology(_ results: BenchResults) -> String {
        let topology = results.topology
        guard !topology.byVariant.isEmpty else { return "No arm reported a topology." }
        var text = "Worst over variants: precision \(Format.number(topology.precision, 3)), recall \(Format.number(topology.recall, 3)), "
        text += "largest edge request-count error \(Format.number(topology.edgeCountErrorPercent, 3))%.\n\n"
        text += MarkdownTable.render(
            header: ["arm", "edge", "in spec", "truth requests", "observed requests"],
            rows: topology.byVariant.flatMap { variant in
                variant.edges.map {
                    [variant.variant, "\($0.from) → \($0.to)", $0.inSpec ? "yes" : "no",
                     $0.truthRequests.map(String.init) ?? Format.missing, $0.observedRequests.map(String.init) ?? Format.missing]
                }
            },
            rightAligned: [3, 4])
        return text
    }
}
