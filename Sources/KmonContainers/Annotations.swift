import Foundation

/// The Kubernetes and compose annotations runtimes put in a container's OCI config.json:
/// the kubelet's own keys (CRI-O sets them), containerd's CRI keys, and CRI-O's labels, which it
/// also keeps as one JSON string.
enum Annotations {
    static let podName = ["io.kubernetes.pod.name", "io.kubernetes.cri.sandbox-name"]
    static let namespace = ["io.kubernetes.pod.namespace", "io.kubernetes.cri.sandbox-namespace"]
    static let podUID = ["io.kubernetes.pod.uid", "io.kubernetes.cri.sandbox-uid"]
    static let containerName = ["io.kubernetes.container.name", "io.kubernetes.cri.container-name"]
    static let workload = ["io.podman.compose.service", "com.docker.compose.service"]

    /// `annotations` with CRI-O's `io.kubernetes.cri-o.Labels` (a JSON object in a string)
    /// spread in where the plain keys are missing.
    static func flattened(_ annotations: [String: String]) -> [String: String] {
        guard let labels = annotations["io.kubernetes.cri-o.Labels"], labels.utf8.count <= 1 << 20,
              let object = (try? JSONSerialization.jsonObject(with: Data(labels.utf8))) as? [String: Any] else { return annotations }
        return annotations.merging(object.compactMapValues { $0 as? String }) { mine, _ in mine }
    }

    static func first(_ keys: [String], in annotations: [String: String]) -> String? {
        keys.lazy.compactMap { annotations[$0] }.first { !$0.isEmpty && $0.utf8.count <= 253 }
    }
}
