import KmonSystem
/// One started service, as reported to people (`kmon workload up`) and to the harness (JSON).
public struct RunningService: Sendable, Codable, Equatable {
    public var name: String
    /// The kernel's comm for it: what probes see.
    public var processName: String
    public var pid: Int32
    /// Where it listens, reachable from the controller's namespace.
    public var endpoint: SocketEndpoint
    /// Its network namespace in netns mode.
    public var namespace: String?
    public var recordsPath: String?
    public var logPath: String
    /// Its cgroup v2 group, the source of its CPU time, when one could be made.
    public var cgroup: String?
}

/// The JSON `kmon workload up --json` prints and `RunningWorkload.summary` returns.
public struct WorkloadSummary: Sendable, Codable, Equatable {
    public var spec: String
    public var name: String
    public var mode: WorkloadNetworkMode
    public var ingress: String
    public var ingressURL: String
    /// Netns mode: the controller's address on the bridge, the source of load-generator traffic.
    public var hostAddress: String?
    public var services: [RunningService]
}
