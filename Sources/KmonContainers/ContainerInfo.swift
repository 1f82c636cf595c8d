/// Who a span's process runs as: its container and, on Kubernetes, its pod. Made by
/// `ContainerResolver` from the cgroup path and the runtime's own state on the node; a field
/// the state did not give stays nil.
public struct ContainerInfo: Hashable, Codable, Sendable {
    public var runtime: ContainerRuntime
    /// The container id, or the systemd unit's name.
    public var id: String
    public var name: String?
    public var pod: String?
    public var namespace: String?
    public var podUID: String?
    /// What groups replicas: the compose service (`io.podman.compose.service`,
    /// `com.docker.compose.service`), or the pod's controller as its name shows it.
    public var workload: String?

    public init(runtime: ContainerRuntime, id: String, name: String? = nil, pod: String? = nil, namespace: String? = nil,
                podUID: String? = nil, workload: String? = nil) {
        self.runtime = runtime
        self.id = id
        self.name = name
        self.pod = pod
        self.namespace = namespace
        self.podUID = podUID
        self.workload = workload
    }

    enum CodingKeys: String, CodingKey {
        case runtime, id, name, pod, namespace, workload
        case podUID = "pod_uid"
    }

    /// The twelve-digit form runtimes print.
    public var shortID: String { runtime == .systemd ? id : String(id.prefix(12)) }

    /// The pod's controller from the pod's name: a Deployment's pods are
    /// `<name>-<replicaset hash>-<5 chars>`, a DaemonSet's or Job's `<name>-<5 chars>`, a
    /// StatefulSet's `<name>-<ordinal>`. A name with none of these shapes is its own workload.
    public static func workload(ofPod pod: String) -> String {
        var parts = pod.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count > 1, let last = parts.last else { return pod }
        // Kubernetes draws generated suffixes from an alphabet without vowels (or 0, 1, 3).
        let generated = { (part: Substring, lengths: ClosedRange<Int>) in
            lengths.contains(part.count) && part.allSatisfy { "bcdfghjklmnpqrstvwxz2456789".contains($0) }
        }
        if last.allSatisfy(\.isNumber) { return parts.dropLast().joined(separator: "-") }
        guard generated(last, 5...5) else { return pod }
        parts.removeLast()
        if parts.count > 1, let hash = parts.last, generated(hash, 6...10) { parts.removeLast() }
        return parts.joined(separator: "-")
    }
}
