/// The top of report.html: what the run found, in words and in one compact table per level,
/// before any chart, the same verdicts as the terminal summary.
enum HTMLFindings {
    static func render(_ results: BenchResults, palette: ArmPalette) -> String {
        let findings = Findings(results)
        var html = "<section id=\"findings\"><h2>Findings</h2>"
        if results.config.quick {
            html += "<p class=\"note\"><b>Quick run:</b> few blocks of short phases, so its figures are rough: CIs are wide and the tails are rough.</p>"
        }
        if findings.levels.isEmpty { html += "<p>No load level measured an arm against the baseline.</p>" }
        for level in findings.levels {
            let floor = level.noiseFloor
            var heading = "At \(Format.load(level.load)) of the baseline's knee"
            if let rate = level.offeredRPS { heading += " (\(Format.rate(rate)) req/s)" }
            if let blocks = level.blocks { heading += ", \(blocks) blocks" }
            html += "<h3>\(SVG.escape(heading))</h3><ul class=\"verdicts\">"
            for arm in level.arms { html += "<li>\(sentence(arm, load: level.load))</li>" }
            html += "</ul><p class=\"note\">The noise floor (A/A minimum detectable effect): p50 ±\(Format.significant(floor.p50))%, "
                + "p99 ±\(Format.significant(floor.p99))%, CPU ±\(Format.significant(floor.cpu))%. A Δ inside it is \"not detected\".</p>"
            html += scrolling(table(
                header: ["arm", "p50 Δ [95% CI]", "p99 Δ [95% CI]", "CPU/request Δ [95% CI]", "ns/run"],
                rows: level.arms.map { arm in
                    [swatch(arm.arm, palette)] + arm.metrics.map { metric in
                        "\(SVG.escape(Format.delta(metric.delta, metric.interval)))<br><span class=\"verdict \(cssClass(metric.verdict))\">"
                            + "\(metric.verdict.rawValue)</span>"
                    } + [Format.number(arm.nanosecondsPerRun, 0)]
                }))
        }
        if !findings.accuracy.isEmpty {
            html += "<h3>Accuracy</h3><p class=\"note\">probe − truth per request; the worst figure over hops, vantages and levels.</p>"
            html += scrolling(table(
                header: ["arm", "joined %", "worst bias µs", "worst p99 |err| µs", "topology precision / recall"],
                rows: findings.accuracy.map { accuracy in
                    [swatch(accuracy.arm, palette), Format.number(accuracy.joinedPercent, 2),
                     SVG.escape(Format.signed(accuracy.worstBias, 2) + (accuracy.worstBiasWhere.map { " (\($0))" } ?? "")),
                     Format.number(accuracy.worstP99Error, 1),
                     accuracy.topology.map { "\(Format.number($0.precision, 2)) / \(Format.number($0.recall, 2))" } ?? Format.missing]
                }))
        }
        if !findings.notes.isEmpty {
            html += "<h3>Degraded or left out</h3><ul>" + findings.notes.map { "<li>\(SVG.escape($0))</li>" }.joined() + "</ul>"
        }
        return html + "</section>\n"
    }

    /// "sock/kernel: CPU +3.4% [+2.5, +3.7] per request (slower); p50 +0.1% [..] (not detected); …"
    static func sentence(_ arm: Findings.Arm, load: Double) -> String {
        let metrics = arm.metrics.map { metric in
            let label = metric.name == "CPU" ? "CPU per request" : metric.name
            return "\(label) \(Format.delta(metric.delta, metric.interval)) (\(metric.verdict.rawValue))"
        }
        var text = "<b>\(SVG.escape(arm.arm))</b>: " + SVG.escape(metrics.joined(separator: "; "))
        if let ns = arm.nanosecondsPerRun { text += "; its programs took \(Format.number(ns, 0)) ns per run" }
        return text + "."
    }

    static func swatch(_ arm: String, _ palette: ArmPalette) -> String {
        "<span class=\"swatch\" \(SVG.arm(arm)) style=\"background:\(palette.color(arm))\"></span>\(SVG.escape(arm))"
    }

    static func cssClass(_ verdict: Verdict) -> String {
        switch verdict {
        case .slower: "slower"
        case .faster: "faster"
        default: "neutral"
        }
    }

    /// Cells are HTML already (escaped by the caller).
    static func table(header: [String], rows: [[String]]) -> String {
        "<table><tr>" + header.map { "<th>\(SVG.escape($0))</th>" }.joined() + "</tr>"
            + rows.map { "<tr>" + $0.map { "<td>\($0)</td>" }.joined() + "</tr>" }.joined() + "</table>"
    }

    /// A table scrolls inside its own box instead of running off the page.
    static func scrolling(_ table: String) -> String { "<div class=\"table-wrap\">\(table)</div>\n" }
}
