import Foundation
import Glibc
import KmonSupport

/// Tells the person waiting where the bench is: a bar redrawn in place on a terminal (level,
/// block, arm, ETA); on logs and CI, the notes only, with one line per tenth of the way.
public final class BenchProgress {
    private let isTerminal: Bool
    private let output: FileHandle
    private let total: Int
    private let estimatedSeconds: Double
    private let started = Date()
    private var finished = 0
    private var lastLine = ""

    public init(plan: BenchPlan, output: FileHandle = .standardError) {
        self.output = output
        isTerminal = isatty(output.fileDescriptor) == 1
        total = plan.schedule.runs().count + KneeSearch.fractions.count + plan.accuracyArms.count * plan.loadPercents.count
        estimatedSeconds = plan.estimatedSeconds
    }

    /// A line the person should read, wrapped to the summary's width like the rest of the output.
    public func note(_ message: String) {
        clearBar()
        write(TerminalSummary.wrap(message).joined(separator: "\n") + "\n")
        redraw()
    }

    /// One more phase or run has started.
    public func step(_ line: String) {
        finished = min(finished + 1, total)
        lastLine = line
        if isTerminal { return redraw() }
        let tenth = max(1, total / 10)
        if finished % tenth == 0 || finished == 1 { write("[\(finished)/\(total)] \(line) · ETA \(eta)\n") }
    }

    public func done() {
        clearBar()
    }

    private var eta: String {
        let elapsed = Date().timeIntervalSince(started)
        let remaining = finished <= 1 ? estimatedSeconds - elapsed : elapsed / Double(finished) * Double(total - finished)
        let seconds = max(0, Int(saturating: remaining.rounded()))
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
