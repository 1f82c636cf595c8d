import Foundation

extension LoadSummary {
    /// Pretty, key-sorted JSON (the `--json` output).
    public func jsonText() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    public func renderText() -> String {
        func row(_ name: String, _ p: Percentiles) -> String {
            name.padding(toLength: 14, withPad: " ", startingAt: 0)
                + [p.p50, p.p90, p.p99, p.p999, p.max].map { Self.cell($0) }.joined()
        }
        var lines: [String] = []
        lines.append("requests \(requests)  errors \(errors)  timeouts \(timeouts)  unsent \(unsent)")
        let offered = offeredRPS.map { "offered \(Self.number($0)) req/s  " } ?? "closed loop  "
        lines.append("\(offered)achieved \(Self.number(achievedRPS)) req/s over \(Self.number(durationSeconds)) s")
        lines.append("latency µs".padding(toLength: 14, withPad: " ", startingAt: 0)
                     + ["p50", "p90", "p99", "p99.9", "max"].map { $0.leftPadded(to: 11) }.joined())
        lines.append(row("  corrected", latencyMicros))
        lines.append(row("  uncorrected", uncorrectedLatencyMicros))
        func lag(_ l: Lag) -> String { "p50 \(Self.number(l.p50))  p99 \(Self.number(l.p99))  max \(Self.number(l.max))" }
        lines.append("schedule lag µs   \(lag(scheduleLagMicros))")
        lines.append("generator lag µs  \(lag(generatorLagMicros))  (\(waitedForConnection) requests waited for a busy connection)")
        return lines.joined(separator: "\n")
    }

    static func cell(_ value: Double) -> String { number(value).leftPadded(to: 11) }

    static func number(_ value: Double) -> String { String(format: "%.1f", value) }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
