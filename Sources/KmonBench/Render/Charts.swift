import Foundation

/// The report's charts, each a function from results to one SVG element.
enum Charts {
    /// Latency by percentile, HdrHistogram style: the x axis spreads the tail on a log scale of
    /// 1/(1 − q), so p99 and p99.9 get as much room as the median; the y axis is logarithmic too,
    /// so a tail ten times the median does not flatten the body.
    static func latencyCDF(_ series: [LatencyCDF], load: Double) -> String {
        let width = 640.0, height = 300.0, left = 60.0, right = 130.0, top = 20.0, bottom = 40.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let maxQuantile = 0.9999
        func x(_ q: Double) -> Double { left + log10(1 / (1 - min(q, maxQuantile))) / log10(1 / (1 - maxQuantile)) * plotWidth }
        let values = series.flatMap { $0.points.filter { $0[0] <= maxQuantile }.map { max($0[1], 0.001) } }
        let axis = LogAxis(low: values.min() ?? 1, high: values.max() ?? 10)
        func y(_ us: Double) -> Double { top + plotHeight - axis.fraction(us) * plotHeight }
        var body: [String] = []
        for tick in axis.ticks {
            body.append(SVG.line(left, y(tick), left + plotWidth, y(tick), stroke: "#eee"))
            body.append(SVG.text(left - 6, y(tick) + 4, Format.number(tick, tick < 10 ? 1 : 0), anchor: "end", size: 10))
        }
        for (q, label) in [(0.0, "p0"), (0.5, "p50"), (0.9, "p90"), (0.99, "p99"), (0.999, "p99.9"), (0.9999, "p99.99")] {
            body.append(SVG.line(x(q), top, x(q), top + plotHeight, stroke: "#eee"))
            body.append(SVG.text(x(q), top + plotHeight + 14, label, anchor: "middle", size: 10))
        }
        body.append(SVG.text(12, top + plotHeight / 2, "µs (log)", anchor: "middle", size: 10))
        for (index, curve) in series.enumerated() {
            let points = curve.points.filter { $0[0] <= maxQuantile }.map { (x($0[0]), y(max($0[1], 0.001))) }
            body.append(SVG.polyline(points, stroke: SVG.color(index)))
            body += legend(curve.arm, index: index, x: width - right + 10, top: top)
        }
        return SVG.document(width: Int(width), height: Int(height), title: "Latency by percentile at \(Format.load(load))", body: body)
    }

    /// One metric of every phase over the run's time, a line per arm: drift and stalls show as
    /// moves that every arm shares, a probe's cost as a gap between arms.
    static func phaseSeries(_ phases: [PhaseRecord], title: String, unit: String, value: (PhaseRecord) -> Double?) -> String {
        let width = 900.0, height = 260.0, left = 60.0, right = 130.0, top = 20.0, bottom = 34.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let arms = phases.reduce(into: [String]()) { if !$0.contains($1.arm) { $0.append($1.arm) } }
        let values = phases.compactMap(value).filter { $0 > 0 }
        let start = phases.map(\.startSeconds).min() ?? 0, end = phases.map { $0.startSeconds + $0.seconds }.max() ?? 1
        let axis = LogAxis(low: values.min() ?? 1, high: values.max() ?? 10)
        func x(_ seconds: Double) -> Double { left + (seconds - start) / max(end - start, 1e-9) * plotWidth }
        func y(_ v: Double) -> Double { top + plotHeight - axis.fraction(v) * plotHeight }
        var body: [String] = []
        for tick in axis.ticks {
            body.append(SVG.line(left, y(tick), left + plotWidth, y(tick), stroke: "#eee"))
            body.append(SVG.text(left - 6, y(tick) + 4, Format.number(tick, tick < 10 ? 1 : 0), anchor: "end", size: 10))
        }
        for tick in SVG.ticks(start, end) where tick >= start {
            body.append(SVG.text(x(tick), top + plotHeight + 14, Format.number(tick, 0) + " s", anchor: "middle", size: 10))
        }
        body.append(SVG.text(12, top + plotHeight / 2, unit, anchor: "middle", size: 10))
        for (index, arm) in arms.enumerated() {
            let points = phases.filter { $0.arm == arm }.compactMap { phase in
                value(phase).flatMap { $0 > 0 ? (x(phase.startSeconds + phase.seconds / 2), y($0)) : nil }
            }
            body.append(SVG.polyline(points, stroke: SVG.color(index)))
            body += legend(arm, index: index, x: width - right + 10, top: top)
        }
        return SVG.document(width: Int(width), height: Int(height), title: title, body: body)
    }

