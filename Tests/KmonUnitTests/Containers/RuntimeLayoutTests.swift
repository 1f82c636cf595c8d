import Foundation
import Glibc
import KmonContainers
import Testing

/// Layout fixtures, not a cluster: no Kubernetes can run here, so these lay out a node's cgroup
/// tree and runtime state in a temp dir, the way containerd's CRI plugin and CRI-O write them
/// (OCI config.json annotations in the task bundle / userdata), and check the pod, namespace and
/// container names Kmon reads back. Podman and Docker state too, with hostile files.
@Suite struct RuntimeLayoutTests {
    static let id = CgroupPathTests.id
    static let uid = CgroupPathTests.uid

    /// A temp dir as the node's root, removed at the end.
    final class Node {
        let root: String
        init() {
            var template = Array("/tmp/kmon-layout-XXXXXX".utf8CString)
            root = String(cString: mkdtemp(&template)!)
        }
        deinit { try? FileManager.default.removeItem(atPath: root) }

        func write(_ path: String, _ text: String) throws {
            let url = URL(fileURLWithPath: root + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }

        func makeDirectory(_ path: String) throws {
            try FileManager.default.createDirectory(atPath: root + path, withIntermediateDirectories: true)
        }

        func annotations(_ pairs: [String: String]) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: ["ociVersion": "1.0.2", "annotations": pairs]), as: UTF8.self)
        }
    }

    @Test func containerdCRIGivesPodNamespaceAndContainer() throws {
        let node = Node()
        try node.write("/run/containerd/io.containerd.runtime.v2.task/k8s.io/\(Self.id)/config.json", try node.annotations([
            "io.kubernetes.cri.container-type": "container",
            "io.kubernetes.cri.container-name": "api",
            "io.kubernetes.cri.sandbox-name": "api-7d4b9c6f58-x2kqp",
            "io.kubernetes.cri.sandbox-namespace": "shop",
            "io.kubernetes.cri.sandbox-uid": Self.uid,
        ]))
        let cgroup = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod\(CgroupPathTests.systemdUID).slice/cri-containerd-\(Self.id).scope"
        try node.makeDirectory("/sys/fs/cgroup" + cgroup)
        let resolver = ContainerResolver(cgroupRoot: node.root + "/sys/fs/cgroup", state: RuntimeState(root: node.root))
        let info = try #require(resolver.info(ofCgroupPath: cgroup))
        #expect(info == ContainerInfo(runtime: .containerd, id: Self.id, name: "api", pod: "api-7d4b9c6f58-x2kqp", namespace: "shop",
                                      podUID: Self.uid, workload: "api"))
        #expect(ServiceNaming.workload.name(info, comm: "java") == "shop/api")
        // The scan finds the same cgroup, under its id.
        let scanned = CgroupScan.containerCgroups(root: node.root + "/sys/fs/cgroup")
        #expect(scanned.map(\.path) == [cgroup])
        #expect(scanned.first?.cgroupID == resolver.cgroupID(ofPath: cgroup) && scanned.first?.cgroupID != 0)
        // Seen from a private cgroup namespace (kmon in a pod) the path climbs: the owner still
        // parses, but no directory outside the mount is looked at.
        try node.makeDirectory("/sys/kubepods.slice")
        #expect(resolver.cgroupID(ofPath: "/../kubepods.slice") == 0)
        #expect(resolver.info(ofCgroupPath: "/../.." + cgroup)?.id == Self.id)
    }

    @Test func crioGivesPodNamespaceAndContainer() throws {
        let node = Node()
        try node.write("/run/containers/storage/overlay-containers/\(Self.id)/userdata/config.json", try node.annotations([
            "io.kubernetes.pod.name": "db-0",
            "io.kubernetes.pod.namespace": "data",
            "io.kubernetes.pod.uid": Self.uid,
            "io.kubernetes.container.name": "postgres",
            "io.kubernetes.cri-o.ContainerType": "container",
        ]))
        let cgroup = "/kubepods.slice/kubepods-pod\(CgroupPathTests.systemdUID).slice/crio-\(Self.id).scope"
        let resolver = ContainerResolver(cgroupRoot: nil, state: RuntimeState(root: node.root))
        let info = try #require(resolver.info(ofCgroupPath: cgroup))
        #expect(info == ContainerInfo(runtime: .crio, id: Self.id, name: "postgres", pod: "db-0", namespace: "data", podUID: Self.uid,
                                      workload: "db"))
    }

    @Test func crioLabelsStandInForMissingKeys() throws {
        let node = Node()
        let labels = #"{"io.kubernetes.pod.name":"web-9xkqz","io.kubernetes.pod.namespace":"edge","io.kubernetes.container.name":"nginx"}"#
        try node.write("/run/containers/storage/overlay-containers/\(Self.id)/userdata/config.json",
                       try node.annotations(["io.kubernetes.cri-o.Labels": labels]))
        // cgroupfs driver: the path says only "a CRI container in pod <uid>".
        let info = ContainerResolver(cgroupRoot: nil, state: RuntimeState(root: node.root))
            .info(ofCgroupPath: "/kubepods/besteffort/pod\(Self.uid)/\(Self.id)")
        #expect(info?.runtime == .cri && info?.pod == "web-9xkqz" && info?.namespace == "edge" && info?.name == "nginx")
        #expect(info?.workload == "web" && info?.podUID == Self.uid)
    }

    @Test func podmanAndDockerNamesComeFromTheirState() throws {
        let node = Node()
        try node.write("/var/lib/containers/storage/overlay-containers/containers.json",
                       #"[{"id":"\#(Self.id)","names":["svc-a-1"],"layer":"x"},{"id":"other","names":["b"]}]"#)
        try node.write("/var/lib/containers/storage/overlay-containers/\(Self.id)/userdata/config.json",
                       try node.annotations(["io.container.manager": "libpod", "io.podman.compose.service": "svc-a"]))
        try node.write("/var/lib/docker/containers/\(Self.id)/config.v2.json",
                       #"{"Name":"/shop_web_1","Config":{"Labels":{"com.docker.compose.service":"web"}}}"#)
        let resolver = ContainerResolver(cgroupRoot: nil, state: RuntimeState(root: node.root))
        let podman = resolver.info(ofCgroupPath: "/libpod_parent/libpod-\(Self.id)")
        #expect(podman == ContainerInfo(runtime: .podman, id: Self.id, name: "svc-a-1", workload: "svc-a"))
        let docker = resolver.info(ofCgroupPath: "/system.slice/docker-\(Self.id).scope")
        #expect(docker == ContainerInfo(runtime: .docker, id: Self.id, name: "shop_web_1", workload: "web"))
    }

    @Test func hostileStateGivesUnknownNotACrash() throws {
        let node = Node()
        let userdata = "/run/containers/storage/overlay-containers/\(Self.id)/userdata"
        let resolver = { ContainerResolver(cgroupRoot: nil, state: RuntimeState(root: node.root)) }
        let path = "/kubepods.slice/crio-\(Self.id).scope"
        // Not JSON, JSON of the wrong shape, annotations of the wrong types.
        for text in ["{", "[1,2]", #"{"annotations":["a"]}"#, #"{"annotations":{"io.kubernetes.pod.name":7}}"#,
                     #"{"annotations":{"io.kubernetes.cri-o.Labels":"{not json"}}"#] {
            try node.write(userdata + "/config.json", text)
            #expect(resolver().info(ofCgroupPath: path) == ContainerInfo(runtime: .crio, id: Self.id))
        }
        // A symlink as the file is not followed (it could point anywhere on the node).
        try node.write("/secret.json", try node.annotations(["io.kubernetes.pod.name": "leaked"]))
        try FileManager.default.removeItem(atPath: node.root + userdata + "/config.json")
        try FileManager.default.createSymbolicLink(atPath: node.root + userdata + "/config.json", withDestinationPath: node.root + "/secret.json")
        #expect(resolver().info(ofCgroupPath: path)?.pod == nil)
        // A FIFO is refused at once rather than waited on.
        try FileManager.default.removeItem(atPath: node.root + userdata + "/config.json")
        #expect(mkfifo(node.root + userdata + "/config.json", 0o600) == 0)
        #expect(resolver().info(ofCgroupPath: path)?.pod == nil)
        // Past the size bound: nothing is read.
        try FileManager.default.removeItem(atPath: node.root + userdata + "/config.json")
        try node.write(userdata + "/config.json", #"{"annotations":{"io.kubernetes.pod.name":"big"},"pad":""# + String(repeating: "x", count: 5 << 20) + "\"}")
        #expect(resolver().info(ofCgroupPath: path)?.pod == nil)
        // Names longer than any Kubernetes name are not taken.
        try node.write(userdata + "/config.json", try node.annotations(["io.kubernetes.pod.name": String(repeating: "a", count: 300)]))
        #expect(resolver().info(ofCgroupPath: path)?.pod == nil)
    }

    @Test func tasksResolveThroughProcAndTheCacheIsByCgroup() throws {
        let node = Node()
        try node.write("/proc/41/cgroup", "12:memory:/x\n0::/libpod_parent/libpod-\(Self.id)\n")
        try node.write("/proc/42/cgroup", "0::/user.slice/session-1.scope\n")
        try node.write("/proc/43/cgroup", String(repeating: "x", count: 100 << 10))
        try node.makeDirectory("/cg/libpod_parent/libpod-\(Self.id)")
        try node.makeDirectory("/cg/user.slice/session-1.scope")
        let resolver = ContainerResolver(cgroupRoot: node.root + "/cg", state: RuntimeState(root: node.root), procRoot: node.root + "/proc")
        #expect(resolver.info(ofTask: 41) == ContainerInfo(runtime: .podman, id: Self.id))
        #expect(resolver.info(ofTask: 42) == nil)
        #expect(resolver.info(ofTask: 43) == nil, "an oversized /proc file is not read")
        #expect(resolver.info(ofTask: 44) == nil, "a task that is gone")
        // Cached by cgroup id: the state written later is not read until the cgroup is forgotten.
        try node.write("/var/lib/containers/storage/overlay-containers/containers.json", #"[{"id":"\#(Self.id)","names":["late"]}]"#)
        #expect(resolver.info(ofTask: 41)?.name == nil)
        resolver.forget(cgroupID: resolver.cgroupID(ofPath: "/libpod_parent/libpod-\(Self.id)"))
        #expect(resolver.info(ofTask: 41)?.name == "late")
        // A task seen from another cgroup namespace has no cgroup id to cache by: it is still
        // resolved once per task, not once per span.
        try node.write("/proc/45/cgroup", "0::/../../libpod_parent/libpod-\(Self.id)\n")
        #expect(resolver.info(ofTask: 45)?.name == "late")
        try node.write("/var/lib/containers/storage/overlay-containers/containers.json", #"[{"id":"\#(Self.id)","names":["later"]}]"#)
        #expect(resolver.info(ofTask: 45)?.name == "late")
    }
}
