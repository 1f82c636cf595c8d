import Foundation
import KmonCollectors
import Testing
import Yams

/// deploy/kubernetes: the manifests against the Kubernetes API schemas (kubernetes-validate,
/// offline: it bundles the schemas), the DaemonSet's privileges, and the ConfigMap's config
/// through kmon's own parser. No cluster runs here; docs/deploy.md.
@Suite("deploy/kubernetes manifests")
struct DeployManifestTests {
    static let daemonSet = "deploy/kubernetes/base/daemonset.yaml"

    @Test("every manifest validates against the Kubernetes schemas, and a broken one does not")
    func manifestsValidate() throws {
        let validator = DeployTree.validator
        guard FileManager.default.isExecutableFile(atPath: validator) else {
            Issue.record("kubernetes-validate is not installed at \(validator); run scripts/setup")
            return
        }
        let files = try DeployTree.manifests()
        #expect(files.count >= 6, "found only \(files.map(\.lastPathComponent))")
        // As root, in a network namespace with no interface up: the schemas must come from the package.
        let offline = geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare")
        let arguments = ["--strict", "--kubernetes-version", "1.37.0"] + files.map(\.path)
        let result = offline ? try DeployTree.run("/usr/bin/unshare", ["--net", validator] + arguments)
                             : try DeployTree.run(validator, arguments)
        #expect(result.status == 0, "kubernetes-validate failed\(offline ? " (no network)" : ""):\n\(result.output)")
        // Every file was checked against a schema: a kind it has no schema for only warns.
        for file in files {
            #expect(result.output.contains("\(file.path) passed"), "\(file.lastPathComponent) was not validated:\n\(result.output)")
        }

        // The same validator refuses a DaemonSet with a wrongly typed field: the check can fail.
        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("kmon-broken-daemonset-\(getpid()).yaml")
        defer { try? FileManager.default.removeItem(at: broken) }
        let text = try DeployTree.text(Self.daemonSet)
        try text.replacingOccurrences(of: "containerPort: 9464", with: "containerPort: nine").write(to: broken, atomically: true, encoding: .utf8)
        let refused = try DeployTree.run(validator, ["--strict", broken.path])
        #expect(refused.status != 0 && refused.output.contains("containerPort"), "a broken DaemonSet passed:\n\(refused.output)")
    }

    @Test("the DaemonSet adds exactly BPF, PERFMON, NET_ADMIN, SYS_RESOURCE and SYS_PTRACE, and is not privileged")
    func leastPrivilege() throws {
        let spec = lookup(try DeployTree.object(Self.daemonSet), "spec", "template", "spec")
        #expect(lookup(spec, "hostPID") as? Bool == true)
        #expect(lookup(spec, "hostNetwork") == nil, "kmon needs no host network")
        #expect(lookup(spec, "automountServiceAccountToken") as? Bool == false)
        let containers = try #require(lookup(spec, "containers") as? [Any])
        #expect(containers.count == 1)
        let security = try #require(lookup(containers.first, "securityContext") as? [String: Any])
        #expect(security["privileged"] == nil, "privileged is the fallback's, not the default's")
        #expect(security["allowPrivilegeEscalation"] as? Bool == false)
        #expect(security["readOnlyRootFilesystem"] as? Bool == true)
        #expect(lookup(security, "capabilities", "drop") as? [String] == ["ALL"])
        let added = try #require(lookup(security, "capabilities", "add") as? [String])
        #expect(Set(added) == ["BPF", "PERFMON", "NET_ADMIN", "SYS_RESOURCE", "SYS_PTRACE"] && added.count == 5)
        #expect(lookup(spec, "tolerations", 0, "operator") as? String == "Exists", "runs on every node, tainted ones too")
    }

    @Test("the DaemonSet mounts BTF, tracefs, bpffs, the cgroup tree and the runtimes' state, read-only")
    func hostMounts() throws {
        let spec = lookup(try DeployTree.object(Self.daemonSet), "spec", "template", "spec")
        let volumes = try #require(lookup(spec, "volumes") as? [[String: Any]])
        let hostPaths = Dictionary(uniqueKeysWithValues: volumes.compactMap { volume -> (String, String)? in
            guard let name = volume["name"] as? String, let path = lookup(volume, "hostPath", "path") as? String else { return nil }
            return (name, path)
        })
        let mounts = try #require(lookup(spec, "containers", 0, "volumeMounts") as? [[String: Any]])
        var mounted: [String: (path: String, readOnly: Bool)] = [:]
        for mount in mounts {
            guard let name = mount["name"] as? String, let hostPath = hostPaths[name] else { continue }
            #expect(mount["mountPath"] as? String == hostPath, "\(name) is mounted where kmon looks for it on the host")
            mounted[hostPath] = (mount["mountPath"] as? String ?? "", mount["readOnly"] as? Bool == true)
        }
        for path in ["/sys/kernel/btf", "/sys/kernel/tracing", "/sys/fs/bpf", "/sys/fs/cgroup",
                     "/run/containerd", "/run/containers", "/var/lib/containers"] {
            #expect(mounted[path]?.readOnly == true, "\(path) is not mounted read-only")
        }
        #expect(Set(hostPaths.values) == Set(mounted.keys), "every hostPath volume is mounted, and only those")
    }