    static func legend(_ name: String, index: Int, x: Double, top: Double) -> [String] {
        let legendY = top + 14 * Double(index) + 6
        return [SVG.line(x, legendY, x + 18, legendY, stroke: SVG.color(index), width: 2.5),
                SVG.text(x + 22, legendY + 4, name, size: 11)]
    }

    /// One metric's Δ% per arm as bars with their 95% CI, the metric's MDE band shaded around zero.
    static func overheadBars(_ rows: [OverheadRow], metric: String, mde: Double?,
                             delta: (OverheadRow) -> (Double, [Double]?)?) -> String {
        let measured = rows.compactMap { row in delta(row).map { (row.arm, $0.0, $0.1) } }
        let width = 640.0, rowHeight = 26.0, left = 130.0, right = 30.0, top = 20.0
        let height = top + rowHeight * Double(max(measured.count, 1)) + 30
        var extremes: [Double] = [mde ?? 0, 1]
        for (_, value, ci) in measured { extremes += [value] + (ci ?? []) }
        let limit = (extremes.map { abs($0) }.max() ?? 1) * 1.1
        let plotWidth = width - left - right
        func x(_ value: Double) -> Double { left + (value + limit) / (2 * limit) * plotWidth }
        var body: [String] = []
        if let mde {
            body.append(SVG.rect(x(-mde), top - 6, x(mde) - x(-mde), rowHeight * Double(measured.count) + 6,
                                 fill: "#f0f0f0"))
            body.append(SVG.text(x(mde) + 3, top - 8, "MDE ±\(Format.number(mde))%", size: 9, extra: "fill=\"#777\""))
        }
        for tick in SVG.ticks(-limit, limit) {
            body.append(SVG.text(x(tick), height - 12, Format.signed(tick, 0) + "%", anchor: "middle", size: 10))
        }
        body.append(SVG.line(x(0), top - 6, x(0), height - 26, stroke: "#444"))
        for (index, (arm, value, ci)) in measured.enumerated() {
            let centre = top + rowHeight * Double(index) + rowHeight / 2
            body.append(SVG.text(left - 8, centre + 4, arm, anchor: "end"))
            body.append(SVG.rect(min(x(0), x(value)), centre - 7, abs(x(value) - x(0)), 14, fill: SVG.color(index + 1),
                                 extra: "fill-opacity=\"0.7\""))
            if let ci, ci.count == 2 {
                body.append(SVG.line(x(ci[0]), centre, x(ci[1]), centre, stroke: "#222", width: 1.5))
                body.append(SVG.line(x(ci[0]), centre - 5, x(ci[0]), centre + 5, stroke: "#222", width: 1.5))
                body.append(SVG.line(x(ci[1]), centre - 5, x(ci[1]), centre + 5, stroke: "#222", width: 1.5))
            }
        }
        return SVG.document(width: Int(width), height: Int(height), title: "\(metric) overhead with 95% CI", body: body)
    }

    /// One small histogram of probe − truth per request.
    static func errorHistogram(_ histogram: ErrorHistogram) -> String {
        let width = 300.0, height = 150.0, left = 10.0, right = 10.0, top = 20.0, bottom = 32.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let highest = Double(histogram.counts.max() ?? 1)
        let barWidth = plotWidth / Double(max(histogram.counts.count, 1))
        var body = [SVG.text(left, 12, "\(histogram.arm) · \(histogram.vantage.rawValue) · \(histogram.hop)", size: 10)]
        for (index, count) in histogram.counts.enumerated() {
            let barHeight = Double(count) / max(highest, 1) * plotHeight
            body.append(SVG.rect(left + barWidth * Double(index), top + plotHeight - barHeight, barWidth - 0.5, barHeight,
                                 fill: SVG.color(0)))
        }
        let low = histogram.lowMicroseconds, high = low + histogram.binMicroseconds * Double(histogram.counts.count)
        if low < 0 && high > 0 {
            let zero = left + (0 - low) / (high - low) * plotWidth
            body.append(SVG.line(zero, top, zero, top + plotHeight, stroke: "#d62728", extra: "stroke-dasharray=\"3,2\""))
        }
        body.append(SVG.text(left, height - 16, Format.number(low, 1) + " µs", size: 9))
        body.append(SVG.text(width - right, height - 16, Format.number(high, 1) + " µs", anchor: "end", size: 9))
        body.append(SVG.text(width / 2, height - 4, "probe − truth", anchor: "middle", size: 9))
        return SVG.document(width: Int(width), height: Int(height), title: "error histogram", body: body)
    }

