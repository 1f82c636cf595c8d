import ArgumentParser
import BPF
import Foundation
import KmonBench
import KmonSupport
import KmonWorkload

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Kmon's overhead and accuracy: sample services with and without probes, in interleaved randomized blocks.",
        discussion: """
            Arms: baseline (no probes), its A/A twin (the noise floor), empty (hooks that return at \
            once) and each variant in each span mode; arms this kernel cannot run are skipped with \
            the reason. Each block first finds each arm's closed-loop saturation, then runs open-loop \
            load at fixed fractions of the baseline's saturation, the same rate for every arm. \
            Services start fresh for every run. Writes results.json (schema kmon.bench/1), tables.md \
            (also printed), CSV files and report.html into --out. With --baseline FILE --check, \
            compares ns/run per program, runs/request and CPU µs/request with FILE: exit 0 equal, \
            2 regression, 4 improvements only.
            """)

    @Option(help: "Workload spec.")
    var workload = "workloads/chain3.yaml"

    @Option(help: "Probe variants, comma-separated (\(BenchOptionsParser.variantNames.joined(separator: ", "))). Default: empty,sock,syscall.")
    var variants: String?

    @Option(help: "Span modes, comma-separated (\(BenchOptionsParser.modeNames.joined(separator: ", "))). Default: kernel.")
    var modes: String?

    @Option(help: "Collector arms, comma-separated: NAME@LEVEL or NAME for every level (\(BenchOptionsParser.collectorNames.joined(separator: ", "))).")
    var collectors: String?

    @Option(help: "Load levels, percent of baseline saturation, comma-separated. Default: 50,90 (--quick: 50).")
    var loads: String?

    @Option(help: "Blocks (repetitions) per load level; 6 or more for a 95% CI and a verdict. Default: 6.")
    var reps: Int?

    @Option(help: "Measured seconds per open-loop run. Default: 3 (--quick: 1).")
    var duration: Double?

    @Option(help: "Warm-up seconds before each run's measurement. Default: 0.5 (--quick: 0.3).")
    var warmup: Double?

    @Option(help: "Load generator connections. Default: 8.")
    var connections: Int?

    @Option(help: "Output folder. Default: bench-results/<UTC time>.")
    var out: String?

    @Flag(help: "About 90 s: one load level, short runs. Tails are rough.")
    var quick = false

    @Option(help: "paper: Kmon's own configurations, every variant (kprobe, fentry included) in user, kernel and histogram modes.")
    var preset: String?

    @Flag(help: "Run each service in its own network namespace (198.18.0.0/15) instead of on loopback.")
    var netns = false

    @Option(help: "A results.json (or its folder) from an earlier bench to compare with.")
    var baseline: String?

    @Flag(help: "With --baseline: gate on the comparison (exit 0 equal, 2 regression, 4 improvements only).")
    var check = false

    @Option(help: "Seed for block order and bootstrap; default: chosen at random and recorded.")
    var seed: UInt64?

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        if quick && preset != nil { throw ValidationError("--quick and --preset cannot be combined") }
        if let preset, preset != "paper" { throw ValidationError("--preset '\(preset)' is unknown; the only preset is 'paper'") }
        if check && baseline == nil { throw ValidationError("--check needs --baseline FILE") }
        if let reps, reps < 1 { throw ValidationError("--reps must be at least 1 (got \(reps))") }
        if let duration, !(duration.isFinite && duration > 0) { throw ValidationError("--duration must be a positive number of seconds (got \(duration))") }
        if let warmup, !(warmup.isFinite && warmup >= 0) { throw ValidationError("--warmup must be zero or more seconds (got \(warmup))") }
        if let connections, connections < 1 { throw ValidationError("--connections must be at least 1 (got \(connections))") }
        do {
            _ = try armList()
            _ = try BenchOptionsParser.loads(loads ?? presetValues.loads.map { String($0) }.joined(separator: ","))
        } catch let error as BenchError {
            throw ValidationError(error.description)
        }
    }

    func armList() throws -> [BenchArm] {
        let values = presetValues
        return try BenchOptionsParser.arms(variants: variants ?? values.variants, modes: modes ?? values.modes)
            + BenchOptionsParser.collectorArms(collectors ?? values.collectors)
    }

    var presetValues: BenchPreset { quick ? .quick : (preset == "paper" ? .paper : .standard) }

    func run() throws {
        let logger = logging.bootstrap()
        try requireBPFPrivileges()
        _ = KernelMounts.check(mountMissing: true)
        // A baseline that is not ours is refused before minutes of measuring.
        let baselineResults = baseline.map { path in
            do { return try BenchOutput.load(path) } catch { fail("\(error)", ExitCodes.badInput) }
        }
        let spec: WorkloadSpec
        do { spec = try WorkloadSpec.load(path: workload) } catch { fail("\(error)", ExitCodes.badInput) }

        let values = presetValues
        let plan = BenchPlan(
            workload: workload, network: netns ? "netns" : "loopback",
            arms: try armList(),
            loadPercents: try loads.map(BenchOptionsParser.loads) ?? values.loads,
            blocks: reps ?? values.blocks, saturationBlocks: values.saturationBlocks,
            durationSeconds: duration ?? values.durationSeconds, saturationSeconds: values.saturationSeconds,
            warmupSeconds: warmup ?? values.warmupSeconds, connections: connections ?? values.connections,
            seed: seed ?? UInt64.random(in: 1...999_999), quick: quick,
            command: (["kmon"] + CommandLine.arguments.dropFirst()).joined(separator: " "))
        let trap = SignalTrap()
        let runner = BenchRunner(plan: plan, spec: spec, network: netns ? .netns : .loopback, stop: trap.token, logger: logger)
        let outcome: BenchRunner.Outcome
        do {
            outcome = try runner.run { BenchProgress(plan: $0, totalRuns: $1) }
        } catch {
            if trap.token.isStopped { interrupted(trap) }
            fail("\(error)", ExitCodes.failure)
        }
        guard let results = outcome.results, !outcome.interrupted else { interrupted(trap) }

        let directory = out ?? BenchOutput.defaultDirectory()
        try BenchOutput.write(results, to: directory)
        print(TablesRenderer.render(results))
        print("Results: \(directory)/ (\(BenchOutput.files.joined(separator: ", ")))")
        if let failure = outcome.failure {
            fail("the bench stopped early: \(failure); the block is marked invalid in \(directory)/results.json", ExitCodes.failure)
        }
        if check, let baselineResults {
            let report = RegressionGate().check(baseline: baselineResults, current: results)
            print(GateRenderer.render(report))
            if report.outcome.exitCode != 0 { throw ExitCode(report.outcome.exitCode) }
        }
    }

    private func interrupted(_ trap: SignalTrap) -> Never {
        FileHandle.standardError.write(Data("\(trap.token.reason ?? "interrupted"): stopped and cleaned up (services, probes, namespaces)\n".utf8))
        Self.exit(withError: ExitCodes.interrupted)
    }
}

/// Prints `error: message` and exits with `code`.
func fail(_ message: String, _ code: ExitCode) -> Never {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    BenchCommand.exit(withError: code)
}
