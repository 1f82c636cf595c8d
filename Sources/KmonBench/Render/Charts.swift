import Foundation

/// The report's charts, each a function from results to one SVG element. Every arm keeps its
/// colour from `ArmPalette` in every chart; titles are the figures' captions, above the charts
/// (HTMLReport); axis labels name their unit and sit inside the SVG.
enum Charts {
    /// Latency by percentile, HdrHistogram style: the x axis spreads the tail on a log scale of
    /// 1/(1 − q), so p99 and p99.9 get as much room as the median; the y axis is logarithmic too,
    /// so a tail ten times the median does not flatten the body.
    static func latencyCDF(_ series: [LatencyCDF], palette: ArmPalette, title: String) -> String {
        let ordered = palette.sorted(series.map(\.arm)).compactMap { arm in series.first { $0.arm == arm } }
        let right = legendWidth(ordered.map(\.arm))
        let width = 520 + right, height = 300.0, left = 64.0, top = 16.0, bottom = 44.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let maxQuantile = 0.9999
        func x(_ q: Double) -> Double { left + log10(1 / (1 - min(q, maxQuantile))) / log10(1 / (1 - maxQuantile)) * plotWidth }
        let values = ordered.flatMap { $0.points.filter { $0[0] <= maxQuantile }.map { max($0[1], 0.001) } }
        let axis = LogAxis(low: values.min() ?? 1, high: values.max() ?? 10)
        func y(_ us: Double) -> Double { top + plotHeight - axis.fraction(us) * plotHeight }
        var body = logTicks(axis, left: left, right: left + plotWidth, y: y)
        for (q, label) in [(0.0, "p0"), (0.5, "p50"), (0.9, "p90"), (0.99, "p99"), (0.999, "p99.9"), (0.9999, "p99.99")] {
            body.append(SVG.line(x(q), top, x(q), top + plotHeight, stroke: "#eee"))
            body.append(SVG.text(x(q), top + plotHeight + 14, label, anchor: "middle", size: 10))
        }
        body.append(SVG.axisLabel(14, top + plotHeight / 2, "latency (µs, log)", vertical: true))
        body.append(SVG.axisLabel(left + plotWidth / 2, height - 8, "percentile (on a log scale of 1/(1 − q))"))
        for curve in ordered {
            let points = curve.points.filter { $0[0] <= maxQuantile }.map { (x($0[0]), y(max($0[1], 0.001))) }
            body.append(SVG.polyline(points, stroke: palette.color(curve.arm), extra: SVG.arm(curve.arm)))
        }
        body += legend(ordered.map(\.arm), palette: palette, x: width - right + 10, top: top)
        return SVG.document(width: Int(width), height: Int(height), title: title, body: body)
    }

    /// One metric of every phase over the run's time, a line per arm: drift and stalls show as
    /// moves that every arm shares, a probe's cost as a gap between arms.
    static func phaseSeries(_ phases: [PhaseRecord], palette: ArmPalette, title: String, unit: String,
                            value: (PhaseRecord) -> Double?) -> String {
        let arms = palette.sorted(phases.reduce(into: [String]()) { if !$0.contains($1.arm) { $0.append($1.arm) } })
        let right = legendWidth(arms)
        let width = 780 + right, height = 260.0, left = 64.0, top = 16.0, bottom = 42.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let values = phases.compactMap(value).filter { $0 > 0 }
        let start = phases.map(\.startSeconds).min() ?? 0, end = phases.map { $0.startSeconds + $0.seconds }.max() ?? 1
        let axis = LogAxis(low: values.min() ?? 1, high: values.max() ?? 10)
        func x(_ seconds: Double) -> Double { left + (seconds - start) / max(end - start, 1e-9) * plotWidth }
        func y(_ v: Double) -> Double { top + plotHeight - axis.fraction(v) * plotHeight }
        var body = logTicks(axis, left: left, right: left + plotWidth, y: y)
        let ticks = SVG.ticks(start, end).filter { $0 >= start }
        let places = Format.tickDecimals(step: ticks.count > 1 ? ticks[1] - ticks[0] : 1)
        for tick in ticks {
            body.append(SVG.text(x(tick), top + plotHeight + 14, Format.number(tick, places), anchor: "middle", size: 10))
        }
        body.append(SVG.axisLabel(14, top + plotHeight / 2, unit, vertical: true))
        body.append(SVG.axisLabel(left + plotWidth / 2, height - 8, "time since the run started (s)"))
        for arm in arms {
            let points = phases.filter { $0.arm == arm }.compactMap { phase in
                value(phase).flatMap { $0 > 0 ? (x(phase.startSeconds + phase.seconds / 2), y($0)) : nil }
            }
            body.append(SVG.polyline(points, stroke: palette.color(arm), extra: SVG.arm(arm)))
        }
        body += legend(arms, palette: palette, x: width - right + 10, top: top)
        return SVG.document(width: Int(width), height: Int(height), title: title, body: body)
    }

