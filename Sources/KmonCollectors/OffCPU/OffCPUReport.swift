/// What offcpu reports under `collectors.offcpu`.
public struct OffCPUReport: CollectorReport, Equatable {
    public struct Thread: Codable, Equatable, Sendable {
        public var pid: Int32
        public var tid: Int32
        public var comm: String
        public var count: UInt64
        public var totalNanoseconds: UInt64
        /// Off-CPU time per switch, in log2 microsecond buckets.
        public var histogram: Log2Histogram

        enum CodingKeys: String, CodingKey {
            case pid, tid, comm, count, histogram
            case totalNanoseconds = "total_ns"
        }
    }

    /// Off-CPU time by where the thread blocked (verbosity 2: kernel stack, 3: also user stack).
    public struct Stack: Codable, Equatable, Sendable {
        public var pid: Int32
        public var tid: Int32
        public var count: UInt64
        public var totalNanoseconds: UInt64
        public var kernelStack: [String]?
        public var userStack: [String]?

        enum CodingKeys: String, CodingKey {
            case pid, tid, count
            case totalNanoseconds = "total_ns"
            case kernelStack = "kernel_stack"
            case userStack = "user_stack"
        }
    }

    public var verbosity: Int
    public var threads: [Thread]
    /// The heaviest stacks by total off-CPU time, at most `OffCPUCollector.stackLimit`.
    public var stacks: [Stack]
    public var lost: CollectorLosses
    /// User frames of these stacks left unnamed because their file was refused as ELF.
    public var symbols = SymbolizationReport()
}
