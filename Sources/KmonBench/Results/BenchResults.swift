import Foundation
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
