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
        html += "<ul class=\"verdicts\">" + findings.levels.map { "<li>\(paragraph($0))</li>" }.joined() + "</ul>"
        var rows: [String] = []
        for level in findings.levels {
            for (index, arm) in level.arms.enumerated() {
                var row = "<tr>"
                if index == 0 {
                    var cell = "\(Format.load(level.load))"
                    if let rate = level.offeredRPS { cell += "<br><span class=\"verdict neutral\">\(Format.rate(rate)) req/s</span>" }
                    row += "<td class=\"arm\" rowspan=\"\(level.arms.count)\">\(cell)</td>"
                }
                row += "<td class=\"arm\">\(swatch(arm.arm, palette))</td>" + arm.metrics.map { metric in
                    "<td>\(SVG.escape(Format.delta(metric.delta, metric.interval)))<br><span class=\"verdict \(cssClass(metric.verdict))\">"
                        + "\(metric.verdict.rawValue)</span></td>"
                }.joined() + "<td>\(Format.number(arm.nanosecondsPerRun, 0))</td>"
                rows.append(row + "</tr>")
            }
            let floor = level.noiseFloor
            rows.append("<tr class=\"floor\"><td class=\"arm\" colspan=\"2\">noise floor (A/A MDE)</td><td>±\(Format.significant(floor.p50))%</td>"
                + "<td>±\(Format.significant(floor.p99))%</td><td>±\(Format.significant(floor.cpu))%</td><td></td></tr>")
        }
        if !rows.isEmpty {
            html += scrolling("<table><tr>" + ["load", "arm", "p50 Δ [95% CI]", "p99 Δ [95% CI]", "CPU/request Δ [95% CI]", "ns/run"]
                .map { "<th>\(SVG.escape($0))</th>" }.joined() + "</tr>" + rows.joined() + "</table>")
        }
        if !findings.accuracy.isEmpty {
            html += "<h3>Accuracy</h3><p class=\"note\">probe − truth per request; the worst figure over hops, vantages and levels.</p>"
            html += scrolling(table(
                header: ["arm", "joined %", "worst bias µs", "worst p99 |err| µs", "topology precision / recall", "method and status"],
                rows: findings.accuracy.map { accuracy in
                    [swatch(accuracy.arm, palette), Format.number(accuracy.joinedPercent, 2),
                     SVG.escape(Format.signed(accuracy.worstBias, 2) + (accuracy.worstBiasWhere.map { " (\($0))" } ?? "")),
                     Format.number(accuracy.worstP99Error, 1),
                     accuracy.topology.map { "\(Format.number($0.precision, 2)) / \(Format.number($0.recall, 2))" } ?? Format.missing,
                     TerminalSummary.statusFields(accuracy).isEmpty
                        ? Format.missing : SVG.escape(TerminalSummary.statusFields(accuracy).joined(separator: "; "))]
                }))
        }
        if !findings.notes.isEmpty {
            html += "<h3>Degraded or left out</h3><ul>" + findings.notes.map { "<li>\(SVG.escape($0))</li>" }.joined() + "</ul>"
        }
        return html + "</section>\n"
    }

    /// One level in words: what each arm changed beyond the noise floor, then the arms in
    /// which nothing was detected. "At 50% of the knee (768 req/s, 29 blocks): syscall/kernel:
    /// CPU per request +8.3% [+4.3, +17.1] (slower). …"
    static func paragraph(_ level: Findings.Level) -> String {
        var heading = "At \(Format.load(level.load)) of the baseline's knee"
        var details: [String] = []
        if let rate = level.offeredRPS { details.append("\(Format.rate(rate)) req/s") }
        if let blocks = level.blocks { details.append("\(blocks) blocks") }
        if !details.isEmpty { heading += " (\(details.joined(separator: ", ")))" }
        var text = "<b>\(SVG.escape(heading)):</b> "
        let quiet = level.arms.filter { $0.metrics.allSatisfy { $0.verdict == .notDetected } }.map(\.arm)
        for arm in level.arms where !quiet.contains(arm.arm) {
            let said = arm.metrics.filter { $0.verdict != .notDetected }.map { metric in
                "\(metric.name == "CPU" ? "CPU per request" : metric.name) \(Format.delta(metric.delta, metric.interval)) (\(metric.verdict.rawValue))"
            }
            text += "<b>\(SVG.escape(arm.arm))</b>: \(SVG.escape(said.joined(separator: "; ")))"
            if let ns = arm.nanosecondsPerRun { text += ", \(Format.number(ns, 0)) ns/run" }
            text += ". "
        }
        let floor = level.noiseFloor
        let floorText = "p50 ±\(Format.significant(floor.p50))%, p99 ±\(Format.significant(floor.p99))%, CPU ±\(Format.significant(floor.cpu))%"
        if quiet.isEmpty {
            text += SVG.escape("The noise floor: \(floorText).")
        } else {
            text += SVG.escape("Nothing detected above the noise floor (\(floorText)) for ") + quiet.map { "<b>\(SVG.escape($0))</b>" }
                .joined(separator: ", ") + "."
        }
        return text
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