    /// One metric's Δ% per arm as bars in the arm's colour with their 95% CI, the metric's
    /// MDE band shaded around zero. The arm names at the left, each with its swatch, are the legend.
    static func overheadBars(_ rows: [OverheadRow], palette: ArmPalette, title: String, mde: Double?,
                             delta: (OverheadRow) -> (Double, [Double]?)?) -> String {
        let measured = palette.sorted(rows.map(\.arm)).compactMap { arm in
            rows.first { $0.arm == arm }.flatMap { row in delta(row).map { (arm, $0.0, $0.1) } }
        }
        let rowHeight = 26.0, left = 30 + (measured.map { SVG.textWidth($0.0) }.max() ?? 40), right = 30.0, top = 30.0
        let width = 300 + left, height = top + rowHeight * Double(max(measured.count, 1)) + 44
        var extremes: [Double] = [mde ?? 0]
        for (_, value, ci) in measured { extremes += [value] + (ci ?? []) }
        let limit = max(extremes.filter(\.isFinite).map { abs($0) }.max() ?? 0, 0.01) * 1.15
        let plotWidth = width - left - right, plotBottom = top + rowHeight * Double(measured.count)
        func x(_ value: Double) -> Double { left + (value + limit) / (2 * limit) * plotWidth }
        var body: [String] = []
        if let mde {
            body.append(SVG.rect(x(-mde), top - 6, x(mde) - x(-mde), plotBottom - top + 6, fill: "#ececec"))
        }
        body.append(SVG.text(width - right, 12, "grey: A/A noise floor (MDE) ±\(Format.significant(mde))% · whiskers: 95% CI",
                             anchor: "end", size: 9, extra: "fill=\"#555\" class=\"legend-note\""))
        let ticks = SVG.ticks(-limit, limit)
        let places = Format.tickDecimals(step: ticks.count > 1 ? ticks[1] - ticks[0] : 1)
        for tick in ticks {
            body.append(SVG.line(x(tick), plotBottom, x(tick), plotBottom + 4, stroke: "#888"))
            body.append(SVG.text(x(tick), plotBottom + 16, abs(tick) < 1e-12 ? "0" : Format.signed(tick, places), anchor: "middle", size: 10))
        }
        body.append(SVG.axisLabel(left + plotWidth / 2, height - 8, "Δ% against the baseline in the same blocks"))
        body.append(SVG.line(x(0), top - 6, x(0), plotBottom, stroke: "#444"))
        for (index, (arm, value, ci)) in measured.enumerated() {
            let centre = top + rowHeight * Double(index) + rowHeight / 2
            body.append("<g class=\"legend-entry\" \(SVG.arm(arm))>"
                + SVG.rect(8, centre - 5, 10, 10, fill: palette.color(arm), extra: SVG.arm(arm))
                + SVG.text(22, centre + 4, arm) + "</g>")
            body.append(SVG.rect(min(x(0), x(value)), centre - 7, abs(x(value) - x(0)), 14, fill: palette.color(arm),
                                 extra: "fill-opacity=\"0.75\" " + SVG.arm(arm)))
            if let ci, ci.count == 2 {
                body.append(SVG.line(x(ci[0]), centre, x(ci[1]), centre, stroke: "#222", width: 1.5))
                body.append(SVG.line(x(ci[0]), centre - 5, x(ci[0]), centre + 5, stroke: "#222", width: 1.5))
                body.append(SVG.line(x(ci[1]), centre - 5, x(ci[1]), centre + 5, stroke: "#222", width: 1.5))
            }
        }
        return SVG.document(width: Int(width), height: Int(height), title: title, body: body)
    }

    /// Horizontal grid lines and labels of a logarithmic y axis, with the decimals small ticks need.
    static func logTicks(_ axis: LogAxis, left: Double, right: Double, y: (Double) -> Double) -> [String] {
        axis.ticks.flatMap { tick in
            [SVG.line(left, y(tick), right, y(tick), stroke: "#eee"),
             SVG.text(left - 6, y(tick) + 4, Format.number(tick, tick < 1 ? Format.tickDecimals(step: tick) : 0),
                      anchor: "end", size: 10)]
        }
    }

    static func legendWidth(_ arms: [String]) -> Double { 44 + (arms.map { SVG.textWidth($0) }.max() ?? 40) }

    /// A swatch and a name per arm, in the palette's order.
    static func legend(_ arms: [String], palette: ArmPalette, x: Double, top: Double) -> [String] {
        arms.enumerated().map { index, arm in
            let legendY = top + 16 * Double(index) + 6
            return "<g class=\"legend-entry\" \(SVG.arm(arm))>"
                + SVG.line(x, legendY, x + 18, legendY, stroke: palette.color(arm), width: 2.5, extra: SVG.arm(arm))
                + SVG.text(x + 22, legendY + 4, arm, size: 11) + "</g>"
        }
    }
}
