import Foundation
import Glibc
import KmonBench
import KmonTestSupport
import Testing

/// `kmon bench` end to end on real services, probes and sockets. One quick bench run is shared
/// by the assertions on its outputs; the suite is serialized so runs never compete for the CPU.
@Suite(.serialized, Privileged.enabled)
struct BenchCommandTests {
    struct QuickRun {
        var status: Int32
        var stdout: String
        var stderr: String
        var directory: URL
        var results: BenchResults
    }

    /// Results and outputs of this test process's bench runs, removed when the process exits.
    static let scratch: URL = {
        let url = scratchPath()
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: BenchCommandTests.scratchPath()) }
        return url
    }()

    static func scratchPath() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("kmon-bench-tests-\(getpid())")
    }

    /// Which of the probes' paths a run takes: what this kernel allows, or the degraded one with
    /// every optional feature off, so both are tested whichever kind of kernel runs the tests.
    enum Features: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case asTheKernelAllows = "as the kernel allows"
        case optionalOff = "every optional feature off"

        var environment: [String: String] {
            self == .optionalOff ? ["KMON_DISABLE_FEATURES": "iter,test_run_on_cpu,sk_storage,tcp_read_clock"] : [:]
        }

        var testDescription: String { rawValue }
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var cached: [Features: Result<QuickRun, Error>] = [:]

    /// `kmon bench --quick` on chain3 over loopback with the empty and sock variants, run once per path.
    static func quickRun(_ features: Features = .asTheKernelAllows) throws -> QuickRun {
        try lock.withLock {
            if let known = cached[features] { return try known.get() }
            let result = Result { () throws -> QuickRun in
                let directory = scratch.appendingPathComponent("quick-\(features == .optionalOff ? "degraded" : "default")")
                let bench = try BenchProcess(["bench", "--quick", "--workload", BenchProcess.chain3, "--variants", "empty,sock",
                                              "--seed", "7", "--out", directory.path], scratch: scratch, environment: features.environment)
                let status = bench.wait(seconds: 240)
                let results = try BenchOutput.load(directory.path)
                return QuickRun(status: status ?? -1, stdout: bench.stdout, stderr: bench.stderr, directory: directory, results: results)
            }
            cached[features] = result
            return try result.get()
        }
    }

    @Test func quickBenchWritesEveryOutput() throws {
        try Privileged.check()
        let run = try Self.quickRun()
        #expect(run.status == 0, "stderr: \(run.stderr.suffix(2000))")
        for file in BenchOutput.files {
            #expect(FileManager.default.fileExists(atPath: run.directory.appendingPathComponent(file).path), "\(file) missing")
        }
        #expect(run.stdout.contains("At 50% of the knee") && run.stdout.contains("Accuracy ("))
        #expect(run.stdout.contains("tails are rough"))
        let tables = try String(contentsOf: run.directory.appendingPathComponent("tables.md"), encoding: .utf8)
        #expect(tables.contains("## Overhead") && tables.contains("## Accuracy"))
        #expect(run.results.config.quick)
        #expect(Set(run.results.overhead.map(\.arm)) == ["baseline", "baseline-aa", "empty", "sock/kernel"])
        let html = try String(contentsOf: run.directory.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("<svg") && !html.contains("<script"))
    }

    /// What a user reads first: at most 100 columns, the verdicts of each level before accuracy
    /// and before where the files are; the 22-column overhead table stays in tables.md.
    @Test func theSummaryFitsAHundredColumnsWithTheVerdictsFirst() throws {
        try Privileged.check()
        let run = try Self.quickRun()
        #expect(run.status == 0, "stderr: \(run.stderr.suffix(2000))")
        let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let wide = lines.filter { $0.count > TerminalSummary.width }
        #expect(wide.isEmpty, "\(wide.count) lines over 100 columns: \(wide.prefix(3))")
        #expect(!run.stdout.contains("| p50 Δ% [95% CI]"), "the overhead table is printed only with --verbose")
        let level = try #require(lines.firstIndex { $0.hasPrefix("At 50% of the knee") }, "no level block: \(run.stdout.prefix(800))")
        let accuracy = try #require(lines.firstIndex { $0.hasPrefix("Accuracy (") })
        let files = try #require(lines.firstIndex { $0.hasPrefix("Every figure:") })
        #expect(level < accuracy && accuracy < files)
        // Only the heading (which wraps where the checkout's path is long) and the knee come first.
        let knee = try #require(lines.firstIndex { $0.hasPrefix("Knee: ") })
        #expect(lines[0].hasPrefix("kmon bench: ") && knee < level, "\(lines.prefix(4))")
        #expect(lines[1..<knee].allSatisfy { $0.hasPrefix("  ") } && lines[knee..<level].allSatisfy { !$0.hasPrefix("  ") },
                "only the heading and the knee come before the verdicts")
        for arm in ["baseline-aa", "empty", "sock/kernel"] {
            let verdict = lines[level...].first { $0.hasPrefix("  \(arm) ") }
            #expect(verdict.map { line in ["not detected", "not significant", "slower", "faster"].contains { line.contains($0) } } == true,
                    "\(arm): \(verdict ?? "no line")")
        }
        #expect(lines[accuracy...].contains { $0.hasPrefix("  sock/kernel") && $0.contains("joined") })
    }

    @Test(arguments: Features.allCases)
    func degradationsAreReportedNeverSkipped(features: Features) throws {
        try Privileged.check()
        let run = try Self.quickRun(features)
        #expect(run.status == 0, "stderr: \(run.stderr.suffix(2000))")
        #expect(run.results.skipped.isEmpty, "\(run.results.skipped)")
        let degraded = Set(run.results.degraded.map(\.feature))
        if features == .optionalOff {
            #expect(degraded == ["sk_storage", "tcp_read_clock", "test_run_on_cpu"]) // iter: nothing needs it since the in-flight index
            #expect(run.results.degraded.allSatisfy { $0.arms == ["sock/kernel"] && $0.reason == "disabled by KMON_DISABLE_FEATURES" })
            #expect(run.stderr.contains("sock/kernel degraded: test_run_on_cpu off (disabled by KMON_DISABLE_FEATURES)"))
        }
        let tables = try String(contentsOf: run.directory.appendingPathComponent("tables.md"), encoding: .utf8)
        #expect(tables.contains("## Degraded features") == !degraded.isEmpty)
    }

    @Test(arguments: Features.allCases)
    func resultsValidateAgainstTheSchema(features: Features) throws {
        try Privileged.check()
        let run = try Self.quickRun(features)
        let schema = try JSONValue.parse(Data(contentsOf: BenchProcess.repositoryRoot.appendingPathComponent("docs/results.schema.json")))
        let document = try JSONValue.parse(Data(contentsOf: run.directory.appendingPathComponent("results.json")))
        let problems = SchemaValidator(schema: schema).validate(document)
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test(arguments: Features.allCases)
    func sockClientVantageMatchesAtLeast999PerMille(features: Features) throws {
        try Privileged.check()
        let rows = try Self.quickRun(features).results.accuracy.filter { $0.variant == "sock" && $0.vantage == .client && $0.load == 50 }
        #expect(rows.map(\.hop) == ["client→frontend", "frontend→api", "api→store"])
        for row in rows {
            #expect(row.truthRequests > 1000, "\(row.hop): too few requests to judge")
            #expect((row.matchedPercent ?? 0) >= 99.9, "\(row.hop): \(row.matchedPercent ?? 0)% matched")
        }
        let topology = try Self.quickRun(features).results.topology
        #expect(topology.precision == 1 && topology.recall == 1)
    }

    @Test(arguments: Features.allCases)
    func noLossGoesUnaccounted(features: Features) throws {
        try Privileged.check()
        let results = try Self.quickRun(features).results
        for row in results.overhead {
            #expect(row.unaccountedLosses == 0, "\(row.arm) at \(row.load)%: \(row.unaccountedLosses) spans missing without a counted loss")
        }
        let sock = try #require(results.overhead.first { $0.arm == "sock/kernel" })
        #expect(!sock.bpfNanosecondsPerRun.isEmpty && (sock.runsPerRequest ?? 0) > 0)
        #expect(sock.cpuMicrosecondsPerRequest.bpf != nil && sock.cpuMicrosecondsPerRequest.services != nil)
    }

    /// The in-place method itself: every arm gets one phase in every block of every level, each
    /// phase measured requests, and no program ran outside its own arm's phases (zero stray runs,
    /// so zero runs in baseline phases). A load phase that ran off schedule is in `invalid_blocks`
    /// instead of `phases`: in full suites a few per run do (a stall of the busy machine across a
    /// 0.22 s window's edge), so each arm must keep the fewest blocks a verdict needs.
    @Test(arguments: Features.allCases)
    func armsAlternateInPlace(features: Features) throws {
        try Privileged.check()
        let results = try Self.quickRun(features).results
        let arms = Set(results.config.arms)
        #expect(arms == ["baseline", "baseline-aa", "empty", "sock/kernel"])
        for (level, blocks) in [("saturation", results.config.lengths.saturationBlocks), ("load 50%", results.config.lengths.blocks)] {
            let phases = results.phases.filter { $0.level.description == level }
            let offSchedule = results.invalidBlocks.filter { $0.phase == level && $0.reason.isOffSchedule }
            #expect(level != "saturation" || offSchedule.isEmpty, "closed loop has no schedule to be off")
            #expect(phases.count + offSchedule.count == blocks * arms.count, "\(level)")
            for block in 0..<blocks {
                let ran = phases.filter { $0.block == block }.map(\.arm) + offSchedule.filter { $0.block == block }.map(\.arm)
                #expect(ran.sorted() == arms.sorted(), "\(level) block \(block)")
            }
            for arm in arms where level != "saturation" {
                #expect(phases.filter { $0.arm == arm }.count >= Verdict.minimumBlocks,
                        "\(level): \(arm) kept too few blocks; off schedule: \(offSchedule.filter { $0.arm == arm })")
            }
        }
        for phase in results.phases {
            let name = "\(phase.arm) in \(phase.level) block \(phase.block)"
            #expect(phase.strayRuns == 0, "\(name): other arms' programs ran")
            guard phase.requests > 0 else {
                // The bench drops an empty phase as invalid. One full suite in four had one, not
                // reproduced alone; the likely cause is the load generator's one thread going
                // without the CPU for the whole 0.22 s window. The message keeps what it saw.
                withKnownIssue("a stall of the 2-core machine as long as a quick phase's window leaves it empty", isIntermittent: true) {
                    Issue.record("\(name): no request in \(phase.seconds) s after a \(phase.switchMicroseconds) µs switch")
                }
                continue
            }
            #expect(phase.achievedRPS > 0, "\(name)")
            #expect(phase.arm.hasPrefix("baseline") ? phase.bpfRuns == 0 : phase.bpfRuns > 0, "\(name)")
        }
        #expect(results.phases.filter { $0.requests == 0 }.count <= 1, "more than one empty phase: not a stall")
        // Levels are fractions of the knee; where no rate of the sweep stayed below it (a debug
        // build on a loaded machine), of the low-load rate, as docs/bench.md says.
        let base = try #require(results.knee.kneeRPS ?? results.knee.points.first?.rate, "no knee search: \(results.knee)")
        let load = try #require(results.overhead.first { $0.arm == "baseline" })
        #expect(abs(load.offeredRPS - base / 2) < 1, "the 50% level runs at half the knee (\(results.knee))")
    }

    /// Links come and go with the phases while the bench runs, and none outlives it.
    @Test func linksAreAttachedOnlyInTheirPhasesAndNoneSurvives() throws {
        try Privileged.check()
        let bench = try BenchProcess(["bench", "--quick", "--workload", BenchProcess.chain3, "--variants", "sock",
                                      "--seed", "3", "--out", Self.scratch.appendingPathComponent("links").path],
                                     scratch: Self.scratch)
        var seen = Set<UInt32>(), emptyAfterAttach = false
        bench.waitUntil(seconds: 200) {
            let held = bench.linkIDs()
            if held.isEmpty && !seen.isEmpty { emptyAfterAttach = true }
            seen.formUnion(held)
            return false
        }
        let status = bench.wait(seconds: 30)
        #expect(status == 0, "stderr: \(bench.stderr.suffix(1500))")
        #expect(seen.count > 4, "sock attached only \(seen.count) links: it should attach anew in each of its phases")
        #expect(emptyAfterAttach, "the links were never detached while the bench ran")
        for id in seen { #expect(!BenchProcess.linkExists(id), "BPF link \(id) survived") }
    }

    @Test func gateAgainstItsOwnBaselineIsEqual() throws {
        try Privileged.check()
        let run = try Self.quickRun()
        let gate = try runCommand(BuildProducts.executable("kmon"), ["compare", run.directory.path, run.directory.path, "--check"])
        #expect(gate.status == 0, "\(gate.stdout.suffix(1500))")
        #expect(gate.stdout.contains("gate: equal (exit 0)"))
    }

    @Test func gateAgainstABaselineThirtyPercentCheaperIsARegression() throws {
        try Privileged.check()
        let run = try Self.quickRun()
        let path = Self.scratch.appendingPathComponent("cheaper.json")
        try Self.withCosts(of: run.results, scaledBy: 0.7).encoded().write(to: path)
        let gate = try runCommand(BuildProducts.executable("kmon"), ["compare", path.path, run.directory.path, "--check"])
        #expect(gate.status == 2, "\(gate.stdout.suffix(1500))")
        #expect(gate.stdout.contains("regression"))
    }

    /// A results file with `load: 1e300` (the rest as a bench wrote it) trapped `kmon compare`
    /// rendering the load (exit 132): now one line naming the file and field, exit 65.
    @Test func compareRefusesALoadOutOfRange() throws {
        try Privileged.check()
        let run = try Self.quickRun()
        var object = try #require(JSONSerialization.jsonObject(with: run.results.encoded()) as? [String: Any])
        var rows = try #require(object["overhead"] as? [[String: Any]])
        rows[0]["load"] = 1e300
        object["overhead"] = rows
        let path = Self.scratch.appendingPathComponent("huge-load.json")
        try JSONSerialization.data(withJSONObject: object).write(to: path)
        let compare = try runCommand(BuildProducts.executable("kmon"), ["compare", path.path, run.directory.path])
        #expect(compare.status == 65, "stderr: \(compare.stderr)")
        #expect(compare.stderr == "error: \(path.path) is not a kmon bench results file: overhead[0].load must be from 0 to 100 percent of the baseline's knee (got 1e+300)\n")
    }

    /// The CI path: a bench run that gates itself against a stored baseline, here one whose
    /// probes cost half as much.
    @Test func benchWithABaselineFileGatesItsOwnRun() throws {
        try Privileged.check()
        let path = Self.scratch.appendingPathComponent("half.json")
        try Self.withCosts(of: try Self.quickRun().results, scaledBy: 0.5).encoded().write(to: path)
        let bench = try BenchProcess(["bench", "--quick", "--workload", BenchProcess.chain3, "--variants", "empty,sock",
                                      "--seed", "8", "--out", Self.scratch.appendingPathComponent("gated").path,
                                      "--baseline", path.path, "--check"], scratch: Self.scratch)
        let status = bench.wait(seconds: 240)
        #expect(status == 2, "stderr: \(bench.stderr.suffix(2000))")
        #expect(bench.stdout.contains("At 50% of the knee") && bench.stdout.contains("regression"))
    }

    /// `results` with every probe cost (ns per run, runs and CPU per request) times `factor`.
    static func withCosts(of results: BenchResults, scaledBy factor: Double) -> BenchResults {
        var scaled = results
        for index in scaled.overhead.indices {
            var samples = scaled.overhead[index].samples
            samples.bpfNanosecondsPerRun = samples.bpfNanosecondsPerRun.mapValues { $0.map { $0 * factor } }
            samples.runsPerRequest = samples.runsPerRequest.map { $0 * factor }
            samples.cpuMicrosecondsPerRequest = samples.cpuMicrosecondsPerRequest.map { $0 * factor }
            scaled.overhead[index].samples = samples
            scaled.overhead[index].bpfNanosecondsPerRun = scaled.overhead[index].bpfNanosecondsPerRun.mapValues { $0 * factor }
        }
        return scaled
    }

    @Test func aForeignBaselineIsRefused() throws {
        try Privileged.check()
        let foreign = Self.scratch.appendingPathComponent("foreign.json")
        try Data(#"{"benchmarks": [{"name": "x"}]}"#.utf8).write(to: foreign)
        let bench = try runCommand(BuildProducts.executable("kmon"), ["bench", "--quick", "--baseline", foreign.path, "--check",
                                                                      "--workload", BenchProcess.chain3])
        #expect(bench.status == 65)
        #expect(bench.stderr.contains("is not a kmon bench results file: it has no \"schema\" key"))
    }

    @Test(arguments: [
        (["--variants", "sock,telepathy"], Int32(64), "unknown variant 'telepathy'"),
        (["--loads", "50,150"], Int32(64), "load '150' is out of range"),
        (["--modes", "psychic"], Int32(64), "unknown span mode 'psychic'"),
        (["--workload", "/nonexistent/chain9.yaml"], Int32(65), "/nonexistent/chain9.yaml"),
    ])
    func badInputIsRefusedClearly(arguments: [String], status: Int32, message: String) throws {
        try Privileged.check()
        let workload = arguments.contains("--workload") ? [] : ["--workload", BenchProcess.chain3]
        let bench = try runCommand(BuildProducts.executable("kmon"), ["bench", "--quick"] + workload + arguments)
        #expect(bench.status == status, "\(bench.stderr)")
        #expect(bench.stderr.contains(message), "\(bench.stderr)")
    }

    /// Ctrl-C while services run and probes are attached: exit 130, and no service, link or
    /// scratch file of the bench is left.
    @Test(arguments: [false, true])
    func interruptLeavesNothingBehind(whileProbing: Bool) throws {
        try Privileged.check()
        let directory = Self.scratch.appendingPathComponent("interrupted-\(whileProbing)")
        let bench = try BenchProcess(["bench", "--quick", "--workload", BenchProcess.chain3, "--variants", "sock",
                                      "--out", directory.path], scratch: Self.scratch)
        var children = Set<Int32>(), links = Set<UInt32>()
        let reached = bench.waitUntil(seconds: 60) {
            bench.children().forEach { children.insert($0.pid) }
            let held = bench.linkIDs()
            links.formUnion(held)
            return whileProbing ? !held.isEmpty : children.count >= 3
        }
        #expect(reached, "the bench never reached the phase to interrupt")
        kill(bench.pid, SIGINT)
        let status = bench.wait(seconds: 30)
        #expect(status == 130, "stderr: \(bench.stderr.suffix(1000))")
        #expect(bench.stderr.contains("stopped and cleaned up"))
        #expect(!children.isEmpty)
        for pid in children { #expect(!BenchProcess.processExists(pid), "service pid \(pid) survived") }
        for id in links { #expect(!BenchProcess.linkExists(id), "BPF link \(id) survived") }
        #expect(!FileManager.default.fileExists(atPath: directory.path), "an interrupted bench wrote results")
    }

    /// A service killed mid-run: the bench says which one, marks the block invalid, cleans up,
    /// and exits 1 promptly.
    @Test func aDyingServiceStopsTheBenchCleanly() throws {
        try Privileged.check()
        let directory = Self.scratch.appendingPathComponent("death")
        let bench = try BenchProcess(["bench", "--quick", "--workload", BenchProcess.chain3, "--variants", "sock",
                                      "--out", directory.path], scratch: Self.scratch)
        var children = Set<Int32>()
        var killed = Set<Int32>()
        var status: Int32?
        // A kill that lands while a run is already tearing down is not a death; try the next run's api.
        for _ in 0..<5 where status == nil {
            var victim: Int32?
            bench.waitUntil(seconds: 60) {
                let current = bench.children()
                current.forEach { children.insert($0.pid) }
                victim = current.first { $0.comm == "api" && !killed.contains($0.pid) }?.pid
                return victim != nil && !bench.linkIDs().isEmpty
            }
            guard let api = victim else { break }
            usleep(100_000)  // into the load
            kill(api, SIGKILL)
            killed.insert(api)
            bench.waitUntil(seconds: 5) { !bench.process.isRunning }
            if !bench.process.isRunning { status = bench.wait(seconds: 5) }
        }
        if status == nil { status = bench.wait(seconds: 40) }
        #expect(!killed.isEmpty, "no api service appeared")
        #expect(status == 1, "stderr: \(bench.stderr.suffix(1500))")
        #expect(bench.stderr.contains("service api"))
        #expect(bench.stderr.contains("killed by signal 9"))
        let results = try BenchOutput.load(directory.path)
        #expect(results.invalidBlocks.contains { $0.reason.description.contains("service api") })
        for pid in children { #expect(!BenchProcess.processExists(pid), "pid \(pid) survived") }
    }
}
