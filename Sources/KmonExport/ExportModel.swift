import KmonContainers
import KmonSystem
/// What the exporters take in: a small model of their own, so that the probes and collectors
/// only need a thin adapter, and the exporters know nothing of BPF events or span assembly.

/// One completed request as a probe saw it.
public struct ExportedSpan: Sendable, Equatable {
    /// The process the span was measured in, named by its process name.
    public var service: String
    /// The other end's service name, when known (from the topology or a workload's endpoint map).
    public var peerName: String?
    /// The other end as "address:port" (IPv6 in brackets).
    public var peerAddress: String
    public var side: SpanRole
    /// CLOCK_MONOTONIC nanoseconds at the span's start.
    public var startNanoseconds: UInt64
    public var durationNanoseconds: UInt64
    public var pid: Int32
    /// The request's position on its connection, from 0.
    public var ordinal: UInt64
    /// May have begun before the probe attached: a request, but no latency sample.
    public var partial: Bool
    /// The connection as seen from the measuring socket (local = the service's own end); nil
    /// when the source does not know it.
    public var tuple: ConnectionTuple?
    public var requestBytes: UInt64
    public var responseBytes: UInt64
    /// The method and status the kernel parsed (only these: no payload byte, no path, reaches a sink).
    public var http: HTTPExchange
    /// The container (and pod) the process runs in; nil for a host process.
    public var container: ContainerInfo?

    public init(service: String, peerName: String? = nil, peerAddress: String, side: SpanRole,
                startNanoseconds: UInt64, durationNanoseconds: UInt64, pid: Int32 = 0, ordinal: UInt64 = 0, partial: Bool = false,
                tuple: ConnectionTuple? = nil, requestBytes: UInt64 = 0, responseBytes: UInt64 = 0, http: HTTPExchange = HTTPExchange(),
                container: ContainerInfo? = nil) {
        self.container = container
        self.partial = partial
        self.http = http
        self.tuple = tuple
        self.requestBytes = requestBytes
        self.responseBytes = responseBytes
        self.service = service
        self.peerName = peerName
        self.peerAddress = peerAddress
        self.side = side
        self.startNanoseconds = startNanoseconds
        self.durationNanoseconds = durationNanoseconds
        self.pid = pid
        self.ordinal = ordinal
    }
}

/// One value a collector reports each period (tcpdrop drops, offcpu time, block I/O bytes…).
public struct CollectorSample: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// Cumulative since the monitor started; exporters turn it into a counter.
        case counter
        /// A current level.
        case gauge
    }

    /// A Prometheus-style metric name with its unit, e.g. `kmon_tcp_drops_total`.
    public var name: String
    public var help: String
    public var kind: Kind
    /// Label values must come from a bounded set (reasons, devices, top-N pids): the collector owns that bound.
    public var labels: [String: String]
    public var value: Double

    public init(name: String, help: String, kind: Kind, labels: [String: String] = [:], value: Double) {
        self.name = name
        self.help = help
        self.kind = kind
        self.labels = labels
        self.value = value
    }
}

/// The state of the monitor at the end of one export period. Counts are cumulative since start,
/// so a missed period loses nothing.
public struct ExportSnapshot: Sendable, Equatable {
    /// CLOCK_REALTIME nanoseconds when the snapshot was taken.
    public var wallNanoseconds: UInt64
    /// Events the kernel side could not deliver (ring-buffer reserve failures), per collector.
    public var lostEvents: [String: UInt64]
    /// Each BPF program's cumulative run statistics, as the kernel counts them.
    public var programs: [ProgramRunStats]
    public var samples: [CollectorSample]
    /// The exporters' own health (buffered and dropped points), filled in by `ExporterSet`.
    public var sinks: [SinkStats]

    public init(wallNanoseconds: UInt64 = WallClock.nowNanoseconds(), lostEvents: [String: UInt64] = [:],
                programs: [ProgramRunStats] = [], samples: [CollectorSample] = [], sinks: [SinkStats] = []) {
        self.wallNanoseconds = wallNanoseconds
        self.lostEvents = lostEvents
        self.programs = programs
        self.samples = samples
        self.sinks = sinks
    }
}

/// An exporter's account of its own buffer: what it holds, sent and had to drop.
public struct SinkStats: Sendable, Equatable {
    public var sink: String
    public var buffered: Int
    public var delivered: UInt64
    /// Dropped because the buffer was full.
    public var dropped: UInt64
    /// Refused by the sink itself (bad request); retrying would not help.
    public var rejected: UInt64
    /// Sends that failed and were retried later.
    public var failedAttempts: UInt64

    public init(sink: String, buffered: Int = 0, delivered: UInt64 = 0, dropped: UInt64 = 0,
                rejected: UInt64 = 0, failedAttempts: UInt64 = 0) {
        self.sink = sink
        self.buffered = buffered
        self.delivered = delivered
        self.dropped = dropped
        self.rejected = rejected
        self.failedAttempts = failedAttempts
    }
}
