import Foundation

/// The accuracy section's charts: per-request error histograms and the observed topology.
extension Charts {
    /// One small histogram of probe − truth per request, in the arm's colour.
    static func errorHistogram(_ histogram: ErrorHistogram, palette: ArmPalette) -> String {
        let width = 320.0, height = 160.0, left = 10.0, right = 10.0, top = 24.0, bottom = 36.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let highest = Double(histogram.counts.max() ?? 1)
        let barWidth = plotWidth / Double(max(histogram.counts.count, 1))
        let color = palette.color(histogram.arm)
        var body = ["<g class=\"legend-entry\" \(SVG.arm(histogram.arm))>"
            + SVG.rect(left, 6, 10, 10, fill: color, extra: SVG.arm(histogram.arm))
            + SVG.text(left + 14, 15, "\(histogram.arm): requests per bin", size: 10) + "</g>",
            SVG.text(width - right, 15, "dashed: zero error", anchor: "end", size: 9, extra: "fill=\"#555\"")]
        for (index, count) in histogram.counts.enumerated() {
            let barHeight = Double(count) / max(highest, 1) * plotHeight
            body.append(SVG.rect(left + barWidth * Double(index), top + plotHeight - barHeight, max(barWidth - 0.5, 0), barHeight,
                                 fill: color, extra: SVG.arm(histogram.arm)))
        }
        let low = histogram.lowMicroseconds, high = low + histogram.binMicroseconds * Double(histogram.counts.count)
        if low < 0 && high > 0 {
            let zero = left + (0 - low) / (high - low) * plotWidth
            body.append(SVG.line(zero, top, zero, top + plotHeight, stroke: "#222", extra: "stroke-dasharray=\"3,2\""))
        }
        let places = Format.decimals(forMagnitude: max(abs(low), abs(high)), digits: 3)
        body.append(SVG.text(left, top + plotHeight + 13, Format.number(low, places), size: 9))
        body.append(SVG.text(width - right, top + plotHeight + 13, Format.number(high, places), anchor: "end", size: 9))
        body.append(SVG.axisLabel(width / 2, height - 6, "probe − truth (µs)"))
        let title = "\(histogram.arm) · \(histogram.vantage.rawValue) · \(histogram.hop) at \(Format.load(histogram.load))"
        return SVG.document(width: Int(width), height: Int(height), title: title, body: body)
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
        let width = max(Double(columnCount) * 170, 400), height = Double(rowsMax) * 70 + 50
        var position: [String: (Double, Double)] = [:]
        for (column, names) in columns {
            for (row, name) in names.enumerated() {
                position[name] = (80 + Double(column) * 170, 40 + Double(row) * 70 + (height - 50 - Double(names.count) * 70) / 2)
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
            body.append(SVG.text(point.0, point.1 + 4, name, anchor: "middle", size: name.count > 16 ? 9 : 11))
        }
        let legendY = height - 12
        for (index, (stroke, dash, label)) in [("#555", "", "observed / truth requests"), ("#d62728", "4,3", "not in the spec"),
                                                 ("#bbb", "", "in the spec, not seen")].enumerated() {
            let x = 10 + Double(index) * 130
            body.append("<g class=\"legend-entry\">" + SVG.line(x, legendY - 3, x + 18, legendY - 3, stroke: stroke, width: 1.5,
                extra: dash.isEmpty ? "" : "stroke-dasharray=\"\(dash)\"") + SVG.text(x + 22, legendY, label, size: 9) + "</g>")
        }
        return SVG.document(width: Int(width), height: Int(height), title: "topology of \(variant.variant)", body: body)
    }
}
