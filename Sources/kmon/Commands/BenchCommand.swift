import ArgumentParser
import BPF
import Foundation
import KmonBench
import KmonCollectors
import KmonLoad
import KmonSupport
import KmonSystem
import KmonTcpreq
import KmonWorkload

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Kmon's overhead and accuracy: sample services with and without probes, the arms alternating in place.",
        discussion: """
            Arms: baseline (no probes), its A/A twin (the noise floor), empty (hooks that return at \
            once) and each variant in each span mode; arms this kernel cannot run are skipped with \
            the reason. One workload runs all overhead figures: every probe is loaded, reloaded every \
            --reload-every blocks, and arms take turns in short phases by attaching and detaching \
            their links, in blocks ordered so each arm follows each other equally often (Williams). \
            Each phase records the machine's noise (steal, other tenants' CPU, pressure). \
            First closed-loop saturation, then the baseline's knee (the highest rate whose p99 stays \
            within 3x the low-load p99), then one open-loop run per load level at fractions of the \
            knee. Accuracy comes from short runs on fresh services. Prints a summary of the \
            findings (--verbose: every table too) and writes results.json (schema \
            kmon.bench/2), tables.md, CSV files and report.html into --out. With \
            --baseline FILE --check, compares ns/run per program, runs/request and CPU µs/request \
            with FILE (history across runs, not a gate on a shared machine): exit 0 equal, 2 \
            regression, 4 improvements only.
            """)

    @Option(help: "Workload spec.")
    var workload = "workloads/chain3.yaml"

    @Option(help: "Probe variants, comma-separated (\(BenchOptionsParser.variantNames.joined(separator: ", "))). Default: empty,sock,syscall.",
            transform: { try BenchOptionsParser.variants($0) })
    var variants: [ProbeVariant]?

    @Option(help: "Span modes, comma-separated (\(BenchOptionsParser.modeNames.joined(separator: ", "))). Default: kernel.",
            transform: { try BenchOptionsParser.modes($0) })
    var modes: [SpanMode]?

    @Option(help: "Collector arms, comma-separated: NAME@LEVEL or NAME for every level (\(BenchOptionsParser.collectorNames.joined(separator: ", "))).",
            transform: { try BenchOptionsParser.collectorArms($0) })
    var collectors: [BenchArm]?

    @Option(help: "Load levels, percent of the baseline's knee, comma-separated. Default: 25,50,75 (--quick: 50).", transform: { try BenchOptionsParser.loads($0) })
    var loads: [Double]?

    @OptionGroup var runLengths: RunLengthOptions

    @Option(help: "Output folder. Default: bench-results/<UTC time>.")
    var out: String?

    @Flag(help: "Under 90 s: one load level, 10 short blocks. Its figures are rough.")
    var quick = false

    @Option(help: "paper: Kmon's own configurations: empty, sock, syscall, kprobe and fentry in user and kernel modes, and each collector at its lowest and highest verbosity.")
    var preset: BenchPreset.Name?

    @Flag(help: "Run each service in its own network namespace (198.18.0.0/15) instead of on loopback.")
    var netns = false

    @Option(help: "A results.json (or its folder) from an earlier bench to compare with: history, not a gate on a shared machine.")
    var baseline: String?

    @Option(name: .customLong("base-objects"), help: "The base branch's BPF objects (scripts/build-bpf DIR): every probe arm also runs as ARM@base with them, and as ARM@aa, in the same blocks; the gate compares them.")
    var baseObjects: String?

    @Option(name: .customLong("inject-ns"), help: "Make every program of this build spend about N more ns per run (calibrating the gate).")
    var injectNanoseconds: Double?

    @Option(name: .customLong("inject-base-ns"), help: "The same for the @base arms' programs.")
    var injectBaseNanoseconds: Double?

    @Option(name: .customLong("inject-variants"), help: "Inject only into these variants' programs (comma-separated). Default: every variant.",
            transform: { try BenchCommand.injectedVariants($0) })
    var injectVariants: Set<ProbeVariant>?

    @Flag(name: .customLong("http-off"), help: "Every probe arm that reads method and status (kernel and user modes) also runs as ARM@nohttp, reading no payload, in the same blocks: what reading costs, in place.")
    var httpOff = false

    @Flag(help: "Gate: with --base-objects on this run's paired phases, else against --baseline. Exit 0 equal, 2 regression, 4 improvements only.")
    var check = false

    @Option(name: .customLong("reload-every"), help: "Load every probe arm's objects afresh every N blocks, so where they land in memory becomes noise instead of a bias; 0 loads them once. Default: \(BenchPlan.defaultReloadEvery).")
    var reloadEvery: Int?

    @Flag(name: .customLong("drop-noisy"), help: "Leave phases with steal over \(Int(PhaseNoise.stealLimitPercent))%, other tenants' CPU over \(Int(PhaseNoise.otherLimitPercent))% or throttled services out of every Δ (they are always flagged).")
    var dropNoisy = false

    @Option(help: "Seed for block order and bootstrap; default: chosen at random and recorded.")
    var seed: UInt64?

    @Option(help: ArgumentHelp("Measure nothing: print the summary of an earlier run (a results folder or results.json) and write its tables, CSVs and report.html into --out.", valueName: "results"))
    var render: String?

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        if quick && preset != nil { throw ValidationError("--quick and --preset cannot be combined") }
        if check && baseline == nil && baseObjects == nil { throw ValidationError("--check needs --base-objects DIR (or --baseline FILE)") }
        if check && baseline != nil && baseObjects != nil { throw ValidationError("--check gates on --base-objects or on --baseline, not both") }
        if injectBaseNanoseconds != nil && baseObjects == nil { throw ValidationError("--inject-base-ns needs --base-objects DIR") }
        for (flag, value) in [("--inject-ns", injectNanoseconds), ("--inject-base-ns", injectBaseNanoseconds)] {
            if let value, !(value.isFinite && value >= 0 && value <= 10_000) {
                throw ValidationError("\(flag) must be between 0 and 10000 ns (got \(value))")
            }
        }
        if injectVariants != nil && injectNanoseconds == nil && injectBaseNanoseconds == nil {
            throw ValidationError("--inject-variants needs --inject-ns or --inject-base-ns")
        }
        if let reloadEvery { try AcceptedRange(0...10_000, unit: "blocks").checkFlag(reloadEvery, "--reload-every") }
        try runLengths.checkSettle(presetValues.lengths)
    }

    /// The arms of the preset, each list a flag gives in its place.
    var arms: [BenchArm] {
        let probes = BenchOptionsParser.arms(variants: variants ?? presetValues.variants, modes: modes ?? presetValues.modes)
        return (httpOff ? BenchOptionsParser.withHTTPOff(probes) : probes) + (collectors ?? presetValues.collectorArms)
    }

    var presetValues: BenchPreset { quick ? .quick : preset.map(BenchPreset.named) ?? .standard }

    func run() throws {
        let logger = logging.bootstrap()
        if let render { return renderEarlierRun(render) }
        try requireBPFPrivileges()
        _ = KernelMounts.check(mountMissing: true)
        // A baseline that is not ours is refused before minutes of measuring.
        let baselineResults = baseline.map { path in
            do { return try BenchOutput.load(path) } catch { fail("\(error)", ExitCodes.badInput) }
        }
        let spec: WorkloadSpec
        do { spec = try WorkloadSpec.load(path: workload) } catch { fail("\(error)", ExitCodes.badInput) }

        var plan = BenchPlan(
            workload: workload, network: netns ? "netns" : "loopback",
            arms: arms,
            loadPercents: loads ?? presetValues.loadPercents,
            lengths: runLengths.lengths(presetValues.lengths, gate: baseObjects != nil),
            seed: seed ?? UInt64.random(in: 1...999_999), quick: quick,
            command: (["kmon"] + CommandLine.arguments.dropFirst()).joined(separator: " "))
        plan.reloadEvery = reloadEvery ?? BenchPlan.defaultReloadEvery
        plan.dropNoisy = dropNoisy
        let objects = probeObjects(plan.arms)
        plan.arms = objects.arms(plan.arms)
        // An --out that cannot be written is refused before minutes of measuring.
        let output: OutputDirectory
        do { output = try BenchOutput.prepare(out ?? BenchOutput.defaultDirectory()) } catch {
            fail("--out \(error)", ExitCodes.usage)
        }
        let trap = SignalTrap()
        let runner = BenchRunner(plan: plan, spec: spec, network: netns ? .netns : .loopback, stop: trap.token, logger: logger,
                                 objects: objects)
        let outcome: BenchRunner.Outcome
        do {
            outcome = try runner.run { BenchProgress(plan: $0) }
        } catch {
            output.removeIfCreatedEmpty()
            if trap.token.isStopped { interrupted(trap) }
            fail("\(error)", ExitCodes.failure)
        }
        guard let results = outcome.results, !outcome.interrupted else {
            output.removeIfCreatedEmpty()
            interrupted(trap)
        }

        // The findings first, in 100 columns; every table with --verbose, and whenever the files
        // cannot be written (a full disk), so the figures still reach the terminal.
        let directory = output.path
        print(TerminalSummary.render(results, directory: directory))
        if logging.verbose { print(TablesRenderer.render(results)) }
        do { try BenchOutput.write(results, to: output) } catch {
            if !logging.verbose { print(TablesRenderer.render(results)) }
            fail("cannot write the results: \(error); the tables above are all that is left of this run", ExitCodes.failure)
        }
        if let failure = outcome.failure {
            fail("the bench stopped early: \(failure); the block is marked invalid in \(directory)/results.json", ExitCodes.failure)
        }
        if let gate = outcome.gate {
            print("decided by: \(gate.decision)")
            if check && gate.outcome.exitCode != 0 { throw ExitCode(gate.outcome.exitCode) }
        }
        if check, let baselineResults {
            FileHandle.standardError.write(Data("warning: --baseline compares with a run made at another time; on a shared machine that measures the machine's drift too, so it shows history and is not a gate (docs/bench.md)\n".utf8))
            let report = RegressionGate().check(baseline: baselineResults, current: results)
            print(GateRenderer.render(report))
            if report.outcome.exitCode != 0 { throw ExitCode(report.outcome.exitCode) }
        }
    }

    /// `--render`: an earlier run's outputs made again by this build's renderers.
    private func renderEarlierRun(_ path: String) {
        let results: BenchResults
        do { results = try BenchOutput.load(path) } catch { fail("\(error)", ExitCodes.badInput) }
        let output: OutputDirectory
        do { output = try BenchOutput.prepare(out ?? BenchOutput.defaultDirectory()) } catch {
            fail("--out \(error)", ExitCodes.usage)
        }
        print(TerminalSummary.render(results, directory: output.path))
        if logging.verbose { print(TablesRenderer.render(results)) }
        do { try BenchOutput.write(results, to: output) } catch { fail("cannot write the results: \(error)", ExitCodes.failure) }
    }

    /// The base objects, checked against this build, and the loops that inject the asked-for ns.
    private func probeObjects(_ arms: [BenchArm]) -> ProbeObjects {
        var objects = ProbeObjects()
        if let baseObjects {
            do { objects = try ProbeObjects(baseDirectory: baseObjects, variants: arms.compactMap(\.variant)) } catch {
                fail("\(error)", ExitCodes.badInput)
            }
        }
        guard (injectNanoseconds ?? 0) > 0 || (injectBaseNanoseconds ?? 0) > 0 else { return objects }
        let perLoop: Double
        do { perLoop = try InjectedCost.nanosecondsPerLoop() } catch { fail("cannot calibrate the injected work: \(error)", ExitCodes.failure) }
        objects.injectLoops = InjectedCost.loops(forNanoseconds: injectNanoseconds ?? 0, perLoop: perLoop)
        objects.injectBaseLoops = InjectedCost.loops(forNanoseconds: injectBaseNanoseconds ?? 0, perLoop: perLoop)
        objects.injectVariants = injectVariants
        FileHandle.standardError.write(Data(String(
            format: "injecting: %.2f ns per loop here; this build %u loops (≈ %.0f ns/run), @base %u loops (≈ %.0f ns/run)\n",
            perLoop, objects.injectLoops, Double(objects.injectLoops) * perLoop, objects.injectBaseLoops,
            Double(objects.injectBaseLoops) * perLoop).utf8))
        return objects
    }

    /// `--inject-variants sock,syscall`, each a known variant.
    private static func injectedVariants(_ text: String) throws -> Set<ProbeVariant> {
        var variants = Set<ProbeVariant>()
        for name in text.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let variant = ProbeVariant(rawValue: name) else {
                throw ValidationError("'\(name)' is not a variant (\(ProbeVariant.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            variants.insert(variant)
        }
        return variants
    }

    private func interrupted(_ trap: SignalTrap) -> Never {
        FileHandle.standardError.write(Data("\(trap.token.reason ?? "interrupted"): stopped and cleaned up (services, probes, namespaces)\n".utf8))
        Self.exit(withError: ExitCodes.interrupted)
    }
}

/// Prints `error: message` and exits with `code`.
func fail(_ message: String, _ code: ExitCode) -> Never {
    printError(message)
    BenchCommand.exit(withError: code)
}
