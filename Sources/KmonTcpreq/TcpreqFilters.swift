import KmonContainers

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
    /// `--container`/`--pod`: only tasks (skb: sockets) in the chosen containers' cgroups, a set
    /// `ContainerFilterFeeder` keeps current.
    public var containers: ContainerSelector?
    /// Leave the monitoring process's own connections out (on unless a test drives traffic
    /// from the same process).
    public var excludeSelf: Bool

    public init(pids: [Int32] = [], cgroupPath: String? = nil, ports: [UInt16] = [], containers: ContainerSelector? = nil,
                excludeSelf: Bool = true) {
        self.containers = containers
        self.pids = pids
        self.cgroupPath = cgroupPath
        self.ports = ports
        self.excludeSelf = excludeSelf
    }
}
