/// report.html: one self-contained page (inline CSS and SVG, no scripts, no network) with the
/// tables and the charts.
public enum HTMLReport {
    public static func render(_ results: BenchResults) -> String {
        var html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <title>kmon bench: \(SVG.escape(results.config.workload))</title>
            <style>
            body{font-family:sans-serif;margin:2em;max-width:1400px;color:#222}
            table{border-collapse:collapse;font-size:12px;margin:1em 0}
            th,td{border:1px solid #ccc;padding:3px 6px;text-align:right;white-space:nowrap}
            th:first-child,td:first-child{text-align:left}
            th{background:#f4f4f4}
            .note{color:#555;font-size:13px;max-width:60em}
            .grid{display:flex;flex-wrap:wrap;gap:12px}
            </style></head><body>
            <h1>kmon bench: \(SVG.escape(results.config.workload)) over \(results.config.network)</h1>

            """
        let environment = results.environment
        html += "<p class=\"note\">\(SVG.escape(results.startedAt)) · kernel \(SVG.escape(environment.kernel)) · "
        html += "\(SVG.escape(environment.cpu)) × \(environment.cores) · arms in place, \(results.config.lengths.blocks) blocks of "
        html += "\(Format.number(results.config.lengths.phaseSeconds, 2)) s phases · seed \(results.config.seed) · "
        html += "<code>\(SVG.escape(results.config.command))</code></p>\n"
        if results.config.quick {
            html += "<p class=\"note\"><b>Quick run:</b> few blocks of short phases, so its figures are rough: CIs are wide and the tails are rough.</p>\n"
        }
        let loads = results.config.loads
        html += "<h2>Latency by percentile</h2><p class=\"note\">Client latency from the intended send time, pooled over blocks.</p><div class=\"grid\">"
        for load in loads {
            let series = results.charts.latencyCDF.filter { $0.load == load }
            guard !series.isEmpty else { continue }
            html += "<figure>\(Charts.latencyCDF(series, load: load))<figcaption>\(Format.load(load)) of the baseline's knee</figcaption></figure>"
        }
        html += "</div>\n<h2>Phases over time</h2><p class=\"note\">Every measured phase, one line per arm: moves every arm shares are the machine drifting or stalling; a steady gap between arms is a probe's cost.</p>"
        for load in loads {
            let phases = results.phases.filter { $0.load == load }
            guard !phases.isEmpty else { continue }
            html += "<figure>\(Charts.phaseSeries(phases, title: "p50 per phase", unit: "p50 µs") { $0.p50Microseconds })"
            html += "\(Charts.phaseSeries(phases, title: "CPU per request per phase", unit: "CPU µs/req") { $0.cpuMicrosecondsPerRequest })"
            html += "<figcaption>\(Format.load(load)) of the baseline's knee</figcaption></figure>"
        }
        html += "\n<h2>Overhead</h2><p class=\"note\">Δ% against the baseline phases of the same blocks, with the bootstrap 95% CI; the grey band is that metric's A/A minimum detectable effect.</p><div class=\"grid\">"
        for load in loads {
            let rows = results.overhead.filter { $0.load == load && $0.variant != "baseline" }
            guard !rows.isEmpty else { continue }
            let mde = results.noiseFloor.mdePercent[BenchSchedule.format(load)] ?? MetricMDE()
            let charts: [(String, Double?, (OverheadRow) -> (Double, [Double]?)?)] = [
                ("p50", mde.p50, { row in row.p50DeltaPercent.map { ($0, row.p50DeltaCI) } }),
                ("CPU", mde.cpu, { row in row.cpuDeltaPercent.map { ($0, row.cpuDeltaCI) } }),
                ("p99", mde.p99, { row in row.p99DeltaPercent.map { ($0, row.p99DeltaCI) } }),
            ]
            for (metric, floor, delta) in charts {
                html += "<figure>\(Charts.overheadBars(rows, metric: metric, mde: floor, delta: delta))<figcaption>\(metric) at \(Format.load(load)) of the knee</figcaption></figure>"
            }
        }
        html += "</div>\n" + table(TablesRenderer.overhead(results))
        html += "<h2>Noise floor</h2>" + table(TablesRenderer.noiseFloor(results))
        html += "<h2>Knee</h2>" + table(TablesRenderer.knee(results).components(separatedBy: "\n\n").last ?? "")
        html += "<h2>Program cost</h2>" + table(TablesRenderer.programs(results))
        html += "<h2>Saturation</h2>" + table(TablesRenderer.saturation(results))
        html += "<h2>Accuracy</h2><p class=\"note\">probe − truth per request, joined on (4-tuple, ordinal).</p><div class=\"grid\">"
        for histogram in results.charts.errorHistograms {
            html += "<figure>\(Charts.errorHistogram(histogram))<figcaption>\(Format.load(histogram.load))</figcaption></figure>"
        }
        html += "</div>\n" + table(TablesRenderer.accuracy(results))
        html += "<h2>Topology</h2><p class=\"note\">Edge labels: observed / ground-truth requests. Dashed red: not in the spec.</p><div class=\"grid\">"
        for variant in results.topology.byVariant {
            html += "<figure>\(Charts.topology(variant))<figcaption>\(SVG.escape(variant.variant))</figcaption></figure>"
        }
        html += "</div>\n" + table(TablesRenderer.topology(results).components(separatedBy: "\n\n").last ?? "")
        if let gate = results.gate {
            html += "<h2>Gate: this build against \(SVG.escape(gate.baseObjects))</h2>"
            html += "<p class=\"note\"><b>gate: \(gate.outcome) (exit \(gate.exitCode))</b>; decided by: \(SVG.escape(gate.decision))</p>"
            html += table(TablesRenderer.gate(gate))
        }
        if !results.skipped.isEmpty {
            html += "<h2>Skipped arms</h2><ul>" + results.skipped.map {
                "<li><b>\(SVG.escape($0.variant))</b>: \(SVG.escape($0.reason))</li>"
            }.joined() + "</ul>"
        }
        if !results.invalidBlocks.isEmpty {
            html += "<h2>Invalid blocks</h2>" + table(TablesRenderer.invalidBlocks(results))
        }
        return html + "</body></html>\n"
    }

    /// Turns one of TablesRenderer's Markdown tables into an HTML table.
    static func table(_ markdown: String) -> String {
        let lines = markdown.split(separator: "\n").filter { $0.hasPrefix("|") }
        guard lines.count >= 2 else { return "<p>\(SVG.escape(markdown))</p>" }
        func cells(_ line: Substring) -> [String] {
            line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { SVG.escape($0.trimmingCharacters(in: .whitespaces)) }
        }
        var html = "<table><tr>" + cells(lines[0]).map { "<th>\($0)</th>" }.joined() + "</tr>"
        for line in lines.dropFirst(2) { html += "<tr>" + cells(line).map { "<td>\($0)</td>" }.joined() + "</tr>" }
        return html + "</table>\n"
    }
}
