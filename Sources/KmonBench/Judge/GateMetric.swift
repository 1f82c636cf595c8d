/// One figure the in-run gate reads from every phase of an arm, and how it counts in the verdict.
public struct GateMetric: Sendable {
    public enum Role: Sendable, Equatable {
        /// A cost figure of the arm. Of all cost candidates at all load levels, the gate tests the
        /// one whose A/A pair (X against X@aa) is tightest (smallest MDE %) and reports the others.
        case cost
        /// Tested at every load level.
        case gated
        /// Tested only where the programs behind it ran at least `minimumRuns` times in every
        /// compared phase; reported as a diagnosis elsewhere.
        case gatedWhenFrequent
        /// Reported, never tested.
        case diagnosis
    }

    public var name: String
    public var role: Role
    /// The smallest absolute change that may fail the gate, in the metric's unit.
    public var floor: Double
    public var value: @Sendable (PhaseMeasurement) -> Double?
    /// Runs behind the figure in a phase, for `gatedWhenFrequent`.
    public var runs: (@Sendable (PhaseMeasurement) -> UInt64)?

    public init(name: String, role: Role, floor: Double, runs: (@Sendable (PhaseMeasurement) -> UInt64)? = nil,
                value: @escaping @Sendable (PhaseMeasurement) -> Double?) {
        self.name = name
        self.role = role
        self.floor = floor
        self.runs = runs
        self.value = value
    }

    /// All of the arm's programs' run time in the phase divided by the requests it completed:
    /// what the probe costs a request, whichever programs spend it, however rarely they run.
    public static func bpfNanosecondsPerRequest(floor: Double) -> GateMetric {
        GateMetric(name: "BPF ns/req", role: .cost, floor: floor) { phase in
            guard !phase.programs.isEmpty, phase.completed > 0 else { return nil }
            return Double(phase.programs.values.totalRunTimeNanoseconds) / Double(phase.completed)
        }
    }

    /// The trigger level's warm ns/run: all the arm's programs' run time over their runs while the
    /// driver fires the hooks (tens of thousands of runs a phase, no services' load).
    public static func warmNanosecondsPerRun(floor: Double) -> GateMetric {
        GateMetric(name: "warm ns/run", role: .cost, floor: floor) { $0.nanosecondsPerRun }
    }

    public static func runsPerRequest(floor: Double) -> GateMetric {
        GateMetric(name: "runs/req", role: .gated, floor: floor) { $0.runsPerRequest }
    }

    /// One program's ns/run: a diagnosis that says which program moved the arm's cost.
    public static func nanosecondsPerRun(_ program: String, floor: Double) -> GateMetric {
        GateMetric(name: "ns/run \(program)", role: .gatedWhenFrequent, floor: floor,
                   runs: { $0.programs[program]?.runCount ?? 0 }) { phase in
            phase.programs[program]?.nanosecondsPerRun
        }
    }

    public static func cpuPerRequest(floor: Double) -> GateMetric {
        GateMetric(name: "CPU µs/req", role: .diagnosis, floor: floor) { $0.cpuPerRequest }
    }
}
