/// What biostat reports under `collectors.biostat`.
public struct BioStatReport: CollectorReport, Equatable {
    /// Totals for one device and operation, or one process's share of them.
    public struct Row: Codable, Equatable, Sendable {
        /// The process that queued the I/O; nil in per-device rows.
        public var pid: Int32?
        public var comm: String?
        /// `major:minor`, and the kernel's name for it (e.g. `vda`) when /sys knows it.
        public var device: String
        public var deviceName: String?
        /// read, write, flush, discard, ... (REQ_OP_*).
        public var operation: String
        public var count: UInt64
        public var bytes: UInt64
        public var totalNanoseconds: UInt64
        public var maxNanoseconds: UInt64
        /// Issue-to-completion latency in log2 microsecond buckets (verbosity 2).
        public var histogram: Log2Histogram?

        enum CodingKeys: String, CodingKey {
            case pid, comm, device, operation, count, bytes, histogram
            case deviceName = "device_name"
            case totalNanoseconds = "total_ns"
            case maxNanoseconds = "max_ns"
        }
    }

    public var verbosity: Int
    public var devices: [Row]
    public var processes: [Row]
    public var lost: CollectorLosses
}
