import Foundation
import Glibc
import KmonSystem

/// Finds the container of a task or a cgroup, off the hot path and cached: a task's cgroup
/// path from /proc/PID/cgroup (`0::` line), the cgroup's id (its directory's inode, what
/// `bpf_get_current_cgroup_id` returns), and per cgroup id the owner from the path
/// (`CgroupPathParser`) and its names from the runtime's state (`RuntimeState`). Both caches
/// are bounded; a task's entry is read again after `taskTTL` so a reused pid is not misnamed
/// for long. Safe to call from any thread.
public final class ContainerResolver: @unchecked Sendable {
    /// The cgroup2 mount: /sys/fs/cgroup on a pure v2 node, /sys/fs/cgroup/unified on a hybrid one.
    public let cgroupRoot: String?
    public let state: RuntimeState
    let procRoot: String
    static let cacheLimit = 16_384
    static let taskTTLNanoseconds: UInt64 = 5_000_000_000

    /// A task's container as last resolved: a span costs one lookup here, even where its cgroup
    /// has no id to cache by (a path from another cgroup namespace).
    private struct TaskEntry {
        var cgroupID: UInt64
        var info: ContainerInfo?
        var readAt: UInt64
    }

    private var byCgroup: [UInt64: ContainerInfo?] = [:]
    private var byTask: [Int32: TaskEntry] = [:]
    private let lock = NSLock()

    /// The container Kmon itself runs in, if any: its fellow tasks count as the host's (a CI job
    /// or a shell in one container with the services keeps the names it had without containers).
    let ownContainerID: String?

    public init(cgroupRoot: String?, state: RuntimeState = RuntimeState(), procRoot: String = "/proc") {
        self.cgroupRoot = cgroupRoot
        self.state = state
        self.procRoot = procRoot
        ownContainerID = Self.cgroupPath(ofTask: getpid(), procRoot: "/proc").flatMap(CgroupPathParser.owner(ofPath:))
            .flatMap { $0.runtime == .systemd ? nil : $0.id }
    }

    /// The container of process `tgid`, nil for a host task, one in Kmon's own container, or one that is gone.
    public func info(ofTask tgid: Int32) -> ContainerInfo? {
        let info = lookUp(task: tgid)
        return info?.id == ownContainerID && ownContainerID != nil ? nil : info
    }

    private func lookUp(task tgid: Int32) -> ContainerInfo? {
        let now = Self.monotonicNanoseconds()
        if let entry = lock.withLock({ byTask[tgid] }), now &- entry.readAt < Self.taskTTLNanoseconds {
            return entry.info
        }
        guard tgid > 0, let path = Self.cgroupPath(ofTask: tgid, procRoot: procRoot) else { return nil }
        let id = cgroupID(ofPath: path)
        let info = info(ofCgroupID: id, path: path)
        lock.withLock {
            if byTask.count >= Self.cacheLimit { byTask.removeAll(keepingCapacity: true) }
            byTask[tgid] = TaskEntry(cgroupID: id, info: info, readAt: now)
        }
        return info
    }

    /// The container owning the cgroup at `path` (relative to the cgroup2 mount), cached by its id.
    public func info(ofCgroupPath path: String) -> ContainerInfo? {
        info(ofCgroupID: cgroupID(ofPath: path), path: path)
    }

    private func info(ofCgroupID id: UInt64, path: String) -> ContainerInfo? {
        if let known = lock.withLock({ byCgroup[id] }) { return known }
        let resolved = CgroupPathParser.owner(ofPath: path).map(resolve)
        // Id 0 (no cgroup2 mount to stat) is never cached: paths that share it differ.
        if id != 0 {
            lock.withLock {
                if byCgroup.count >= Self.cacheLimit { byCgroup.removeAll(keepingCapacity: true) }
                byCgroup[id] = resolved
            }
        }
        return resolved
    }

    /// Forgets a cgroup (it was removed), so a later one with a reused id is read afresh.
    public func forget(cgroupID id: UInt64) {
        lock.withLock {
            byCgroup.removeValue(forKey: id)
            byTask = byTask.filter { $0.value.cgroupID != id }
        }
    }

    /// The names and pod of `owner` from the runtime's state; what the state lacks stays nil.
    public func resolve(_ owner: CgroupOwner) -> ContainerInfo {
        var info = ContainerInfo(runtime: owner.runtime, id: owner.id, podUID: owner.podUID)
        if owner.runtime == .systemd {
            info.name = owner.id
            return info
        }
        var annotations = state.annotations(owner.runtime, id: owner.id)
        var runtimeName: String?
        switch owner.runtime {
        case .podman: runtimeName = state.podmanName(id: owner.id)
        case .docker:
            let docker = state.dockerConfig(id: owner.id)
            runtimeName = docker.name
            annotations.merge(docker.labels) { mine, _ in mine }
        default: break
        }
        annotations = Annotations.flattened(annotations)
        info.pod = Annotations.first(Annotations.podName, in: annotations)
        info.namespace = Annotations.first(Annotations.namespace, in: annotations)
        info.podUID = owner.podUID ?? Annotations.first(Annotations.podUID, in: annotations)
        info.name = runtimeName ?? Annotations.first(Annotations.containerName, in: annotations)
        info.workload = Annotations.first(Annotations.workload, in: annotations) ?? info.pod.map(ContainerInfo.workload(ofPod:))
        return info
    }

    /// The cgroup id of `path`: the inode of its directory under the cgroup2 mount, 0 if none.
    /// A path that climbs (`/../..`: the task is outside kmon's own cgroup namespace, as for kmon
    /// in a pod with a private one) names no directory under the mount: 0, never a stat outside it.
    public func cgroupID(ofPath path: String) -> UInt64 {
        guard let cgroupRoot, !path.split(separator: "/").contains("..") else { return 0 }
        var status = stat()
        guard stat(cgroupRoot + path, &status) == 0 else { return 0 }
        return UInt64(status.st_ino)
    }

    /// The cgroup v2 path in /proc/PID/cgroup (the `0::` line), nil if the task is gone.
    static func cgroupPath(ofTask tgid: Int32, procRoot: String) -> String? {
        guard let text = ProcFile.read("\(procRoot)/\(tgid)/cgroup", limit: 64 << 10) else { return nil }
        return text.split(separator: "\n").first { $0.hasPrefix("0::") }.map { String($0.dropFirst(3)) }
    }

    static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}
