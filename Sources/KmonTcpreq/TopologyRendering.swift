import KmonSupport

extension Topology {
    /// Graphviz DOT: one node per service (and per unnamed peer), one labelled edge per call path.
    public func dot(title: String = "kmon") -> String {
        /// Label lines, escaped one by one and joined with DOT's own line break. Names are process
        /// names or peers' text, so control characters are shown escaped (`TerminalText`) first.
        func label(_ lines: [String]) -> String {
            "\"" + lines.map { TerminalText.escaped($0).replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") }
                .joined(separator: "\\n") + "\""
        }
        func quote(_ s: String) -> String { label([s]) }
        func latency(_ t: TrafficSummary) -> [String] {
            guard let p50 = t.microseconds(atPercentile: 50), let p99 = t.microseconds(atPercentile: 99) else { return [] }
            return ["p50 \(format(p50)) µs, p99 \(format(p99)) µs"]
        }
        /// Errors only where there were some: a clean or non-HTTP graph stays as it was.
        func errors(_ t: TrafficSummary) -> [String] {
            let c = t.statusClasses
            guard c.serverError > 0 || c.clientError > 0 else { return [] }
            return ["\(c.serverError) 5xx, \(c.clientError) 4xx"]
        }
        var lines = ["digraph \(quote(title)) {", "  rankdir=LR;", "  node [shape=box];"]
        let named = Set(services.map(\.name))
        for service in services {
            lines.append("  \(quote(service.name)) [label=\(label([service.name, "\(service.traffic.requests) req"] + latency(service.traffic) + errors(service.traffic)))];")
        }
        for peer in Set(edges.flatMap { [$0.from, $0.to] }).subtracting(named).sorted() {
            lines.append("  \(quote(peer)) [shape=ellipse];")
        }
        for edge in edges {
            lines.append("  \(quote(edge.from)) -> \(quote(edge.to)) [label=\(label(["\(edge.traffic.requests) req"] + latency(edge.traffic) + errors(edge.traffic)))];")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    private func format(_ value: Double) -> String {
        value >= 100 ? String(Int(saturating: value.rounded())) : String((value * 10).rounded() / 10)
    }
}
