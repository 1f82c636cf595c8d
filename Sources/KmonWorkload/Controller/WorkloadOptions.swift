import Foundation
import KmonSupport

/// Where a workload's services run.
public enum WorkloadNetworkMode: String, Sendable, Codable {
    /// All services on 127.0.0.1 in the current network namespace.
    case loopback
    /// Each service in its own network namespace, bridged (see `NetnsNetwork`).
    case netns
}

public struct WorkloadOptions: Sendable {
    public var mode: WorkloadNetworkMode
    /// Where each service writes `<service>.records`; nil records nothing.
    public var recordsDirectory: String?
    /// Loopback mode: let each service pick a free port instead of its spec port, so several
    /// workloads (or tests) can run at once. Netns mode always uses the spec ports.
    public var ephemeralPorts: Bool
    /// The `kmon-service` executable; by default the one beside the running executable.
    public var serviceExecutable: String
    /// How long one service may take to become healthy.
    public var readyTimeout: Double
    /// Stopping startup early (e.g. on Ctrl-C) tears down what was started and throws.
    public var cancel: StopToken?

    public init(mode: WorkloadNetworkMode = .loopback, recordsDirectory: String? = nil, ephemeralPorts: Bool = false,
                serviceExecutable: String? = nil, readyTimeout: Double = 10, cancel: StopToken? = nil) {
        self.mode = mode
        self.recordsDirectory = recordsDirectory
        self.ephemeralPorts = ephemeralPorts
        self.serviceExecutable = serviceExecutable ?? WorkloadOptions.defaultServiceExecutable
        self.readyTimeout = readyTimeout
        self.cancel = cancel
    }

    /// `kmon-service` beside the current executable (kmon and kmon-service are built together).
    /// Never one named by the environment: kmon runs it as root.
    public static var defaultServiceExecutable: String {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("kmon-service").path
    }
}
