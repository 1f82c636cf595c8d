import Foundation
import KmonSystem

/// The container runtimes' own state on the node, under `root` ("/" on a node; a temp dir in
/// the layout fixtures): where each keeps a container's OCI config.json and its name. Every
/// file here is written by someone else and read as hostile: regular files only, no symlink
/// as the last component, bounded sizes, and a file that does not parse gives nothing.
public struct RuntimeState: Sendable {
    public var root: String
    /// An OCI config.json is tens of KB; Podman's containers.json lists every container.
    static let configLimit = 4 << 20
    static let listLimit = 32 << 20

    public init(root: String = "/") {
        self.root = root.hasSuffix("/") ? String(root.dropLast()) : root
    }

    /// The OCI bundle configs a runtime may keep for container `id`, most specific first.
    func configPaths(_ runtime: ContainerRuntime, id: String) -> [String] {
        let containerd = "\(root)/run/containerd/io.containerd.runtime.v2.task"
        let crio = "\(root)/run/containers/storage/overlay-containers/\(id)/userdata/config.json"
        let libpod = "\(root)/var/lib/containers/storage/overlay-containers/\(id)/userdata/config.json"
        switch runtime {
        case .podman: return [libpod, crio]
        case .docker: return ["\(containerd)/moby/\(id)/config.json"]
        case .containerd: return ["\(containerd)/k8s.io/\(id)/config.json", "\(containerd)/default/\(id)/config.json"]
        case .crio: return [crio, libpod]
        case .cri: return ["\(containerd)/k8s.io/\(id)/config.json", crio]
        case .systemd: return []
        }
    }

    /// The annotations of the first config that exists and parses.
    public func annotations(_ runtime: ContainerRuntime, id: String) -> [String: String] {
        for path in configPaths(runtime, id: id) {
            guard let object = Self.jsonObject(path, limit: Self.configLimit) else { continue }
            return (object["annotations"] as? [String: Any] ?? [:]).compactMapValues { $0 as? String }
        }
        return [:]
    }

    /// Podman's name for container `id`, from containers/storage's container list.
    public func podmanName(id: String) -> String? {
        let path = "\(root)/var/lib/containers/storage/overlay-containers/containers.json"
        guard let bytes = try? ProcFile.regularFile(path, limit: Self.listLimit),
              let list = try? JSONDecoder().decode([StorageContainer].self, from: Data(bytes)) else { return nil }
        return list.first { $0.id == id }?.names?.first
    }

    /// Docker's name and labels for container `id`, from its config.v2.json.
    public func dockerConfig(id: String) -> (name: String?, labels: [String: String]) {
        let path = "\(root)/var/lib/docker/containers/\(id)/config.v2.json"
        guard let object = Self.jsonObject(path, limit: Self.configLimit) else { return (nil, [:]) }
        let name = (object["Name"] as? String).map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 }
        let labels = ((object["Config"] as? [String: Any])?["Labels"] as? [String: Any] ?? [:]).compactMapValues { $0 as? String }
        return (name, labels)
    }

    static func jsonObject(_ path: String, limit: Int) -> [String: Any]? {
        guard let bytes = try? ProcFile.regularFile(path, limit: limit) else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
    }

    private struct StorageContainer: Decodable {
        var id: String
        var names: [String]?
    }
}
