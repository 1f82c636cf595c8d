/// The kernel's own account of a BPF program's runs: counted only while run statistics are
/// enabled (BPF's `BPFStats`). It leaves out hook dispatch and user-space work.
///
/// A plain value, so that every layer (the bench, the exporters, the summaries) carries this one
/// type; BPF reads it from a program (`BPFProgram.runStats()`).
public struct ProgramRunStats: Equatable, Sendable {
    public var name: String
    /// The kernel's program id; 0 for a figure summed over several programs or loads.
    public var id: UInt32
    public var runCount: UInt64
    public var runTimeNanoseconds: UInt64
    /// Runs skipped because the program was already running on that CPU.
    public var recursionMisses: UInt64

    public init(name: String, id: UInt32 = 0, runCount: UInt64, runTimeNanoseconds: UInt64, recursionMisses: UInt64 = 0) {
        self.name = name
        self.id = id
        self.runCount = runCount
        self.runTimeNanoseconds = runTimeNanoseconds
        self.recursionMisses = recursionMisses
    }

    /// Mean cost of one run, or nil before any run.
    public var nanosecondsPerRun: Double? {
        runCount == 0 ? nil : Double(runTimeNanoseconds) / Double(runCount)
    }

    /// What happened between `earlier` and this reading.
    public func since(_ earlier: ProgramRunStats) -> ProgramRunStats {
        ProgramRunStats(name: name, id: id, runCount: runCount &- earlier.runCount,
                        runTimeNanoseconds: runTimeNanoseconds &- earlier.runTimeNanoseconds,
                        recursionMisses: recursionMisses &- earlier.recursionMisses)
    }

    /// This reading and `other` together (the same program over two windows, or two loads of it).
    public func adding(_ other: ProgramRunStats) -> ProgramRunStats {
        ProgramRunStats(name: name, id: id == other.id ? id : 0, runCount: runCount + other.runCount,
                        runTimeNanoseconds: runTimeNanoseconds + other.runTimeNanoseconds,
                        recursionMisses: recursionMisses + other.recursionMisses)
    }
}

extension Sequence where Element == ProgramRunStats {
    /// Runs of all the programs together.
    public var totalRunCount: UInt64 { reduce(0) { $0 + $1.runCount } }
    public var totalRunTimeNanoseconds: UInt64 { reduce(0) { $0 + $1.runTimeNanoseconds } }

    /// Run time over runs of all the programs together (weighted by runs); nil with no runs.
    public var nanosecondsPerRun: Double? {
        let runs = totalRunCount
        return runs == 0 ? nil : Double(totalRunTimeNanoseconds) / Double(runs)
    }
}
