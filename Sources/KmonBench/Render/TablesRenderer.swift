/// tables.md: the overhead and accuracy tables (plus saturation, topology, skipped arms and
/// invalid blocks), printed at the end of a run and written beside results.json.
public enum TablesRenderer {
    public static func render(_ results: BenchResults) -> String {
        var sections: [String] = []
        let config = results.config
        var heading = "# kmon bench: \(config.workload) over \(config.network)\n\n"
        heading += "\(results.startedAt) · kernel \(results.environment.kernel) · \(results.environment.cores) cores · "
        heading += "arms in place: \(config.lengths.blocks) blocks per level, phases of \(Format.number(config.lengths.phaseSeconds, 2)) s "
        heading += "(\(Format.number(config.lengths.settleSeconds, 2)) s settling) · seed \(config.seed)"
        if config.quick {
            heading += "\n\n**Quick run:** few blocks of short phases, so its figures are rough: CIs are wide and the tails are rough."
        }
        sections.append(heading)
        sections.append("## Saturation (closed loop, in place)\n\n" + saturation(results))
        sections.append("## Knee\n\n" + knee(results))
        sections.append("## Overhead\n\nAll arms alternate in place in one load run per level. Client latency from the intended "
            + "send time (corrected for coordinated omission). Each Δ is the median over blocks of arm/baseline in the same block, "
            + "with a bootstrap 95% CI over blocks; CPU is services + agent µs per request. A Δ below the A/A noise floor "
            + "(MDE) is \"not detected\". Verdicts: p50 / p99 / CPU." + offSchedule(results) + "\n\n" + overhead(results))
        sections.append("## Noise floor (A/A, minimum detectable effect %)\n\n" + noiseFloor(results))
        sections.append("## Machine noise\n\n" + machineNoise(results))
        sections.append("## Placement (reloaded objects)\n\n" + placement(results))
        sections.append("## Program cost\n\nKernel run statistics (`run_time_ns / run_cnt`) per program; the overhead table's ns/run "
            + "is their mean weighted by runs per request.\n\n" + programs(results))
        if let trigger = results.trigger {
            sections.append("## Trigger level (warm cost)\n\n" + TriggerTable.note + "\n\n" + TriggerTable.markdown(trigger))
        }
        sections.append("## Accuracy\n\nprobe − truth per request, joined on (4-tuple, ordinal). Latency from the actual send (uncorrected).\n\n"
            + accuracy(results))
        sections.append("## Status agreement\n\n" + statusNote + "\n\n" + statusAgreement(results))
        if let serviceErrors = results.serviceErrors {
            sections.append("## Error rates per service\n\nServer spans of each service against its served records (work route).\n\n"
                + self.serviceErrors(serviceErrors))
        }
        sections.append("## Topology\n\n" + topology(results))
        if let gate = results.gate {
            sections.append("## Gate: this build against \(gate.baseObjects)\n\n" + self.gate(gate))
        }
        if !results.skipped.isEmpty {
            sections.append("## Skipped arms\n\n" + MarkdownTable.render(header: ["arm", "reason"],
                                                                         rows: results.skipped.map { [$0.arm, $0.reason] }))
        }
        if !results.degraded.isEmpty {
            sections.append("## Degraded features\n\nOptional kernel features these arms ran without; they ran, with the stated effect.\n\n"
                + MarkdownTable.render(header: ["feature", "arms", "reason", "effect"],
                                       rows: results.degraded.map { [$0.feature, $0.arms.joined(separator: ", "), $0.reason, $0.effect] }))
        }
        if !results.invalidBlocks.isEmpty {
            sections.append("## Invalid blocks\n\nLeft out of every figure above.\n\n" + invalidBlocks(results))
        }
        return sections.joined(separator: "\n\n") + "\n"
    }

    /// Says which levels lost phases to queueing, so a thin row is not read as a clean one.
    static func offSchedule(_ results: BenchResults) -> String {
        var counts: [String: Int] = [:]
        for block in results.invalidBlocks where block.reason.isOffSchedule {
            counts[block.phase, default: 0] += 1
        }
        guard !counts.isEmpty else { return "" }
        let levels = counts.keys.sorted().map { "\($0): \(counts[$0]!) phases" }.joined(separator: ", ")
        return " **Off schedule** (\(levels)): the services fell behind the offered rate or drained a backlog, so those "
            + "phases measured queueing; they are left out, and the rows of those levels rest on the blocks that remain "
            + "(Invalid blocks)."
    }

    /// One row per phase, arm and reason, so a level that ran off schedule for many blocks
    /// takes one line per arm.
    static func invalidBlocks(_ results: BenchResults) -> String {
        var order: [[String]] = []
        var blocks: [[String]: [Int]] = [:]
        for block in results.invalidBlocks {
            let key = [block.phase, block.arm, block.reason.description]
            if blocks[key] == nil { order.append(key) }
            blocks[key, default: []].append(block.block)
        }
        return MarkdownTable.render(
            header: ["phase", "blocks", "arm", "reason"],
            rows: order.map { key in [key[0], blocks[key]!.map(String.init).joined(separator: ", "), key[1], key[2]] })
    }

    static func saturation(_ results: BenchResults) -> String {
        MarkdownTable.render(
            header: ["arm", "req/s", "Δ%", "95% CI", "p", "blocks"],
            rows: results.saturation.map {
                [$0.arm, Format.rate($0.rps), Format.signed($0.deltaPercent), Format.interval($0.deltaCI),
                 Format.pValue($0.pValue), String($0.blocks.count)]
            },
            rightAligned: [1, 2, 4, 5])
    }

