import KmonContainers
import Testing

/// Cgroup v2 paths as each runtime and cgroup driver lays them out (copied from real nodes'
/// /proc/PID/cgroup; the Podman one from this VM).
@Suite struct CgroupPathTests {
    static let id = String(repeating: "0123456789abcdef", count: 4)
    static let uid = "6b9f8a1c-2d3e-4f50-8a61-7c2b3d4e5f60"
    static let systemdUID = uid.replacingOccurrences(of: "-", with: "_")

    @Test(arguments: [
        ("/libpod_parent/libpod-\(id)", ContainerRuntime.podman, nil as String?),
        ("/machine.slice/libpod-\(id).scope", .podman, nil),
        ("/machine.slice/libpod-\(id).scope/container", .podman, nil),
        ("/system.slice/docker-\(id).scope", .docker, nil),
        ("/docker/\(id)", .docker, nil),
        ("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod\(systemdUID).slice/cri-containerd-\(id).scope", .containerd, uid),
        ("/kubepods.slice/kubepods-pod\(systemdUID).slice/crio-\(id).scope", .crio, uid),
        ("/kubepods/burstable/pod\(uid)/\(id)", .cri, uid),
        ("/kubepods/pod\(uid)/\(id)", .cri, uid),
    ])
    func containersAreFoundWithTheirRuntime(path: String, runtime: ContainerRuntime, podUID: String?) {
        let owner = CgroupPathParser.owner(ofPath: path)
        #expect(owner == CgroupOwner(runtime: runtime, id: Self.id, podUID: podUID), "\(path)")
    }

    @Test func unitsHostsAndMonitorsAreNotContainers() {
        #expect(CgroupPathParser.owner(ofPath: "/system.slice/nginx.service") == CgroupOwner(runtime: .systemd, id: "nginx.service"))
        #expect(CgroupPathParser.owner(ofPath: "/") == nil)
        #expect(CgroupPathParser.owner(ofPath: "/user.slice/user-0.slice/session-3.scope") == nil)
        // conmon watches a container from outside it.
        #expect(CgroupPathParser.owner(ofPath: "/machine.slice/libpod-conmon-\(Self.id).scope") == nil)
        #expect(CgroupPathParser.owner(ofPath: "/kubepods.slice/crio-conmon-\(Self.id).scope") == nil)
        // Not hex, too short, too long: not an id.
        #expect(CgroupPathParser.owner(ofPath: "/docker/not-a-container") == nil)
        #expect(CgroupPathParser.owner(ofPath: "/docker/abc") == nil)
        #expect(CgroupPathParser.owner(ofPath: "/docker/" + Self.id + "0") == nil)
        // A bare id outside /docker or a pod is nobody's.
        #expect(CgroupPathParser.owner(ofPath: "/other/\(Self.id)") == nil)
    }

    @Test func hostileTextNeverTraps() {
        for path in ["", "//", "/kubepods-pod.slice", "/pod", "/libpod-", "/libpod-.scope", "/\u{0}/\u{FFFF}",
                     String(repeating: "/a", count: 10_000), "/kubepods-x-pod\(String(repeating: "_", count: 36)).slice/crio-\(Self.id).scope"] {
            _ = CgroupPathParser.owner(ofPath: path)
        }
        // Underscores alone are no UID.
        let owner = CgroupPathParser.owner(ofPath: "/kubepods-x-pod\(String(repeating: "_", count: 36)).slice/crio-\(Self.id).scope")
        #expect(owner?.podUID == nil && owner?.runtime == .crio)
    }

    @Test(arguments: [
        ("frontend-7d4b9c6f58-x2kqp", "frontend"),      // Deployment
        ("node-exporter-9xkqz", "node-exporter"),      // DaemonSet
        ("db-0", "db"), ("db-12", "db"),                // StatefulSet
        ("standalone", "standalone"), ("my-app", "my-app"), ("api-server-abc", "api-server-abc"),
    ])
    func podsGroupByTheirController(pod: String, workload: String) {
        #expect(ContainerInfo.workload(ofPod: pod) == workload)
    }

    @Test func servicesAreNamedAsAskedAndReplicasGroup() {
        let replica = { (pod: String, id: String) in
            ContainerInfo(runtime: .containerd, id: id, name: "api", pod: pod, namespace: "shop", workload: ContainerInfo.workload(ofPod: pod))
        }
        let a = replica("api-7d4b9c6f58-x2kqp", "a"), b = replica("api-7d4b9c6f58-z9bdf", "b")
        #expect(ServiceNaming.workload.name(a, comm: "java") == "shop/api")
        #expect(ServiceNaming.workload.name(b, comm: "java") == "shop/api")
        #expect(ServiceNaming.pod.name(a, comm: "java") == "shop/api-7d4b9c6f58-x2kqp")
        #expect(ServiceNaming.container.name(b, comm: "java") == "api-7d4b9c6f58-z9bdf/api")
        #expect(ServiceNaming.comm.name(a, comm: "java") == "java")
        let podman = ContainerInfo(runtime: .podman, id: Self.id, name: "svc-a-1", workload: "svc-a")
        #expect(ServiceNaming.workload.name(podman, comm: "kmon-service") == "svc-a")
        #expect(ServiceNaming.container.name(podman, comm: "kmon-service") == "svc-a-1")
        #expect(ServiceNaming.workload.name(ContainerInfo(runtime: .docker, id: Self.id), comm: "x") == String(Self.id.prefix(12)))
        // Host processes and systemd units keep their comm.
        #expect(ServiceNaming.workload.name(nil, comm: "nginx") == "nginx")
        #expect(ServiceNaming.workload.name(ContainerInfo(runtime: .systemd, id: "nginx.service", name: "nginx.service"), comm: "nginx") == "nginx")
    }

    @Test func selectorsMatchNamesIdsAndPods() throws {
        let a = ContainerInfo(runtime: .podman, id: Self.id, name: "svc-a")
        let pod = ContainerInfo(runtime: .crio, id: Self.id, name: "api", pod: "api-0", namespace: "shop")
        let byName = try ContainerSelector(container: "^svc-a$")
        #expect(byName.matches(a) && !byName.matches(pod))
        #expect(try ContainerSelector(container: "^0123456789ab").matches(a), "an id prefix chooses the container")
        let byPod = try ContainerSelector(pod: "^shop/api-")
        #expect(byPod.matches(pod) && !byPod.matches(a))
        #expect(!(try ContainerSelector(container: ".*")).matches(ContainerInfo(runtime: .systemd, id: "x.service")))
        #expect(throws: ContainerSelectorError(field: "--pod", pattern: "(")) { try ContainerSelector(pod: "(") }
    }
}
