import Foundation

/// Tiny helpers for hand-written inline SVG: the report must open offline, with no scripts or
/// fonts fetched from anywhere.
enum SVG {
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f"]

    static func color(_ index: Int) -> String { palette[index % palette.count] }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func n(_ value: Double) -> String { String(format: "%.1f", value) }

    static func text(_ x: Double, _ y: Double, _ content: String, anchor: String = "start", size: Int = 11,
                     extra: String = "") -> String {
        "<text x=\"\(n(x))\" y=\"\(n(y))\" font-size=\"\(size)\" text-anchor=\"\(anchor)\" \(extra)>\(escape(content))</text>"
    }

    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = "#999", width: Double = 1,
                     extra: String = "") -> String {
        "<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\" \(extra)/>"
    }

    static func polyline(_ points: [(Double, Double)], stroke: String, extra: String = "") -> String {
        let coordinates = points.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
        return "<polyline fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"1.8\" points=\"\(coordinates)\" \(extra)/>"
    }

    /// An axis's name and unit, upright under the x axis or turned along the y axis, so it
    /// never runs off the chart's left edge.
    static func axisLabel(_ x: Double, _ y: Double, _ content: String, vertical: Bool = false) -> String {
        let turn = vertical ? "transform=\"rotate(-90 \(n(x)) \(n(y)))\" " : ""
        return text(x, y, content, anchor: "middle", size: 10, extra: turn + "class=\"axis-label\" fill=\"#444\"")
    }

    /// `data-arm` marks an element drawn in an arm's colour (the browser test checks each arm
    /// keeps one colour).
    static func arm(_ name: String) -> String { "data-arm=\"\(escape(name))\"" }

    /// Roughly how wide `text` is at `size` px in a sans-serif font, for margins and legends.
    static func textWidth(_ text: String, size: Double = 11) -> Double { Double(text.count) * size * 0.62 }

    static func rect(_ x: Double, _ y: Double, _ width: Double, _ height: Double, fill: String, extra: String = "") -> String {
        "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(max(width, 0)))\" height=\"\(n(max(height, 0)))\" fill=\"\(fill)\" \(extra)/>"
    }

    static func document(width: Int, height: Int, title: String, body: [String]) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" "
            + "role=\"img\" aria-label=\"\(escape(title))\" font-family=\"sans-serif\">"
            + body.joined() + "</svg>"
    }

    /// Round axis ticks covering lo...hi.
    static func ticks(_ low: Double, _ high: Double, count: Int = 5) -> [Double] {
        guard high > low else { return [low] }
        let raw = (high - low) / Double(count)
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var values: [Double] = []
        var value = ceil(low / step) * step
        while value <= high + step * 1e-9 {
            values.append(value)
            value += step
        }
        return values
    }
}