    static func overhead(_ results: BenchResults) -> String {
        MarkdownTable.render(
            header: ["arm", "load", "offered", "achieved", "p50 µs", "p50 Δ% [95% CI]", "p90 Δ%", "p99 µs", "p99 Δ% [95% CI]",
                     "p99.9 µs", "CPU µs/req", "CPU Δ% [95% CI]", "machine Δ%", "sat Δ%", "CPU agent", "CPU bpf", "ns/run",
                     "runs/req", "lost", "switch µs", "RSS MB", "verdicts"],
            rows: results.overhead.map { row in
                let cpu = row.cpuMicrosecondsPerRequest
                let total = cpu.services.map { $0 + (cpu.agent ?? 0) }
                let verdicts = row.arm == "baseline" ? Verdict.reference.rawValue
                    : [row.verdicts.p50, row.verdicts.p99, row.verdicts.cpu].map(\.rawValue).joined(separator: " / ")
                return [row.arm, Format.load(row.load), Format.rate(row.offeredRPS), Format.rate(row.achievedRPS),
                        Format.number(row.p50Microseconds), delta(row.p50DeltaPercent, row.p50DeltaCI), Format.signed(row.p90DeltaPercent),
                        Format.number(row.p99Microseconds), delta(row.p99DeltaPercent, row.p99DeltaCI),
                        Format.number(row.p999Microseconds), Format.number(total), delta(row.cpuDeltaPercent, row.cpuDeltaCI),
                        Format.signed(row.machineDeltaPercent), Format.signed(row.saturationDeltaPercent),
                        Format.number(cpu.agent, 2), Format.number(cpu.bpf, 2), Format.number(meanNanosecondsPerRun(row), 0),
                        Format.number(row.runsPerRequest, 2), String(row.eventsLost), Format.number(row.switchMicroseconds, 0),
                        Format.number(row.agentRSSMegabytes), verdicts]
            },
            rightAligned: Set(2...20))
    }

    static func delta(_ value: Double?, _ interval: [Double]?) -> String {
        value == nil ? Format.missing : "\(Format.signed(value)) \(Format.interval(interval))"
    }

    static func noiseFloor(_ results: BenchResults) -> String {
        MarkdownTable.render(
            header: ["load", "A/A blocks", "p50", "p90", "p99", "mean", "CPU", "machine"],
            rows: results.config.loads.map { load in
                let key = BenchSchedule.format(load)
                let mde = results.noiseFloor.mdePercent[key] ?? MetricMDE()
                return [Format.load(load), results.noiseFloor.blocks[key].map(String.init) ?? Format.missing,
                        Format.number(mde.p50, 2), Format.number(mde.p90, 2), Format.number(mde.p99, 2),
                        Format.number(mde.mean, 2), Format.number(mde.cpu, 2), Format.number(mde.machine, 2)]
            },
            rightAligned: Set(1...7))
    }

    static func knee(_ results: BenchResults) -> String {
        let knee = results.knee
        guard let low = knee.points.first else { return "No knee search ran." }
        var text = "Baseline alone at fractions of its closed-loop saturation (\(Format.rate(knee.saturationRPS)) req/s); "
        text += "the knee is the highest rate whose p99 stays within \(Format.number(knee.factor, 0))× the low-load p99 "
        text += "(\(Format.number(low.p99Microseconds)) µs at \(Format.rate(low.rate)) req/s) and keeps up: "
        text += knee.kneeRPS.map { "**\(Format.rate($0)) req/s**." } ?? "**none**; load levels are fractions of the low-load rate."
        return text + "\n\n" + MarkdownTable.render(
            header: ["offered req/s", "achieved req/s", "p99 µs", "below the knee"],
            rows: knee.points.enumerated().map { index, point in
                [Format.rate(point.rate), Format.rate(point.achievedRPS), Format.number(point.p99Microseconds),
                 index == 0 ? "reference" : (KneeSearch.passes(point, lowP99: low.p99Microseconds) ? "yes" : "no")]
            },
            rightAligned: [0, 1, 2])
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
                 "\(row.unmatchedTruth)/\(row.unmatchedProbe)", Format.signed(row.errors.biasMicroseconds, 2),
                 Format.number(row.errors.meanAbsoluteErrorMicroseconds, 2), Format.number(row.errors.p99AbsoluteErrorMicroseconds, 2),
                 Format.number(row.errors.medianRelativeErrorPercent, 2),
                 "\(Format.number(row.errors.p50TruthMicroseconds)) / \(Format.number(row.errors.p50ProbeMicroseconds))",
                 "\(Format.number(row.errors.p99TruthMicroseconds)) / \(Format.number(row.errors.p99ProbeMicroseconds))",
                 "\(row.nestingViolations)/\(row.nestingChecked)"]
            },
            rightAligned: [4, 5, 6, 7, 8, 9, 10, 11, 12])
    }

    static func gate(_ gate: GateRecord) -> String {
        var text = MarkdownTable.render(
            header: ["arm", "load", "metric", "base", "this build", "Δ%", "A/A MDE %", "p", "p Holm", "change", "why"],
            rows: gate.findings.map {
                [$0.arm, Format.load($0.load), $0.metric, Format.number($0.baseline, 2), Format.number($0.current, 2),
                 Format.signed($0.deltaPercent), Format.number($0.mdePercent), Format.pValue($0.pValue),
                 Format.pValue($0.adjustedPValue), $0.change.rawValue,
                 $0.note ?? ""]
            },
            rightAligned: [3, 4, 5, 6, 7, 8])
        for failure in gate.hardFailures { text += "\nhard gate: \(failure)" }
        return text + "\n\n**gate: \(gate.outcome) (exit \(gate.exitCode))**; decided by: \(gate.decision)"
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
