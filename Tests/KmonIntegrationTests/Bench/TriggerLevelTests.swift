import Foundation
import Glibc
import KmonBench
import Testing

/// The trigger level on real probes: the driver fires sock/kernel's and empty's hooks often
/// enough for a stable warm ns/run, and no driver process outlives the bench, finished or interrupted.
@Suite(.serialized, Privileged.enabled)
struct TriggerLevelTests {
    /// The driver's pid, from the bench's note "trigger: ... (pid N, ...)".
    static func driverPID(_ stderr: String) -> Int32? {
        guard let range = stderr.range(of: #"\(pid [0-9]+"#, options: .regularExpression) else { return nil }
        return Int32(stderr[range].dropFirst("(pid ".count))
    }

    @Test func quickBenchDrivesTheHotProgramsAndReportsFiniteCosts() throws {
        try Privileged.check()
        let run = try BenchCommandTests.quickRun()
        #expect(run.status == 0, "stderr: \(run.stderr.suffix(2000))")
        let rows = try #require(run.results.trigger, "no trigger level in results.json")
        #expect(run.results.config.lengths.triggerBlocks == BenchPreset.quick.lengths.triggerBlocks)
        for arm in ["sock/kernel", "empty"] {
            let row = try #require(rows.first { $0.arm == arm }, "no trigger row for \(arm)")
            #expect(row.blocks == BenchPreset.quick.lengths.triggerBlocks)
            for hook in ["send", "recv"] {
                let program = try #require(row.programs.first { $0.key.contains(hook) }, "\(arm) has no \(hook) program")
                #expect(program.value.runsPerPhase >= 10_000, "\(arm) \(program.key): \(program.value.runsPerPhase) runs per phase")
            }
            for (name, value) in [("warm ns/run", row.warmNanosecondsPerRun), ("dispatch-incl. ns/run", row.dispatchNanosecondsPerRun),
                                  ("in-situ ns/run", row.inSituNanosecondsPerRun)] {
                #expect(value.map { $0.isFinite && $0 > 0 } == true, "\(arm) \(name): \(String(describing: value))")
            }
            #expect(row.strayRuns == 0)
        }
        #expect(run.stdout.contains("Trigger level (no load"))
        #expect(FileManager.default.fileExists(atPath: run.directory.appendingPathComponent("trigger.csv").path))
        let pid = try #require(Self.driverPID(run.stderr), "the bench did not name its driver: \(run.stderr.suffix(1500))")
        #expect(!BenchProcess.processExists(pid), "trigger driver \(pid) survived the bench")
    }

    /// Ctrl-C in the middle of the trigger level: exit 130, and neither the driver nor any link is left.
    @Test func interruptInTheTriggerLevelLeavesNoDriver() throws {
        try Privileged.check()
        let directory = BenchCommandTests.scratch.appendingPathComponent("trigger-interrupted")
        let bench = try BenchProcess(["bench", "--quick", "--workload", BenchProcess.chain3, "--variants", "sock", "--reps", "2",
                                      "--trigger-blocks", "20", "--out", directory.path], scratch: BenchCommandTests.scratch)
        var links = Set<UInt32>()
        let reached = bench.waitUntil(seconds: 150) {
            links.formUnion(bench.linkIDs())
            return bench.stderr.contains("trigger: no load")
        }
        #expect(reached, "the bench never reached the trigger level: \(bench.stderr.suffix(1500))")
        let pid = try #require(Self.driverPID(bench.stderr))
        #expect(BenchProcess.processExists(pid), "the driver was gone before the interrupt")
        bench.waitUntil(seconds: 0.5) { links.formUnion(bench.linkIDs()); return false }
        kill(bench.pid, SIGINT)
        let status = bench.wait(seconds: 30)
        #expect(status == 130, "stderr: \(bench.stderr.suffix(1000))")
        #expect(!BenchProcess.processExists(pid), "trigger driver \(pid) survived the interrupt")
        for id in links { #expect(!BenchProcess.linkExists(id), "BPF link \(id) survived") }
    }
}
