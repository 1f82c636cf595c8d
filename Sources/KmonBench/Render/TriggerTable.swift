/// The trigger level in tables.md and trigger.csv.
enum TriggerTable {
    static let note = "No load: a driver fires the hooks on one pinned loopback connection (write, read, write, read per "
        + "iteration), each phase one arm and one burst. Warm ns/run: run statistics over the trigger phases; in-situ: over "
        + "the load levels. ns/iter: the driver thread's CPU time per iteration (wall: elapsed, other work included); "
        + "Δ ns/iter: CPU ns/iter against the baseline in the same block (median); "
        + "dispatch-incl. ns/run: that Δ over the arm's runs per iteration, the hook's cost with what run_time_ns leaves "
        + "out. baseline-aa's Δ is the noise of that figure."

    static func markdown(_ rows: [TriggerRow]) -> String {
        MarkdownTable.render(
            header: ["arm", "runs/phase (hottest)", "runs/iter", "warm ns/run", "in-situ ns/run", "ns/iter", "wall ns/iter",
                     "Δ ns/iter", "dispatch-incl. ns/run"],
            rows: rows.map { row in
                [row.arm, Format.number(row.programs.values.map(\.runsPerPhase).max(), 0), Format.number(row.runsPerIteration, 2),
                 Format.number(row.warmNanosecondsPerRun), Format.number(row.inSituNanosecondsPerRun),
                 Format.number(row.nanosecondsPerIteration, 0), Format.number(row.wallNanosecondsPerIteration, 0),
                 Format.signed(row.deltaNanosecondsPerIteration, 0),
                 Format.number(row.dispatchNanosecondsPerRun)]
            },
            rightAligned: [1, 2, 3, 4, 5, 6, 7, 8])
    }

    /// One row per arm, each program's warm and in-situ ns/run and runs per phase in one field.
    static func csv(_ rows: [TriggerRow]) -> String {
        let header = ["arm", "blocks", "iterations", "ns_per_iteration", "delta_ns_per_iteration", "wall_ns_per_iteration",
                      "runs_per_iteration",
                      "warm_ns_per_run", "in_situ_ns_per_run", "dispatch_ns_per_run", "programs_warm_ns_per_run",
                      "programs_in_situ_ns_per_run", "programs_runs_per_phase", "stray_runs"]
        let lines = rows.map { row -> [String] in
            let programs = row.programs.sorted { $0.key < $1.key }
            func field(_ value: (TriggerProgram) -> Double?) -> String {
                programs.map { "\($0.key)=\(Format.csv(value($0.value)))" }.joined(separator: ";")
            }
            return [row.arm, String(row.blocks), String(row.iterations), Format.csv(row.nanosecondsPerIteration),
                    Format.csv(row.deltaNanosecondsPerIteration), Format.csv(row.wallNanosecondsPerIteration),
                    Format.csv(row.runsPerIteration), Format.csv(row.warmNanosecondsPerRun),
                    Format.csv(row.inSituNanosecondsPerRun), Format.csv(row.dispatchNanosecondsPerRun), field(\.warmNanosecondsPerRun),
                    field(\.inSituNanosecondsPerRun), field(\.runsPerPhase), String(row.strayRuns)]
        }
        return CSVRenderer.render([header] + lines)
    }
}
