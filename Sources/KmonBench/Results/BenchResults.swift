import Foundation
import KmonFeatures
import KmonSupport

/// Everything one bench run measured: the content of results.json.
///
/// The keys are a versioned interface (docs/results.schema.json, described in docs/results.md):
/// other tools and CI read them. Optional values are written as JSON null, never left out, so a
/// reader can tell "not measured" from "missing key".
public struct BenchResults: Codable, Sendable {
    public static let schemaVersion = "kmon.bench/2"

    public var schema = BenchResults.schemaVersion
    public var kmonVersion: String
    public var startedAt: String
    public var elapsedSeconds: Double
    public var environment: BenchEnvironment
    public var config: BenchConfigRecord
    public var noiseFloor: NoiseFloorRecord
    /// The baseline's knee, which the load levels are fractions of.
    public var knee: KneeRecord
    public var saturation: [SaturationRow]
    public var overhead: [OverheadRow]
    /// Every measured phase in time order, for the report's time series.
    public var phases: [PhaseRecord]
    public var accuracy: [AccuracyRow]
    public var topology: TopologyRecord
    public var skipped: [SkippedArm]
    /// Optional kernel features some arms ran without: never a skipped arm.
    public var degraded: [DegradedFeature]
    public var invalidBlocks: [InvalidBlock]
    public var charts: ChartData
    /// With `--base-objects`: this build against the base build (docs/ci.md).
    @ExplicitNull public var gate: GateRecord? = nil
    /// How noisy the machine was per level, beside the A/A floor.
    @ExplicitNull public var machineNoise: MachineNoiseRecord? = nil
    /// ns/run across the loads of each probe arm's identical objects.
    @ExplicitNull public var placement: [PlacementSpread]? = nil
    /// The trigger level, one row per arm; nil when the run had none.
    public var trigger: [TriggerRow]?
    /// Per arm, load and service: error rates of server spans against served records.
    public var serviceErrors: [ServiceErrorRow]?

    public init(kmonVersion: String, startedAt: String, elapsedSeconds: Double, environment: BenchEnvironment,
                config: BenchConfigRecord, noiseFloor: NoiseFloorRecord, knee: KneeRecord, saturation: [SaturationRow],
                overhead: [OverheadRow], phases: [PhaseRecord], accuracy: [AccuracyRow], topology: TopologyRecord,
                skipped: [SkippedArm], degraded: [DegradedFeature] = [], invalidBlocks: [InvalidBlock], charts: ChartData) {
        self.kmonVersion = kmonVersion
        self.startedAt = startedAt
        self.elapsedSeconds = elapsedSeconds
        self.environment = environment
        self.config = config
        self.noiseFloor = noiseFloor
        self.knee = knee
        self.saturation = saturation
        self.overhead = overhead
        self.phases = phases
        self.accuracy = accuracy
        self.topology = topology
        self.skipped = skipped
        self.degraded = degraded
        self.invalidBlocks = invalidBlocks
        self.charts = charts
    }

    enum CodingKeys: String, CodingKey {
        case schema, environment, config, knee, saturation, overhead, phases, accuracy, topology, skipped, degraded, charts, gate
        case trigger
        case kmonVersion = "kmon_version", startedAt = "started_at", elapsedSeconds = "elapsed_s"
        case noiseFloor = "noise_floor", invalidBlocks = "invalid_blocks"
        case machineNoise = "machine_noise", placement
        case serviceErrors = "service_errors"
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .throw
        return try encoder.encode(self)
    }

    /// Reads a results.json written by kmon bench; anything else is refused with the reason.
    public static func decode(_ data: Data, source: String) throws -> BenchResults {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw ResultsFileError.notJSON(source)
        }
        guard let top = object as? [String: Any], let schema = top["schema"] as? String else {
            throw ResultsFileError.notOurs(source, "it has no \"schema\" key")
        }
        guard schema == schemaVersion else {
            throw ResultsFileError.notOurs(source, "its schema is \"\(schema)\", this kmon reads \"\(schemaVersion)\"")
        }
        let results: BenchResults
        do {
            results = try JSONDecoder().decode(BenchResults.self, from: data)
        } catch {
            throw ResultsFileError.notOurs(source, "it does not match the \(schemaVersion) layout (\(error))")
        }
        do { try results.checkRanges() } catch let error as OutOfRangeError {
            throw ResultsFileError.notOurs(source, error.description)
        }
        return results
    }

    public static func load(path: String) throws -> BenchResults {
        guard let data = FileManager.default.contents(atPath: path) else { throw ResultsFileError.unreadable(path) }
        return try decode(data, source: path)
    }
}

