import Foundation
import KmonSupport

/// Measures the generator against wrk on the same server, connections and threads:
/// alternating closed-loop rounds (wrk, kmon, wrk, kmon, …; the ratio is the median of the
/// per-round kmon/wrk ratios, since one run on a shared VM varies by ±10%), then one open-loop
/// kmon run at half of wrk's median rate for its schedule lag (under SCHED_FIFO when the
/// configuration asks for it; the closed-loop rounds always run at normal priority, as wrk does).
public struct WrkComparison {
    public struct Result: Codable, Sendable {
        public var connections: Int
        public var threads: Int
        public var durationSeconds: Double
        public var wrkRPS: [Double]
        public var kmonRPS: [Double]
        public var ratios: [Double]
        public var medianRatio: Double
        public var openLoop: LoadSummary

        enum CodingKeys: String, CodingKey {
            case connections, threads, ratios
            case durationSeconds = "duration_s"
            case wrkRPS = "wrk_rps"
            case kmonRPS = "kmon_rps"
            case medianRatio = "median_ratio"
            case openLoop = "open_loop"
        }

        public func jsonText() throws -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            return String(decoding: try encoder.encode(self), as: UTF8.self)
        }

        public func renderText() -> String {
            var lines = ["closed loop, \(connections) connections, \(threads) thread(s), \(LoadSummary.number(durationSeconds)) s per run",
                         "round" + "wrk req/s".leftPadded(to: 14) + "kmon req/s".leftPadded(to: 14) + "kmon/wrk".leftPadded(to: 10)]
            for i in ratios.indices {
                lines.append("\(i + 1)".leftPadded(to: 5) + LoadSummary.number(wrkRPS[i]).leftPadded(to: 14)
                             + LoadSummary.number(kmonRPS[i]).leftPadded(to: 14) + String(format: "%.3f", ratios[i]).leftPadded(to: 10))
            }
            lines.append("median kmon/wrk ratio: " + String(format: "%.3f", medianRatio))
            lines.append("")
            lines.append("open loop at half of wrk's median rate:")
            lines.append(openLoop.renderText())
            return lines.joined(separator: "\n")
        }
    }

    public let url: String
    public let configuration: LoadConfiguration
    public let rounds: Int
    public var wrkPath = "wrk"

    public init(url: String, configuration: LoadConfiguration, rounds: Int) {
        self.url = url
        self.configuration = configuration
        self.rounds = rounds
    }

    public func run() throws -> Result {
        let seconds = max(1, Int(saturating: configuration.duration.rounded(.up)))
        var wrk: [Double] = [], kmon: [Double] = []
        for _ in 0..<rounds {
            if configuration.stop.isStopped { break }
            wrk.append(try runWrk(seconds: seconds))
            var closed = configuration
            closed.model = .closedLoop
            closed.duration = Double(seconds)
            closed.warmUp = 0
            closed.recordsPath = nil
            // wrk runs at normal priority; so does the generator when the two are compared.
            closed.realtimePriority = nil
            kmon.append(try LoadGenerator(closed).run().achievedRPS)
        }
        let ratios = zip(kmon, wrk).map { $0 / $1 }
        var open = configuration
        open.model = .openLoop(rate: Self.median(wrk) / 2, poisson: false)
        open.duration = Double(seconds)
        let summary = try LoadGenerator(open).run()
        return Result(connections: configuration.connections, threads: configuration.threads,
                      durationSeconds: Double(seconds), wrkRPS: wrk, kmonRPS: kmon, ratios: ratios,
                      medianRatio: Self.median(ratios), openLoop: summary)
    }

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    private func runWrk(seconds: Int) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [wrkPath, "-t", "\(configuration.threads)", "-c", "\(configuration.connections)",
                             "-d", "\(seconds)s", url]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch {
            throw LoadError.invalidConfiguration("cannot run wrk (\(error)); install it with apt-get install -y wrk")
        }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, let rps = Self.requestsPerSecond(inWrkOutput: output) else {
            throw LoadError.invalidConfiguration("wrk failed (exit \(process.terminationStatus)): \(output)")
        }
        return rps
    }

    /// The figure of wrk's "Requests/sec:   12345.67" line.
    public static func requestsPerSecond(inWrkOutput output: String) -> Double? {
        for line in output.split(separator: "\n") where line.hasPrefix("Requests/sec:") {
            return Double(line.dropFirst("Requests/sec:".count).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
