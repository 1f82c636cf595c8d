import Foundation
import Glibc

/// Tells the person waiting where the bench is: a bar redrawn in place on a terminal (phase,
/// arm, block, ETA), one plain line per run otherwise (logs, CI).
public final class BenchProgress {
    private let isTerminal: Bool
    private let output: FileHandle
    private let total: Int
    private let estimatedSeconds: Double
    private let started = Date()
    private var finished = 0
    private var lastLine = ""

    public init(plan: BenchPlan, totalRuns: Int, output: FileHandle = .standardError) {
        self.output = output
        isTerminal = isatty(output.fileDescriptor) == 1
        total = totalRuns
        // Per run: the load itself plus about a second to start services and attach probes.
        estimatedSeconds = plan.schedule.runs().reduce(0) { $0 + plan.seconds(of: $1.phase) + 1 }
    }

    public func note(_ message: String) {
        clearBar()
        write(message + "\n")
        redraw()
    }

    public func started(_ run: ScheduledRun, index: Int, blocks: Int, rate: Double?) {
        let rateText = rate.map { String(format: " at %.0f req/s", $0) } ?? " (closed loop)"
        let line = "\(run.phase) · block \(run.block + 1)/\(blocks) · \(run.arm.name)\(rateText)"
        if isTerminal {
            lastLine = line
            redraw()
        } else {
            write("[\(index + 1)/\(total)] \(line)\n")
        }
    }

    public func finished(_ measurement: RunMeasurement) {
        finished += 1
        guard !isTerminal else { return redraw() }
        if let reason = measurement.invalidReason {
            write("    invalid: \(reason)\n")
        } else {
            let p99 = measurement.latency.microseconds(atQuantile: 0.99).map { String(format: "%.0f", $0) } ?? "—"
            write(String(format: "    %.0f req/s, p99 %@ µs\n", measurement.achievedRPS, p99))
        }
    }

    public func done() {
        clearBar()
    }

    private var eta: String {
        let elapsed = Date().timeIntervalSince(started)
        let remaining = finished == 0 ? estimatedSeconds - elapsed : elapsed / Double(finished) * Double(total - finished)
        let seconds = max(0, Int(remaining.rounded()))
        return String(format: "%d:%02d", seconds / 60, seconds % 60)
    }

    private func redraw() {
        guard isTerminal, !lastLine.isEmpty else { return }
        let width = 24
        let filled = total == 0 ? 0 : width * finished / total
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        write("\r\u{1B}[K\(bar) \(finished)/\(total) · \(lastLine) · ETA \(eta)")
    }

    private func clearBar() {
        if isTerminal && !lastLine.isEmpty { write("\r\u{1B}[K") }
    }

    private func write(_ text: String) {
        output.write(Data(text.utf8))
    }
}
