import CLibbpf
import Glibc

/// The kernel's own account of a program's runs: counted only while run statistics are
/// enabled (`BPFStats`). It leaves out hook dispatch and user-space work.
public struct ProgramRunStats: Equatable, Sendable {
    public var name: String
    public var id: UInt32
    public var runCount: UInt64
    public var runTimeNanoseconds: UInt64
    /// Runs skipped because the program was already running on that CPU.
    public var recursionMisses: UInt64

    public init(name: String, id: UInt32, runCount: UInt64, runTimeNanoseconds: UInt64, recursionMisses: UInt64 = 0) {
        self.name = name
        self.id = id
        self.runCount = runCount
        self.runTimeNanoseconds = runTimeNanoseconds
        self.recursionMisses = recursionMisses
    }

    init(programFD: Int32, name: String) throws {
        var info = bpf_prog_info()
        var length = UInt32(MemoryLayout<bpf_prog_info>.size)
        try BPFError.check(bpf_obj_get_info_by_fd(programFD, &info, &length), "bpf_obj_get_info_by_fd", "reading run statistics of \(name)")
        self.init(name: name, id: info.id, runCount: info.run_cnt, runTimeNanoseconds: info.run_time_ns,
                  recursionMisses: info.recursion_misses)
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
}