public struct ResultsFileError: Error, CustomStringConvertible, Equatable {
    public let description: String

    static func notJSON(_ source: String) -> ResultsFileError {
        ResultsFileError(description: "\(source) is not a kmon bench results file: it is not JSON")
    }

    static func notOurs(_ source: String, _ why: String) -> ResultsFileError {
        ResultsFileError(description: "\(source) is not a kmon bench results file: \(why)")
    }

    static func unreadable(_ path: String) -> ResultsFileError {
        ResultsFileError(description: "cannot read \(path): no such file, or not readable")
    }
}

public struct BenchEnvironment: Codable, Sendable {
    public var kernel: String
    public var cpu: String
    public var cores: Int
    public var machine: String
    public var hostname: String
    @ExplicitNull public var memoryMB: Double? = nil
    @ExplicitNull public var bpfStats: String? = nil

    public init(kernel: String, cpu: String, cores: Int, machine: String, hostname: String,
                memoryMB: Double?, bpfStats: String?) {
        self.kernel = kernel
        self.cpu = cpu
        self.cores = cores
        self.machine = machine
        self.hostname = hostname
        self.memoryMB = memoryMB
        self.bpfStats = bpfStats
    }

    enum CodingKeys: String, CodingKey {
        case kernel, cpu, cores, machine, hostname
        case memoryMB = "memory_mb", bpfStats = "bpf_stats"
    }
}

/// The settings the run used, so it can be repeated (the seed fixes block order and bootstrap).
public struct BenchConfigRecord: Codable, Sendable {
    public var workload: String
    public var network: String
    public var arms: [String]
    /// Percent of the baseline's knee.
    public var loads: [Double]
    /// Stored flat: `blocks`, `phase_s`, … stand beside `workload` in results.json.
    public var lengths: RunLengths
    public var seed: UInt64
    public var quick: Bool
    public var command: String
    /// Objects reloaded every this many blocks (0 never), and whether noisy phases were dropped;
    /// nil in files from before they existed.
    public var reloadEvery: Int?
    public var dropNoisy: Bool?

    public init(workload: String, network: String, arms: [String], loads: [Double], lengths: RunLengths,
                seed: UInt64, quick: Bool, command: String) {
        self.workload = workload
        self.network = network
        self.arms = arms
        self.loads = loads
        self.lengths = lengths
        self.seed = seed
        self.quick = quick
        self.command = command
    }

    enum CodingKeys: String, CodingKey {
        case workload, network, arms, loads, seed, quick, command
        case reloadEvery = "reload_every", dropNoisy = "drop_noisy"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(workload: try c.decode(String.self, forKey: .workload), network: try c.decode(String.self, forKey: .network),
                  arms: try c.decode([String].self, forKey: .arms), loads: try c.decode([Double].self, forKey: .loads),
                  lengths: try RunLengths(from: decoder), seed: try c.decode(UInt64.self, forKey: .seed),
                  quick: try c.decode(Bool.self, forKey: .quick), command: try c.decode(String.self, forKey: .command))
        reloadEvery = try c.decodeIfPresent(Int.self, forKey: .reloadEvery)
        dropNoisy = try c.decodeIfPresent(Bool.self, forKey: .dropNoisy)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(workload, forKey: .workload)
        try c.encode(network, forKey: .network)
        try c.encode(arms, forKey: .arms)
        try c.encode(loads, forKey: .loads)
        try lengths.encode(to: encoder)
        try c.encode(seed, forKey: .seed)
        try c.encode(quick, forKey: .quick)
        try c.encode(command, forKey: .command)
        try c.encode(reloadEvery, forKey: .reloadEvery)
        try c.encode(dropNoisy, forKey: .dropNoisy)
    }
}

