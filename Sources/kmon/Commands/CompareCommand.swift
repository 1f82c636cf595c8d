import ArgumentParser
import Foundation
import KmonBench

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Show the deltas between two bench results (folders or results.json files), A → B.",
        discussion: "With --check, A is the baseline and the exit code is the gate's: 0 equal, 2 regression, 4 improvements only.")

    @Argument(help: "The earlier run (baseline).")
    var runA: String

    @Argument(help: "The later run.")
    var runB: String

    @Flag(help: "Gate B against A (exit 0 equal, 2 regression, 4 improvements only).")
    var check = false

    func run() throws {
        let a: BenchResults, b: BenchResults
        do {
            a = try BenchOutput.load(runA)
            b = try BenchOutput.load(runB)
        } catch {
            fail("\(error)", ExitCodes.badInput)
        }
        print(GateRenderer.compare(a, b, nameA: runA, nameB: runB))
        if check {
            let outcome = RegressionGate().check(baseline: a, current: b).outcome
            if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
        }
    }
}
