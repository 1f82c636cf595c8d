import ArgumentParser
import Foundation
import KmonHTTP
import KmonLoad
import KmonSupport

struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Send HTTP/1.1 load at a fixed rate (open loop) or at saturation, recording ground truth per request.",
        discussion: """
            Open loop (--rate R): requests have intended send times (evenly spaced, or Poisson with \
            --poisson) and latency counts from them, corrected for coordinated omission; the \
            uncorrected latency counts from the actual send. Closed loop (--rate max): each \
            connection sends again as soon as its response is in.
            --records FILE writes one 88-byte record per request, with the method sent and the \
            status received (see docs/load.md).
            --methods GET:80,POST:20 mixes methods (drawn per request, seeded); each POST carries \
            --body-bytes of body.
            --compare-wrk runs wrk and kmon in closed loop alternately against URL, then kmon in \
            open loop at half of wrk's rate, and prints both throughputs and the schedule lag.
            """)

    @Argument(help: "http://HOST:PORT/PATH (IPv4 or a host name resolving to one).")
    var url: String

    @Option(help: "Requests per second in total, or 'max' for closed loop.")
    var rate: String = "max"

    @Option(help: "Measured seconds, after the warm-up.")
    var duration: Double = 10

    @Option(help: "Seconds of load before measuring (recorded, flagged warm-up, left out of the summary).")
    var warmup: Double = 1

    @Option(help: "TCP connections (for --scenario close: concurrent request slots).")
    var connections: Int = 16

    @Option(help: "Worker threads; connections are spread over them.")
    var threads: Int = 1

    @Flag(help: "Open loop: Poisson arrivals instead of evenly spaced ones.")
    var poisson = false

    @Option(help: "keepalive, close, pipelined:K, or slow-reader.")
    var scenario: String = "keepalive"

    @Option(help: "Seconds a request may wait for its full response before it counts as a timeout.")
    var timeout: Double = 5

    @Option(help: "Method mix, e.g. GET:80,POST:20 (percentages adding up to 100; GET and POST only).")
    var methods: String = "GET:100"

    @Option(help: "Body bytes of each POST (0 to 1048576).")
    var bodyBytes: Int = 0

    @Option(help: "Write the per-request ground-truth records to this file.")
    var records: String?

    @Flag(help: "Print the summary as JSON.")
    var json = false

    @Flag(help: "Run the generator threads under SCHED_FIFO (root), so sends leave on time on a busy machine.")
    var realtime = false

    @Option(name: .customLong("spin-us"), help: "Open loop: poll instead of sleeping when the next send is this close, in µs (default 10). Larger is more precise and burns more CPU.")
    var spinMicros: Int?

    @Flag(help: "Measure against wrk: closed-loop req/s side by side, then open-loop schedule lag at half of wrk's rate.")
    var compareWrk = false

    @Option(help: "With --compare-wrk: alternating wrk/kmon rounds; the ratio is the median of the rounds.")
    var rounds: Int = 3

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        do { _ = try LoadTarget(url: url) } catch let error as LoadError { throw ValidationError(error.description) }
        _ = try parsedModel()
        guard LoadScenario(argument: scenario) != nil else {
            throw ValidationError("--scenario '\(scenario)' is not one of keepalive, close, pipelined:K (K from 1 to 1024), slow-reader")
        }
        try AcceptedRange.positiveSeconds.checkFlag(duration, "--duration")
        try AcceptedRange.seconds(from: 0).checkFlag(warmup, "--warmup")
        try AcceptedRange.positiveSeconds.checkFlag(timeout, "--timeout")
        try LoadConfiguration.connectionRange.checkFlag(connections, "--connections")
        guard threads >= 1, threads <= connections else {
            throw ValidationError("--threads must be from 1 to --connections (\(connections)) (got \(threads))")
        }
        if let spinMicros, spinMicros < 0 || spinMicros > 1_000_000 {
            throw ValidationError("--spin-us must be from 0 to 1000000 (got \(spinMicros))")
        }
        try AcceptedRange(1...100, unit: "rounds").checkFlag(rounds, "--rounds")
        _ = try parsedMix()
        if compareWrk && poisson { throw ValidationError("--compare-wrk measures an evenly spaced schedule; drop --poisson") }
    }

    private func parsedMix() throws -> RequestMix {
        try AcceptedRange(0...1_048_576, unit: "bytes").checkFlag(bodyBytes, "--body-bytes")
        var problem = ""
        guard let mix = RequestMix.parse(methods: methods, bodyBytes: bodyBytes, problem: &problem) else {
            throw ValidationError("--methods: \(problem)")
        }
        return mix
    }

    private func parsedModel() throws -> LoadModel {
        if rate == "max" { return .closedLoop }
        guard let value = Double(rate), AcceptedRange.requestsPerSecond.bounds.contains(value) else {
            throw ValidationError("--rate must be 'max' or \(AcceptedRange.requestsPerSecond) (got '\(rate)')")
        }
        return .openLoop(rate: value, poisson: poisson)
    }

    func run() throws {
        _ = logging.bootstrap()
        let trap = SignalTrap()
        let target = try LoadTarget(url: url)
        if let records { try checkOutput(records, flag: "--records") }
        let base = LoadConfiguration(
            target: target, connections: connections, threads: threads, model: try parsedModel(),
            scenario: LoadScenario(argument: scenario)!, duration: duration, warmUp: warmup,
            requestTimeout: timeout, recordsPath: records, spinNanoseconds: spinMicros.map { UInt64($0) * 1000 } ?? LoadConfiguration.defaultSpinNanoseconds, realtimePriority: realtime ? 10 : nil, stop: trap.token,
            requests: try parsedMix())
        do {
            if compareWrk {
                let comparison = try WrkComparison(url: url, configuration: base, rounds: rounds).run()
                print(json ? try comparison.jsonText() : comparison.renderText())
            } else {
                let summary = try LoadGenerator(base).run()
                print(json ? try summary.jsonText() : summary.renderText())
            }
        } catch let error as LoadError {
            printError(error.description)
            throw ExitCodes.failure
        }
        if trap.received != nil { throw ExitCodes.interrupted }
    }
}
