/// One CSV per table, with the results.json key names as headers (nested keys joined by `_`).
public enum CSVRenderer {
    public static func overhead(_ rows: [OverheadRow]) -> String {
        let header = ["arm", "variant", "mode", "load", "offered_rps", "achieved_rps", "p50_us", "p90_us", "p99_us", "p999_us",
                      "mean_us", "p50_delta_pct", "p50_delta_ci_lo", "p50_delta_ci_hi", "p50_p_value", "p90_delta_pct",
                      "p99_delta_pct", "p99_delta_ci_lo", "p99_delta_ci_hi", "p_value", "mean_delta_pct", "cpu_delta_pct",
                      "cpu_delta_ci_lo", "cpu_delta_ci_hi", "cpu_p_value", "machine_delta_pct", "saturation_rps",
                      "saturation_delta_pct", "cpu_us_per_req_services", "cpu_us_per_req_agent", "cpu_us_per_req_bpf",
                      "cpu_us_per_req_load_generator", "cpu_us_per_req_machine", "bpf_ns_per_run", "runs_per_req",
                      "events_lost", "unaccounted_losses", "agent_rss_mb", "switch_us", "mde_pct_p50", "mde_pct_p99",
                      "mde_pct_cpu", "verdict_p50", "verdict_p99", "verdict_cpu", "blocks"]
        let lines = rows.map { row -> [String] in
            let cpu = row.cpuMicrosecondsPerRequest
            let programs = row.bpfNanosecondsPerRun.sorted { $0.key < $1.key }
                .map { "\($0.key)=\(Format.csv($0.value))" }.joined(separator: ";")
            return [row.arm, row.variant, row.mode ?? "", Format.csv(row.load), Format.csv(row.offeredRPS),
                    Format.csv(row.achievedRPS), Format.csv(row.p50Microseconds), Format.csv(row.p90Microseconds),
                    Format.csv(row.p99Microseconds), Format.csv(row.p999Microseconds), Format.csv(row.meanMicroseconds),
                    Format.csv(row.p50DeltaPercent), Format.csv(row.p50DeltaCI?.first), Format.csv(row.p50DeltaCI?.last),
                    Format.csv(row.p50PValue), Format.csv(row.p90DeltaPercent), Format.csv(row.p99DeltaPercent),
                    Format.csv(row.p99DeltaCI?.first), Format.csv(row.p99DeltaCI?.last), Format.csv(row.pValue),
                    Format.csv(row.meanDeltaPercent), Format.csv(row.cpuDeltaPercent), Format.csv(row.cpuDeltaCI?.first),
                    Format.csv(row.cpuDeltaCI?.last), Format.csv(row.cpuPValue), Format.csv(row.machineDeltaPercent),
                    Format.csv(row.saturationRPS), Format.csv(row.saturationDeltaPercent), Format.csv(cpu.services),
                    Format.csv(cpu.agent), Format.csv(cpu.bpf), Format.csv(cpu.loadGenerator), Format.csv(cpu.machine), programs,
                    Format.csv(row.runsPerRequest), String(row.eventsLost), String(row.unaccountedLosses),
                    Format.csv(row.agentRSSMegabytes), Format.csv(row.switchMicroseconds), Format.csv(row.mdePercent.p50),
                    Format.csv(row.mdePercent.p99), Format.csv(row.mdePercent.cpu), row.verdicts.p50.rawValue,
                    row.verdicts.p99.rawValue, row.verdicts.cpu.rawValue, String(row.blocks)]
        }
        return render([header] + lines)
    }

    /// The phase timeline, one row per measured phase.
    public static func phases(_ rows: [PhaseRecord]) -> String {
        let header = ["level", "load", "block", "arm", "start_s", "seconds", "switch_us", "requests", "achieved_rps",
                      "p50_us", "p99_us", "cpu_us_per_req", "machine_us_per_req", "bpf_runs", "stray_runs", "events_lost"]
        let lines = rows.map { row -> [String] in
            [row.level.description, Format.csv(row.load), String(row.block), row.arm, Format.csv(row.startSeconds), Format.csv(row.seconds),
             Format.csv(row.switchMicroseconds), String(row.requests), Format.csv(row.achievedRPS), Format.csv(row.p50Microseconds),
             Format.csv(row.p99Microseconds), Format.csv(row.cpuMicrosecondsPerRequest),
             Format.csv(row.machineMicrosecondsPerRequest), String(row.bpfRuns), String(row.strayRuns), String(row.eventsLost)]
        }
        return render([header] + lines)
    }

    public static func accuracy(_ rows: [AccuracyRow]) -> String {
        let header = ["arm", "variant", "mode", "vantage", "hop", "load", "truth_requests", "matched", "matched_pct",
                      "unmatched_truth", "unmatched_probe", "bias_us", "mae_us", "p99_abs_err_us", "median_rel_err_pct",
                      "p50_truth_us", "p50_probe_us", "p99_truth_us", "p99_probe_us", "nesting_checked", "nesting_violations",
                      "status_compared", "status_agreed", "status_agreed_pct", "status_no_status", "status_disagreements"]
        let lines = rows.map { row -> [String] in
            [row.arm, row.variant, row.mode ?? "", row.vantage.rawValue, row.hop, Format.csv(row.load),
             String(row.truthRequests), String(row.matched), Format.csv(row.matchedPercent), String(row.unmatchedTruth),
             String(row.unmatchedProbe), Format.csv(row.errors.biasMicroseconds), Format.csv(row.errors.meanAbsoluteErrorMicroseconds),
             Format.csv(row.errors.p99AbsoluteErrorMicroseconds), Format.csv(row.errors.medianRelativeErrorPercent),
             Format.csv(row.errors.p50TruthMicroseconds), Format.csv(row.errors.p50ProbeMicroseconds),
             Format.csv(row.errors.p99TruthMicroseconds), Format.csv(row.errors.p99ProbeMicroseconds),
             String(row.nestingChecked), String(row.nestingViolations),
             row.status.map { String($0.compared) } ?? "", row.status.map { String($0.agreed) } ?? "",
             Format.csv(row.status?.agreedPercent), row.status?.noStatus ?? "", row.status?.disagreementText ?? ""]
        }
        return render([header] + lines)
    }

    public static func saturation(_ rows: [SaturationRow]) -> String {
        let header = ["variant", "rps", "delta_pct", "delta_ci_lo", "delta_ci_hi", "p_value", "blocks"]
        let lines = rows.map {
            [$0.arm, Format.csv($0.rps), Format.csv($0.deltaPercent), Format.csv($0.deltaCI?.first),
             Format.csv($0.deltaCI?.last), Format.csv($0.pValue), String($0.blocks.count)]
        }
        return render([header] + lines)
    }

    /// Reasons are one line already (`SkippedArm`, `Degradation`), so each arm is one CSV row.
    public static func skipped(_ rows: [SkippedArm]) -> String {
        render([["arm", "reason"]] + rows.map { [$0.arm, $0.reason] })
    }

    public static func degraded(_ rows: [DegradedFeature]) -> String {
        render([["feature", "arms", "reason", "effect"]] + rows.map { [$0.feature, $0.arms.joined(separator: ";"), $0.reason, $0.effect] })
    }

    static func render(_ rows: [[String]]) -> String {
        rows.map { $0.map(escape).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
