import Foundation
import KmonSupport

/// What `kmon bench` prints: the findings in at most 100 columns, verdicts first, then
/// accuracy, then what ran degraded or not at all and where the full tables are. tables.md
/// (printed too with `--verbose`) keeps every figure.
public enum TerminalSummary {
    public static let width = 100

    public static func render(_ results: BenchResults, directory: String? = nil) -> String {
        let findings = Findings(results)
        let config = results.config
        var lines: [String] = []
        // Names and reasons come from the run's files: a control sequence is shown, never sent.
        func add(_ line: String, indent: Int = 2) { lines += wrap(TerminalText.escaped(line), indent: indent) }
        add("kmon bench: \(config.workload) over \(config.network) · \(results.startedAt) · seed \(config.seed)")
        if let knee = results.knee.kneeRPS {
            add("Knee: \(Format.rate(knee)) req/s (closed-loop saturation \(Format.rate(results.knee.saturationRPS)) req/s); "
                + "levels are fractions of it.")
        }
        if config.quick { add("Quick run: few short blocks, so its figures are rough: CIs are wide and the tails are rough.") }
        for level in findings.levels {
            lines.append("")
            for (line, indent) in self.level(level) { add(line, indent: indent) }
        }
        if findings.levels.isEmpty { lines += ["", "No load level measured an arm against the baseline."] }
        if !findings.accuracy.isEmpty {
            lines += ["", "Accuracy (probe − truth per request; the worst over hops, vantages and levels):"]
            let column = findings.accuracy.map(\.arm.count).max() ?? 0
            for accuracy in findings.accuracy {
                add("  " + pad(accuracy.arm, column) + "  " + accuracyFields(accuracy).joined(separator: " · "), indent: column + 4)
            }
        }
        let triggered = (results.trigger ?? []).filter { $0.arm != "baseline" && $0.arm != "baseline-aa" }
        if !triggered.isEmpty {
            lines += ["", "Trigger level (no load; one connection fires the hooks):"]
            let column = triggered.map(\.arm.count).max() ?? 0
            for row in triggered {
                add("  " + pad(row.arm, column) + "  \(Format.number(row.warmNanosecondsPerRun, 0)) ns/run warm, "
                    + "\(Format.number(row.dispatchNanosecondsPerRun, 0)) ns/run with dispatch", indent: column + 4)
            }
        }
        if let gate = results.gate {
            lines.append("")
            add("gate: \(gate.outcome) (exit \(gate.exitCode)) against \(gate.baseObjects)")
            for failure in gate.hardFailures { add("hard gate: \(failure)") }
            // What moved the verdict; the gate table in tables.md has every test.
            for finding in gate.findings where finding.change == .regression || finding.change == .improvement {
                add("  \(finding.arm) at \(Format.load(finding.load)): \(finding.metric) \(Format.signed(finding.deltaPercent))% "
                    + "(\(finding.change.rawValue), p Holm \(Format.pValue(finding.adjustedPValue)))", indent: 4)
            }
        }
        if !findings.notes.isEmpty {
            lines.append("")
            for note in findings.notes { add(note) }
        }
        let folder = directory ?? "the --out folder"
        lines.append("")
        add("Every figure: \(folder)/tables.md (printed with --verbose) and the CSVs beside it.")
        add("Charts: \(folder)/report.html")
        return lines.joined(separator: "\n") + "\n"
    }

    /// One block per level: its rate and noise floor, then two lines per arm, the verdicts in
    /// words and the Δs with their 95% CIs; each line with the indent its continuation takes.
    static func level(_ level: Findings.Level) -> [(String, Int)] {
        let floor = level.noiseFloor
        var heading = "At \(Format.load(level.load)) of the knee"
        if let rate = level.offeredRPS { heading += " (\(Format.rate(rate)) req/s)" }
        if let blocks = level.blocks { heading += ", \(blocks) blocks" }
        heading += ": noise floor (A/A MDE) p50 \(Format.significant(floor.p50))%, p99 \(Format.significant(floor.p99))%, "
            + "CPU \(Format.significant(floor.cpu))%"
        let column = level.arms.map(\.arm.count).max() ?? 0
        var lines = [(heading, 2)]
        for arm in level.arms {
            var verdicts = arm.verdictText
            if let ns = arm.nanosecondsPerRun { verdicts += " · \(Format.number(ns, 0)) ns/run" }
            lines.append(("  " + pad(arm.arm, column) + "  " + verdicts, column + 4))
            lines.append(("  " + pad("", column) + "  " + arm.metrics.map { "\($0.name) \(Format.delta($0.delta, $0.interval))" }
                .joined(separator: " · "), column + 4))
        }
        return lines
    }

    /// An accuracy line's fields. A new per-arm figure (the HTTP status agreement of issue 26,
    /// say) is one more element here, and one more column in the report's findings table.
    static func accuracyFields(_ accuracy: Findings.Accuracy) -> [String] {
        var fields = ["joined \(Format.number(accuracy.joinedPercent, 2))%"]
        var bias = "bias \(Format.signed(accuracy.worstBias, 2)) µs"
        if let place = accuracy.worstBiasWhere { bias += " (\(place))" }
        fields.append(bias)
        fields.append("p99 |err| \(Format.number(accuracy.worstP99Error, 1)) µs")
        if let topology = accuracy.topology {
            fields.append("topology P \(Format.number(topology.precision, 2)) R \(Format.number(topology.recall, 2))")
        }
        fields += statusFields(accuracy)
        return fields
    }

    /// Method and status against the truth: the worst row's agreement, and the services whose
    /// error rates equal the truth's; or why the variant has no status.
    static func statusFields(_ accuracy: Findings.Accuracy) -> [String] {
        var fields: [String] = []
        if let agreed = accuracy.statusAgreedPercent {
            fields.append("status \(Format.number(agreed, 2))%")
        } else if let reason = accuracy.noStatus {
            fields.append("no status: \(reason)")
        }
        if accuracy.errorRatesCompared > 0 {
            fields.append("error rates = truth for \(accuracy.errorRatesMatching)/\(accuracy.errorRatesCompared) services")
        }
        return fields
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    /// Breaks `line` at spaces so every piece fits `width` columns; a word longer than a line
    /// (a path, hostile text) is cut.
    static func wrap(_ line: String, width: Int = TerminalSummary.width, indent: Int = 2) -> [String] {
        guard line.count > width else { return [line] }
        let prefix = String(repeating: " ", count: min(indent, width / 2))
        var pieces: [String] = []
        var current = ""
        func cut() {
            while current.count > width {
                pieces.append(String(current.prefix(width)))
                current = prefix + current.dropFirst(width)
            }
        }
        for (index, word) in line.split(separator: " ", omittingEmptySubsequences: false).enumerated() {
            if index == 0 {
                current = String(word)
            } else if current.count + 1 + word.count <= width {
                current += " " + word
            } else {
                pieces.append(String(current.reversed().drop { $0 == " " }.reversed()))
                current = prefix + word
            }
            cut()
        }
        pieces.append(current)
        return pieces.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }
}
