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
