/// Which connections tcpreq watches, applied in the kernel once per connection, in the task
/// that first moves data on it. Empty filters watch every TCP connection on the machine
/// (except the monitor's own).
public struct TcpreqFilters: Sendable, Equatable {
    /// Processes (tgids) to watch.
    public var pids: [Int32]
    /// A cgroup v2 directory: tasks in it or below it are watched.
    public var cgroupPath: String?
    /// Ports: a connection is watched when its local or remote port is listed.
    public var ports: [UInt16]
    /// Leave the monitoring process's own connections out (on unless a test drives traffic
    /// from the same process).
    public var excludeSelf: Bool

    public init(pids: [Int32] = [], cgroupPath: String? = nil, ports: [UInt16] = [], excludeSelf: Bool = true) {
        self.pids = pids
        self.cgroupPath = cgroupPath
        self.ports = ports
        self.excludeSelf = excludeSelf
    }
}

/// How to run a tcpreq session.
public struct TcpreqConfiguration: Sendable {
    public var variant: ProbeVariant
    public var mode: SpanMode
    public var filters: TcpreqFilters
    /// Ring buffer size in bytes (a power of two, at least a page). Records never wake the
    /// consumer, so the ring must hold one poll interval of records: 8 MiB holds 80k spans.
    public var ringBufferBytes: Int
    /// How often the consumer drains the ring.
    public var pollIntervalMilliseconds: Int32
    /// Keep finished spans for `takeSpans()`. Turn off when only `spanHandler` is used.
    public var keepSpans: Bool

    public init(variant: ProbeVariant = .sock, mode: SpanMode = .kernel, filters: TcpreqFilters = TcpreqFilters(),
                ringBufferBytes: Int = 8 << 20, pollIntervalMilliseconds: Int32 = 20,
                keepSpans: Bool = true) {
        self.variant = variant
        self.mode = mode
        self.filters = filters
        self.ringBufferBytes = ringBufferBytes
        self.pollIntervalMilliseconds = pollIntervalMilliseconds
        self.keepSpans = keepSpans
    }
}
