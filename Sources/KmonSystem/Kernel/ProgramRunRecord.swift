/// One program's run statistics as `kmon monitor --json` writes them (`programs[]` of tcpreq and
/// of each collector). Its own type because the JSON keeps only these figures, with the mean
/// rounded to 0.1 ns, and not the kernel id or recursion misses of `ProgramRunStats`.
public struct ProgramRunRecord: Codable, Sendable, Equatable {
    public var name: String
    public var runs: UInt64
    public var runTimeNanoseconds: UInt64
    public var nanosecondsPerRun: Double?

    enum CodingKeys: String, CodingKey {
        case name, runs
        case runTimeNanoseconds = "run_time_ns"
        case nanosecondsPerRun = "ns_per_run"
    }

    public init(_ stats: ProgramRunStats) {
        name = stats.name
        runs = stats.runCount
        runTimeNanoseconds = stats.runTimeNanoseconds
        nanosecondsPerRun = stats.nanosecondsPerRun.map { ($0 * 10).rounded() / 10 }
    }
}
