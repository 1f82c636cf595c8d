import KmonCollectors
import KmonTcpreq

/// What a bench runs when no flag says otherwise: the default (about 5 minutes for chain3 with five
/// arms on 2 cores), `--quick` (under a minute, rough figures) and `--preset paper`. Each flag
/// given replaces its field.
public struct BenchPreset: Sendable, Equatable {
    /// Load levels, percent of the baseline's knee.
    public var loadPercents: [Double]
    public var lengths: RunLengths
    public var variants: [ProbeVariant]
    public var modes: [SpanMode]
    /// Collector arms, each at one verbosity.
    public var collectorArms: [BenchArm]

    /// The presets `--preset` names (the default and `--quick` have no name).
    public enum Name: String, CaseIterable, Sendable {
        case paper
    }

    public static func named(_ name: Name) -> BenchPreset {
        switch name {
        case .paper: paper
        }
    }

    /// The fewest blocks per load level and at the trigger level with `--base-objects`: the gate's
    /// tests are corrected (Holm) for their number, and a cost figure needs 10 paired blocks or
    /// more to be significant at all (`InRunGate.Thresholds.minimumPairedBlocks`); 12 leave two
    /// blocks to lose (off schedule, noisy) and keep a default-variant `--quick` gate under 2 minutes.
    public static let gateBlocks = 12
    /// Driver iterations per trigger phase: about 0.2 s on the 2-core VM with a probe attached,
    /// and some 10^5 runs of each hot program (each iteration sends and receives twice).
    public static let triggerIterations = 20_000

    public static let standard = BenchPreset(loadPercents: [25, 50, 75],
                                             lengths: RunLengths(blocks: 30, saturationBlocks: 8, phaseSeconds: 0.5, settleSeconds: 0.1,
                                                                 kneeSeconds: 1, accuracySeconds: 2, warmupSeconds: 0.5, connections: 8,
                                                                 triggerBlocks: 10, triggerIterations: triggerIterations),
                                             variants: [.empty, .sock, .syscall], modes: [.kernel], collectorArms: [])

    public static let quick = BenchPreset(loadPercents: [50],
                                          lengths: RunLengths(blocks: 10, saturationBlocks: 4, phaseSeconds: 0.3, settleSeconds: 0.08,
                                                              kneeSeconds: 0.5, accuracySeconds: 3, warmupSeconds: 0.3, connections: 8,
                                                              triggerBlocks: 4, triggerIterations: triggerIterations),
                                          variants: [.empty, .sock, .syscall], modes: [.kernel], collectorArms: [])

    /// Kmon's own configurations as arms: tcpreq with every event through the ring (user, as the
    /// original did) and with spans assembled in the kernel, the original kprobe/fentry hooks
    /// (skipped with the kernel's reason where they cannot attach), and every other collector at
    /// its lowest and highest verbosity.
    public static let paper = BenchPreset(
        loadPercents: [50], lengths: standard.lengths, variants: [.empty, .sock, .syscall, .kprobe, .fentry], modes: [.user, .kernel],
        collectorArms: [.collector(.tcpdrop, verbosity: 1), .collector(.tcpdrop, verbosity: 3), .collector(.offcpu, verbosity: 1),
                        .collector(.offcpu, verbosity: 3), .collector(.biostat, verbosity: 1), .collector(.biostat, verbosity: 2),
                        .collector(.fcount, verbosity: 1)])
}
