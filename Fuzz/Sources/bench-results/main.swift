import Foundation
import FuzzSupport
import KmonBench

// The results reader (`compare A B`, `bench --baseline FILE`): bytes in, results or one
// ResultsFileError out, never a trap; and results it accepts must go through what `compare
// --check` does with them (the deltas table and the regression gate) and what `bench --render`
// does (the summary and report.html) without a trap either.
Fuzzer.run { bytes in
    let results: BenchResults
    do {
        results = try BenchResults.decode(Data(bytes), source: "fuzz.json")
    } catch is ResultsFileError {
        return
    } catch {
        preconditionFailure("not a ResultsFileError: \(error)")
    }
    _ = GateRenderer.compare(results, results, nameA: "a", nameB: "b")
    _ = RegressionGate().check(baseline: results, current: results)
    _ = TerminalSummary.render(results)
    _ = HTMLReport.render(results)
}
