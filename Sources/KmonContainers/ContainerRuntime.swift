/// Who runs a task's cgroup: a container runtime, or systemd for a plain unit.
public enum ContainerRuntime: String, Codable, Sendable, CaseIterable {
    case podman
    case docker
    /// containerd, through its CRI plugin (Kubernetes) or directly.
    case containerd
    case crio = "cri-o"
    /// A Kubernetes container under the cgroupfs driver (`/kubepods/<qos>/pod<uid>/<id>`): the
    /// path does not say which CRI runtime; the runtime's state on the node does.
    case cri
    /// A systemd service unit (`*.service`), no container.
    case systemd
}

/// What a cgroup v2 path alone says about its owner: no file is read to make one.
public struct CgroupOwner: Hashable, Sendable {
    public var runtime: ContainerRuntime
    /// The container id (64 hex digits for the container runtimes), or the unit's name.
    public var id: String
    /// The Kubernetes pod's UID, where the path runs through a kubepods pod cgroup.
    public var podUID: String?

    public init(runtime: ContainerRuntime, id: String, podUID: String? = nil) {
        self.runtime = runtime
        self.id = id
        self.podUID = podUID
    }
}
