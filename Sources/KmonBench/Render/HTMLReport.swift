/// report.html: one self-contained page (inline CSS and SVG, no scripts, no network): the
/// findings first, then the charts, then every table.
public enum HTMLReport {
    public static func render(_ results: BenchResults) -> String {
        let palette = ArmPalette(results)
        var html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>kmon bench: \(SVG.escape(results.config.workload))</title>
            <style>
            body{font-family:sans-serif;margin:1.5em auto;padding:0 1em;max-width:1400px;color:#222}
            h2{margin-top:1.6em;border-bottom:1px solid #ddd}
            table{border-collapse:collapse;font-size:12px;margin:0.5em 0}
            th,td{border:1px solid #ccc;padding:3px 6px;text-align:right;white-space:nowrap}
            th:first-child,td:first-child,td.arm{text-align:left}
            th{background:#f4f4f4}
            .table-wrap{max-width:100%;overflow-x:auto;margin:0.5em 0 1em}
            .note{color:#555;font-size:13px;max-width:60em}
            .grid{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
            figure{margin:0;max-width:100%}
            figcaption{font-weight:bold;font-size:14px;margin:0.3em 0}
            svg{max-width:100%;height:auto;display:block}
            .swatch{display:inline-block;width:0.8em;height:0.8em;margin-right:0.4em;vertical-align:baseline}
            .verdict{font-size:11px}.verdict.slower{color:#b00}.verdict.faster{color:#070}.verdict.neutral{color:#666}
            ul.verdicts li{margin:0.4em 0;max-width:75em}
            tr.floor td{color:#666;font-size:11px;background:#fafafa}
            code{overflow-wrap:anywhere}
            </style></head><body>
            <h1>kmon bench: \(SVG.escape(results.config.workload)) over \(SVG.escape(results.config.network))</h1>

            """
        let environment = results.environment
        html += "<p class=\"note\">\(SVG.escape(results.startedAt)) · kernel \(SVG.escape(environment.kernel)) · "
        html += "\(SVG.escape(environment.cpu)) × \(environment.cores) · arms in place, \(results.config.lengths.blocks) blocks of "
        html += "\(Format.number(results.config.lengths.phaseSeconds, 2)) s phases · seed \(results.config.seed) · "
        html += "<code>\(SVG.escape(results.config.command))</code></p>\n"
        html += HTMLFindings.render(results, palette: palette)
        html += charts(results, palette: palette)
        html += "<h2>All tables</h2>"
        html += "<h3>Overhead</h3>" + table(TablesRenderer.overhead(results))
        html += "<h3>Noise floor</h3>" + table(TablesRenderer.noiseFloor(results))
        html += "<h3>Knee</h3>" + table(TablesRenderer.knee(results).components(separatedBy: "\n\n").last ?? "")
        html += "<h3>Program cost</h3>" + table(TablesRenderer.programs(results))
        html += "<h3>Saturation</h3>" + table(TablesRenderer.saturation(results))
        html += "<h3>Accuracy</h3><p class=\"note\">probe − truth per request, joined on (4-tuple, ordinal).</p>"
        html += table(TablesRenderer.accuracy(results))
        html += "<h3>Topology</h3>" + table(TablesRenderer.topology(results).components(separatedBy: "\n\n").last ?? "")
        if let gate = results.gate {
            html += "<h3>Gate: this build against \(SVG.escape(gate.baseObjects))</h3>"
            html += "<p class=\"note\"><b>gate: \(gate.outcome) (exit \(gate.exitCode))</b>; decided by: \(SVG.escape(gate.decision))</p>"
            html += table(TablesRenderer.gate(gate))
        }
        if !results.skipped.isEmpty {
            html += "<h3>Skipped arms</h3><ul>" + results.skipped.map {
                "<li><b>\(SVG.escape($0.arm))</b>: \(SVG.escape($0.reason))</li>"
            }.joined() + "</ul>"
        }
        if !results.invalidBlocks.isEmpty {
            html += "<h3>Invalid blocks</h3>" + table(TablesRenderer.invalidBlocks(results))
        }
        return html + "</body></html>\n"
    }

    /// A chart with its title above it.
    static func figure(_ title: String, _ svg: String, axes: Bool = true) -> String {
        "<figure class=\"chart\"\(axes ? "" : " data-axes=\"none\"")><figcaption>\(SVG.escape(title))</figcaption>\(svg)</figure>"
    }

    static func charts(_ results: BenchResults, palette: ArmPalette) -> String {
        let loads = results.config.loads
        var html = "<h2>Overhead</h2><p class=\"note\">Δ% against the baseline phases of the same blocks, with the bootstrap "
            + "95% CI; the grey band is that metric's A/A minimum detectable effect.</p>"
        for load in loads {
            let rows = results.overhead.filter { $0.load == load && $0.arm != "baseline" }
            guard !rows.isEmpty else { continue }
            let mde = results.noiseFloor.mdePercent[BenchSchedule.format(load)] ?? MetricMDE()
            let charts: [(String, Double?, (OverheadRow) -> (Double, [Double]?)?)] = [
                ("p50 latency", mde.p50, { row in row.p50DeltaPercent.map { ($0, row.p50DeltaCI) } }),
                ("CPU per request", mde.cpu, { row in row.cpuDeltaPercent.map { ($0, row.cpuDeltaCI) } }),
                ("p99 latency", mde.p99, { row in row.p99DeltaPercent.map { ($0, row.p99DeltaCI) } }),
            ]
            html += "<div class=\"grid\">"
            for (metric, floor, delta) in charts {
                let title = "\(metric) Δ at \(Format.load(load)) of the knee"
                html += figure(title, Charts.overheadBars(rows, palette: palette, title: title, mde: floor, delta: delta))
            }
            html += "</div>\n"
        }
        html += "<h2>Latency by percentile</h2><p class=\"note\">Client latency from the intended send time, pooled over blocks.</p><div class=\"grid\">"
        for load in loads {
            let series = results.charts.latencyCDF.filter { $0.load == load }
            guard !series.isEmpty else { continue }
            let title = "Latency by percentile at \(Format.load(load)) of the knee"
            html += figure(title, Charts.latencyCDF(series, palette: palette, title: title))
        }
        html += "</div>\n<h2>Phases over time</h2><p class=\"note\">Every measured phase, one line per arm: moves every arm "
            + "shares are the machine drifting or stalling; a steady gap between arms is a probe's cost.</p>"
        for load in loads {
            let phases = results.phases.filter { $0.load == load }
            guard !phases.isEmpty else { continue }
            for (name, unit, value) in [("p50 per phase", "p50 latency (µs, log)", { (phase: PhaseRecord) in phase.p50Microseconds }),
                                        ("CPU per request per phase", "CPU per request (µs, log)", { $0.cpuMicrosecondsPerRequest })] {
                let title = "\(name) at \(Format.load(load)) of the knee"
                html += figure(title, Charts.phaseSeries(phases, palette: palette, title: title, unit: unit, value: value))
            }
        }
        html += "\n<h2>Accuracy</h2><p class=\"note\">probe − truth per request, joined on (4-tuple, ordinal).</p><div class=\"grid\">"
        for histogram in results.charts.errorHistograms {
            let title = "\(histogram.arm) · \(histogram.vantage.rawValue) · \(histogram.hop) at \(Format.load(histogram.load))"
            html += figure(title, Charts.errorHistogram(histogram, palette: palette))
        }
        html += "</div>\n<h2>Topology</h2><p class=\"note\">Edge labels: observed / ground-truth requests. Dashed red: not in the spec.</p><div class=\"grid\">"
        for variant in results.topology.byVariant {
            html += figure("Topology seen by \(variant.variant)", Charts.topology(variant), axes: false)
        }
        return html + "</div>\n"
    }

    /// Turns one of TablesRenderer's Markdown tables into an HTML table.
    static func table(_ markdown: String) -> String {
        let lines = markdown.split(separator: "\n").filter { $0.hasPrefix("|") }
        guard lines.count >= 2 else { return "<p>\(SVG.escape(markdown))</p>" }
        func cells(_ line: Substring) -> [String] {
            line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { SVG.escape($0.trimmingCharacters(in: .whitespaces)) }
        }
        var html = "<div class=\"table-wrap\"><table><tr>" + cells(lines[0]).map { "<th>\($0)</th>" }.joined() + "</tr>"
        for line in lines.dropFirst(2) { html += "<tr>" + cells(line).map { "<td>\($0)</td>" }.joined() + "</tr>" }
        return html + "</table></div>\n"
    }
}