/// The A/A noise floor per load level: how large a Δ must be before the bench calls it an effect.
public struct NoiseFloorRecord: Codable, Sendable {
    /// Valid A/A block pairs per load level.
    public var blocks: [String: Int]
    /// Minimum detectable effect per load level and metric, percent.
    public var mdePercent: [String: MetricMDE]

    public init(blocks: [String: Int], mdePercent: [String: MetricMDE]) {
        self.blocks = blocks
        self.mdePercent = mdePercent
    }

    enum CodingKeys: String, CodingKey { case blocks, mdePercent = "mde_pct" }
}

/// Minimum detectable effect of each compared metric, percent (nil below two A/A blocks).
public struct MetricMDE: Codable, Sendable, Equatable {
    @ExplicitNull public var p50: Double? = nil
    @ExplicitNull public var p90: Double? = nil
    @ExplicitNull public var p99: Double? = nil
    @ExplicitNull public var mean: Double? = nil
    @ExplicitNull public var cpu: Double? = nil
    @ExplicitNull public var machine: Double? = nil

    public init(p50: Double? = nil, p90: Double? = nil, p99: Double? = nil, mean: Double? = nil, cpu: Double? = nil,
                machine: Double? = nil) {
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.mean = mean
        self.cpu = cpu
        self.machine = machine
    }
}

public struct SaturationRow: Codable, Sendable {
    public var variant: String
    @ExplicitNull public var rps: Double? = nil
    @ExplicitNull public var deltaPercent: Double? = nil
    @ExplicitNull public var deltaCI: [Double]? = nil
    @ExplicitNull public var pValue: Double? = nil
    public var blocks: [Double]

    public init(variant: String, rps: Double?, deltaPercent: Double?, deltaCI: [Double]?, pValue: Double?, blocks: [Double]) {
        self.variant = variant
        self.rps = rps
        self.deltaPercent = deltaPercent
        self.deltaCI = deltaCI
        self.pValue = pValue
        self.blocks = blocks
    }

    enum CodingKeys: String, CodingKey {
        case variant, rps, blocks
        case deltaPercent = "delta_pct", deltaCI = "delta_ci", pValue = "p_value"
    }
}

public struct SkippedArm: Codable, Sendable, Equatable {
    public var variant: String
    /// One line: a verifier log's lines are joined with "; ", so tables and CSVs stay whole.
    public var reason: String

    public init(variant: String, reason: String) {
        self.variant = variant
        self.reason = reason.split(whereSeparator: \.isNewline).joined(separator: "; ")
    }
}

/// An optional kernel feature that the named arms' probes ran without, and what that changed.
public struct DegradedFeature: Codable, Sendable, Equatable {
    public var feature: String
    public var reason: String
    public var effect: String
    public var arms: [String]

    public init(feature: String, reason: String, effect: String, arms: [String]) {
        self.feature = feature
        self.reason = reason
        self.effect = effect
        self.arms = arms
    }

    /// One row per distinct degradation, naming every arm that had it, in first-seen order.
    static func collect(_ perRun: [(arm: String, degraded: [Degradation])]) -> [DegradedFeature] {
        var rows: [DegradedFeature] = []
        for (arm, degradations) in perRun {
            for d in degradations {
                if let i = rows.firstIndex(where: { $0.feature == d.feature && $0.reason == d.reason && $0.effect == d.effect }) {
                    if !rows[i].arms.contains(arm) { rows[i].arms.append(arm) }
                } else {
                    rows.append(DegradedFeature(feature: d.feature, reason: d.reason, effect: d.effect, arms: [arm]))
                }
            }
        }
        return rows
    }
}

/// A block whose numbers were dropped, and why (a service died, the load generator failed).
public struct InvalidBlock: Codable, Sendable, Equatable {
    public var phase: String
    public var block: Int
    public var variant: String
    public var reason: String

    public init(phase: String, block: Int, variant: String, reason: String) {
        self.phase = phase
        self.block = block
        self.variant = variant
        self.reason = reason
    }
}
