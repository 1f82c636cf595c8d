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
    var rate: LoadRate = .max

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

    @Option(help: "How requests use their connections; pipelined:K keeps K requests (1 to 1024) in flight on each.")
    var scenario: LoadScenario = .keepAlive

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
        try rate.check()
        // Before the configuration, which turns it into nanoseconds.
        if let spinMicros, spinMicros < 0 || spinMicros > 1_000_000 {
            throw ValidationError("--spin-us must be from 0 to 1000000 (got \(spinMicros))")
        }
        // The configuration's own check, in the flags' words.
        do { try configuration(stop: StopToken()).validateSettings(naming: Self.flagNames) } catch let error as LoadError {
            throw ValidationError(error.description)
        }
        try AcceptedRange(1...100, unit: "rounds").checkFlag(rounds, "--rounds")
        if compareWrk && poisson { throw ValidationError("--compare-wrk measures an evenly spaced schedule; drop --poisson") }
    }

    private static let flagNames = {
        var names = LoadConfiguration.SettingNames()
        (names.connections, names.threads, names.duration, names.warmUp) = ("--connections", "--threads", "--duration", "--warmup")
        (names.requestTimeout, names.rate) = ("--timeout", "--rate")
        return names
    }()

    /// The run the flags ask for. A bad URL or method mix is a usage error naming the flag.
    private func configuration(stop: StopToken) throws -> LoadConfiguration {
        let target: LoadTarget
        do { target = try LoadTarget(url: url) } catch let error as LoadError { throw ValidationError(error.description) }
        return LoadConfiguration(
            target: target, connections: connections, threads: threads, model: rate.model(poisson: poisson),
            scenario: scenario, duration: duration, warmUp: warmup, requestTimeout: timeout, recordsPath: records,
            spinNanoseconds: spinMicros.map { UInt64($0) * 1000 } ?? LoadConfiguration.defaultSpinNanoseconds,
            realtimePriority: realtime ? 10 : nil, stop: stop, requests: try requestMix())
    }

    private func requestMix() throws -> RequestMix {
        try AcceptedRange(0...1_048_576, unit: "bytes").checkFlag(bodyBytes, "--body-bytes")
        var problem = ""
        guard let mix = RequestMix.parse(methods: methods, bodyBytes: bodyBytes, problem: &problem) else {
            throw ValidationError("--methods: \(problem)")
        }
        return mix
    }

    func run() throws {
        _ = logging.bootstrap()
        let trap = SignalTrap()
        if let records { try checkOutput(records, flag: "--records") }
        let base = try configuration(stop: trap.token)
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
