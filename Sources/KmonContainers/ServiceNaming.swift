/// What names a service (`--name-by`): a Kubernetes user expects a Deployment's pods to be one
/// service, so `workload` is the default.
public enum ServiceNaming: String, Codable, Sendable, CaseIterable {
    /// The pod's controller (`namespace/name`) where there is a pod; else the container's
    /// compose service or its name; else the process name. Replicas group into one service.
    case workload
    /// The pod (`namespace/pod`) where there is one, else as `container`: one row per instance.
    case pod
    /// The container's name (`pod/container` in a pod), else the process name: one row per instance.
    case container
    /// The process name (comm), as before containers were known.
    case comm

    /// The service name for a task in `container` (nil: a host task) whose comm is `comm`.
    /// A systemd unit is not a container: its tasks keep their comm.
    public func name(_ container: ContainerInfo?, comm: String) -> String {
        guard let container, container.runtime != .systemd else { return comm }
        let qualified = { (name: String) in container.namespace.map { "\($0)/\(name)" } ?? name }
        switch self {
        case .comm: return comm
        case .workload:
            if let pod = container.pod { return qualified(container.workload ?? ContainerInfo.workload(ofPod: pod)) }
            return container.workload ?? container.name ?? container.shortID
        case .pod:
            if let pod = container.pod { return qualified(pod) }
            return container.name ?? container.shortID
        case .container:
            if let pod = container.pod, let name = container.name { return "\(pod)/\(name)" }
            return container.name ?? container.shortID
        }
    }
}