    /// Services in columns by call depth from the client, edges labelled with observed/truth
    /// requests; dashed red for edges the spec does not have, grey for spec edges not observed.
    static func topology(_ variant: VariantTopology) -> String {
        let edges = variant.edges
        var depth: [String: Int] = ["client": 0]
        var changed = true
        while changed {
            changed = false
            for edge in edges where edge.inSpec || edge.observedRequests != nil {
                if let d = depth[edge.from], (depth[edge.to] ?? Int.max) > d + 1, d < 16 {
                    depth[edge.to] = d + 1
                    changed = true
                }
            }
        }
        for edge in edges {
            if depth[edge.from] == nil { depth[edge.from] = 0 }
            if depth[edge.to] == nil { depth[edge.to] = (depth[edge.from] ?? 0) + 1 }
        }
        let columns = Dictionary(grouping: depth.keys.sorted(), by: { depth[$0]! })
        let columnCount = (columns.keys.max() ?? 0) + 1
        let rowsMax = columns.values.map(\.count).max() ?? 1
        let width = Double(max(columnCount, 2)) * 170, height = Double(rowsMax) * 70 + 30
        var position: [String: (Double, Double)] = [:]
        for (column, names) in columns {
            for (row, name) in names.enumerated() {
                position[name] = (80 + Double(column) * 170, 40 + Double(row) * 70 + (height - 30 - Double(names.count) * 70) / 2)
            }
        }
        var body = ["<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>"]
        for edge in edges {
            guard let from = position[edge.from], let to = position[edge.to] else { continue }
            let stroke = !edge.inSpec ? "#d62728" : (edge.observedRequests == nil ? "#bbb" : "#555")
            let dash = edge.inSpec ? "" : "stroke-dasharray=\"4,3\""
            body.append(SVG.line(from.0 + 55, from.1, to.0 - 57, to.1, stroke: stroke, width: 1.5,
                                 extra: "marker-end=\"url(#arrow)\" \(dash)"))
            let label = "\(edge.observedRequests.map(String.init) ?? "—") / \(edge.truthRequests.map(String.init) ?? "—")"
            body.append(SVG.text((from.0 + to.0) / 2, (from.1 + to.1) / 2 - 6, label, anchor: "middle", size: 9))
        }
        for (name, point) in position.sorted(by: { $0.key < $1.key }) {
            body.append(SVG.rect(point.0 - 55, point.1 - 14, 110, 28, fill: "#eef3fb", extra: "stroke=\"#1f77b4\" rx=\"6\""))
            body.append(SVG.text(point.0, point.1 + 4, name, anchor: "middle"))
        }
        return SVG.document(width: Int(width), height: Int(height), title: "topology of \(variant.variant)", body: body)
    }
}

/// A base-10 logarithmic axis over [low, high], with ticks at 1, 2 and 5 of each decade.
struct LogAxis {
    let low: Double
    let high: Double

    init(low: Double, high: Double) {
        let floor = max(min(low, high), 1e-3)
        self.low = pow(10, Foundation.floor(log10(floor) * 4) / 4)
        self.high = max(pow(10, ceil(log10(max(high, floor * 1.01)) * 4) / 4), self.low * 1.5)
    }

    func fraction(_ value: Double) -> Double {
        (log10(max(value, low)) - log10(low)) / (log10(high) - log10(low))
    }

    var ticks: [Double] {
        var ticks: [Double] = []
        var decade = pow(10, Foundation.floor(log10(low)))
        while decade <= high {
            for step in [1.0, 2, 5] where decade * step >= low && decade * step <= high { ticks.append(decade * step) }
            decade *= 10
        }
        return ticks
    }
}
