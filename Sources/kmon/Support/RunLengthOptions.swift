import ArgumentParser
import KmonBench
import KmonLoad
import KmonSupport

/// `kmon bench`'s run lengths: each flag given replaces the preset's figure.
struct RunLengthOptions: ParsableArguments {
    @Option(help: "Blocks per load level, each one phase of every arm; 6 or more for a 95% CI and a verdict. Default: 30 (--quick: 10).")
    var reps: Int?

    @Option(help: "Seconds of one phase (an arm's turn in a block), settling time included. Default: 0.5 (--quick: 0.3).")
    var phase: Double?

    @Option(help: "Seconds discarded after each switch of arms. Default: 0.1 (--quick: 0.08).")
    var settle: Double?

    @Option(help: "Measured seconds of each fresh-service accuracy run. Default: 2 (--quick: 3).")
    var duration: Double?

    @Option(help: "Warm-up seconds before each load run. Default: 0.5 (--quick: 0.3).")
    var warmup: Double?

    @Option(help: "Load generator connections. Default: 8.")
    var connections: Int?

    @Option(name: .customLong("trigger-blocks"), help: "Blocks of the trigger level (a driver fires the hooks on one loopback connection, no load); 0 leaves it out. Default: 10 (--quick: 4).")
    var triggerBlocks: Int?

    @Option(name: .customLong("trigger-iterations"), help: "Driver iterations per trigger phase (two sends, two receives each). Default: 20000 (about 0.2 s on a 2-core VM).")
    var triggerIterations: Int?

    func validate() throws {
        if let reps { try AcceptedRange(1...10_000, unit: "blocks").checkFlag(reps, "--reps") }
        if let duration { try AcceptedRange.positiveSeconds.checkFlag(duration, "--duration") }
        if let phase { try AcceptedRange.seconds(from: 0.05).checkFlag(phase, "--phase") }
        if let warmup { try AcceptedRange.seconds(from: 0).checkFlag(warmup, "--warmup") }
        if let connections { try LoadConfiguration.connectionRange.checkFlag(connections, "--connections") }
        if let triggerBlocks { try AcceptedRange(0...10_000, unit: "blocks").checkFlag(triggerBlocks, "--trigger-blocks") }
        if let triggerIterations { try AcceptedRange(1...100_000_000, unit: "iterations").checkFlag(triggerIterations, "--trigger-iterations") }
    }

    /// The preset's lengths with every given flag in place. A gate (`--base-objects`) runs at least
    /// `BenchPreset.gateBlocks` blocks per level unless `--reps` or `--trigger-blocks` says otherwise.
    func lengths(_ preset: RunLengths, gate: Bool) -> RunLengths {
        var lengths = preset
        lengths.blocks = reps ?? (gate ? max(lengths.blocks, BenchPreset.gateBlocks) : lengths.blocks)
        lengths.phaseSeconds = phase ?? lengths.phaseSeconds
        lengths.settleSeconds = settle ?? lengths.settleSeconds
        lengths.accuracySeconds = duration ?? lengths.accuracySeconds
        lengths.warmupSeconds = warmup ?? lengths.warmupSeconds
        lengths.connections = connections ?? lengths.connections
        lengths.triggerBlocks = triggerBlocks ?? (gate ? max(lengths.triggerBlocks, BenchPreset.gateBlocks) : lengths.triggerBlocks)
        lengths.triggerIterations = triggerIterations ?? lengths.triggerIterations
        return lengths
    }

    /// `--settle` against the phase it is cut from, given or the preset's.
    func checkSettle(_ preset: RunLengths) throws {
        let (phase, settle) = (phase ?? preset.phaseSeconds, settle ?? preset.settleSeconds)
        if !(settle.isFinite && settle >= 0 && settle < phase) {
            throw ValidationError("--settle must be zero or more and shorter than --phase \(phase) s (got \(settle))")
        }
    }
}