    @Test("the DaemonSet's flags, ports and config path agree with the Service, the ConfigMap and the image")
    func partsAgree() throws {
        let container = lookup(try DeployTree.object(Self.daemonSet), "spec", "template", "spec", "containers", 0)
        let args = try #require(lookup(container, "args") as? [String])
        #expect(args.first == "monitor")
        let prometheus = try #require(args.firstIndex(of: "--prometheus").map { args[$0 + 1] })
        #expect(prometheus == "0.0.0.0:9464", "metrics must listen beyond loopback for the Service")
        #expect(lookup(container, "ports", 0, "containerPort") as? Int == 9464)
        let service = try DeployTree.object("deploy/kubernetes/base/service.yaml")
        #expect(lookup(service, "spec", "ports", 0, "port") as? Int == 9464)
        #expect(lookup(service, "spec", "ports", 0, "targetPort") as? String == lookup(container, "ports", 0, "name") as? String)
        for probe in ["startupProbe", "livenessProbe", "readinessProbe"] {
            #expect(lookup(container, probe, "httpGet", "path") as? String == "/metrics", "\(probe)")
        }
        let config = try #require(args.firstIndex(of: "--config").map { args[$0 + 1] })
        let configMount = (lookup(container, "volumeMounts") as? [[String: Any]])?.first { $0["name"] as? String == "config" }
        #expect(configMount?["mountPath"] as? String == (config as NSString).deletingLastPathComponent)
        let map = try DeployTree.object("deploy/kubernetes/base/configmap.yaml")
        #expect(lookup(map, "data", (config as NSString).lastPathComponent) != nil, "the ConfigMap has no key \(config)")
        #expect(lookup(container, "resources", "limits", "memory") != nil && lookup(container, "resources", "requests", "cpu") != nil)
    }

    @Test("the ConfigMap's kmon.yaml loads through kmon monitor's --config path")
    func configMapParses() throws {
        let map = try DeployTree.object("deploy/kubernetes/base/configmap.yaml")
        let yaml = try #require(lookup(map, "data", "kmon.yaml") as? String)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kmon-configmap-\(getpid()).yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        // What `kmon monitor --config FILE` does with no other flag (CollectorOptions.plan).
        let config = try CollectorConfigFile.load(path: file.path)
        let plan = try CollectorPlan.resolve(collect: nil, fcountEvents: [], verboseLevels: [], config: config, filter: ListenFilter())
        #expect(plan.runsTcpreq)
        #expect(plan.collectors[.tcpdrop]?.verbosity == 1)
        #expect(config.collectors[.tcpreq]?.exportPeriodSeconds == 15)
        // The container and pod filter, commented out for the operator, parses once uncommented.
        #expect(yaml.contains("# listen: { container:"))
        try yaml.replacingOccurrences(of: "# listen: { container:", with: "listen: { container:").write(to: file, atomically: true, encoding: .utf8)
        let filtered = try CollectorConfigFile.load(path: file.path)
        #expect(filtered.collectors[.tcpreq]?.filter.container == "^(frontend|api)$")
        #expect(filtered.collectors[.tcpreq]?.filter.pod == "shop/checkout-.*")
    }

    @Test("the privileged fallback is a separate overlay that sets privileged on the same container")
    func privilegedFallback() throws {
        let patch = try DeployTree.object("deploy/kubernetes/privileged/daemonset-privileged.yaml")
        let base = try DeployTree.object(Self.daemonSet)
        #expect(lookup(patch, "metadata", "name") as? String == lookup(base, "metadata", "name") as? String)
        let container = lookup(patch, "spec", "template", "spec", "containers", 0)
        #expect(lookup(container, "name") as? String == lookup(base, "spec", "template", "spec", "containers", 0, "name") as? String)
        #expect(lookup(container, "securityContext", "privileged") as? Bool == true)
        #expect(lookup(container, "securityContext", "allowPrivilegeEscalation") as? Bool == true,
                "the API server refuses privileged with allowPrivilegeEscalation: false")
        let overlay = try DeployTree.object("deploy/kubernetes/privileged/kustomization.yaml")
        #expect(lookup(overlay, "resources") as? [String] == ["../base"])
        #expect(lookup(overlay, "patches", 0, "path") as? String == "daemonset-privileged.yaml")
        let baseList = try DeployTree.object("deploy/kubernetes/base/kustomization.yaml")
        let listed = Set(lookup(baseList, "resources") as? [String] ?? [])
        let present = Set(try DeployTree.manifests().filter { $0.path.contains("/base/") }.map(\.lastPathComponent))
        #expect(listed == present, "base/kustomization.yaml lists \(listed.sorted()), the folder holds \(present.sorted())")
    }
}
