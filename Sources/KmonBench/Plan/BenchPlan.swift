/// The shape of one bench run: which arms, which loads, how many blocks of how long.
public struct BenchPlan: Sendable {
    public var workload: String
    public var network: String
    public var arms: [BenchArm]
    /// Percent of the baseline's knee (`KneeSearch`).
    public var loadPercents: [Double]
    public var lengths: RunLengths
    public var seed: UInt64
    public var quick: Bool
    public var command: String
    /// Reload every probe's objects every this many blocks (`--reload-every`); 0 never.
    public var reloadEvery = BenchPlan.defaultReloadEvery
    /// Leave phases past the noise limits out of every Δ (`--drop-noisy`).
    public var dropNoisy = false
    /// Why 2: `ProbeReloads.defaultEvery`.
    public static let defaultReloadEvery = ProbeReloads.defaultEvery

    public init(workload: String, network: String, arms: [BenchArm], loadPercents: [Double], lengths: RunLengths,
                seed: UInt64, quick: Bool, command: String) {
        self.workload = workload
        self.network = network
        self.arms = arms
        self.loadPercents = loadPercents
        self.lengths = lengths
        self.seed = seed
        self.quick = quick
        self.command = command
    }

    public var schedule: BenchSchedule {
        var schedule = BenchSchedule(arms: arms, loadPercents: loadPercents, saturationBlocks: lengths.saturationBlocks,
                                     loadBlocks: lengths.blocks, seed: seed)
        schedule.triggerBlocks = lengths.triggerBlocks
        return schedule
    }

    /// Arms that get fresh-service accuracy runs: those whose probe reports spans.
    public var accuracyArms: [BenchArm] { arms.filter { $0.reportsSpans && $0.build == .current } }

    /// A rough length of the whole bench, for the progress bar: about a second per service start.
    public var estimatedSeconds: Double {
        let l = lengths
        let phases = Double(arms.count * (l.saturationBlocks + l.blocks * loadPercents.count)) * l.phaseSeconds
        let warmups = Double(1 + loadPercents.count) * l.warmupSeconds
        let knee = Double(KneeSearch.fractions.count) * (l.kneeSeconds + l.warmupSeconds)
        let accuracy = Double(accuracyArms.count * loadPercents.count) * (l.accuracySeconds + l.warmupSeconds + 1.5)
        let trigger = Double(arms.count * l.triggerBlocks) * 0.25
        return phases + warmups + knee + accuracy + trigger + 2
    }

    public var record: BenchConfigRecord {
        var record = BenchConfigRecord(workload: workload, network: network, arms: arms.map(\.name), loads: loadPercents,
                                       lengths: lengths, seed: seed, quick: quick, command: command)
        (record.reloadEvery, record.dropNoisy) = (reloadEvery, dropNoisy)
        return record
    }
}
