import BPF
import Foundation
import KmonBPFObjects
import KmonFeatures
import Testing

/// `kmon doctor` as users run it: the real binary, real program loads, real attachments.
@Suite(.serialized, Privileged.enabled)
struct DoctorCommandTests {
    /// Kinds Kmon relies on; the kernels we support must have them.
    static let required = ["tracepoint", "raw_tracepoint", "tp_btf", "uprobe", "sockops", "cgroup_skb", "tc", "ringbuf", "bpf_stats"]

    @Test func jsonHasTheDocumentedShapeAndTrueAvailability() throws {
        try Privileged.check()
        let probesBefore = Self.loadedProbePrograms()
        // The check below can see a hookprobe program that stays: one loaded here does count.
        try withExtendedLifetime(HookProbe.loadAlone("probe_tracepoint", maps: [])) {
            #expect(Self.loadedProbePrograms().subtracting(probesBefore).count == 1)
        }
        let result = try runCommand(BuildProducts.executable("kmon"), ["doctor", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect((json["kernel"] as? String)?.isEmpty == false)
        #expect(json["btf"] as? Bool == true)
        #expect(json["root"] as? Bool == true)
        let hooks = try #require(json["hooks"] as? [[String: Any]])
        let byKind = Dictionary(uniqueKeysWithValues: hooks.map { ($0["kind"] as! String, $0) })
        #expect(byKind.count == 11)
        for kind in Self.required {
            #expect(byKind[kind]?["available"] as? Bool == true, "\(kind): \(byKind[kind]?["reason"] ?? "missing")")
            #expect(byKind[kind]?["reason"] is NSNull)
        }
        for kind in ["kprobe", "fentry"] {
            let hook = try #require(byKind[kind])
            if hook["available"] as? Bool == false {
                #expect((hook["reason"] as? String)?.isEmpty == false, "\(kind) unavailable without a reason")
            }
        }
        // kprobe availability must agree with the kernel's own configuration, where it says.
        let config = try? runCommand(URL(fileURLWithPath: "/bin/sh"), ["-c", "zcat /proc/config.gz"]).stdout
        if let config, !config.isEmpty {
            let kprobes = config.split(separator: "\n").contains { $0 == "CONFIG_KPROBES=y" }
            #expect(byKind["kprobe"]?["available"] as? Bool == kprobes)
            if !kprobes { #expect((byKind["kprobe"]?["reason"] as? String)?.contains("CONFIG_KPROBES") == true) }
        }
        // Probing attaches and detaches: none of its programs stays in the kernel, held by a link
        // or by an attachment that outlives the process (a tc filter). The kernel frees a program
        // an RCU grace period after its last reference, so this waits up to 2 s.
        var left = Self.loadedProbePrograms().subtracting(probesBefore)
        for _ in 0..<100 where !left.isEmpty {
            usleep(20_000)
            left = Self.loadedProbePrograms().subtracting(probesBefore)
        }
        #expect(left.isEmpty, "hookprobe programs still loaded 2 s after kmon doctor exited: \(left)")
    }

    /// Ids of loaded programs from bpf/hookprobe.bpf.c: only its programs are named probe_*, so
    /// the probes of another Kmon running on the machine do not count.
    static func loadedProbePrograms() -> Set<UInt32> {
        Set(KernelObjects.programs().filter { $0.name.hasPrefix("probe_") }.map(\.id))
    }

    /// Every feature row says what depends on it; `iter` agrees with a load the test does itself.
    @Test func featureRowsAreTrueToTheKernel() throws {
        try Privileged.check()
        let result = try runCommand(BuildProducts.executable("kmon"), ["doctor", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let rows = try #require(json["features"] as? [[String: Any]])
        let byName = Dictionary(uniqueKeysWithValues: rows.map { ($0["feature"] as! String, $0) })
        #expect(Set(byName.keys) == ["iter", "test_run_on_cpu", "sk_storage", "task_storage", "tcp_read_clock"])
        for (name, row) in byName {
            #expect((row["used_by"] as? String)?.isEmpty == false, "\(name)")
            #expect((row["without"] as? String)?.isEmpty == false, "\(name)")
            let available = try #require(row["available"] as? Bool)
            #expect(available == (row["reason"] is NSNull), "\(name): \(row["reason"] ?? "")")
        }
        // An iterator program over socket storage: a kernel that will not load one cannot offer it.
        if (try? HookProbe.loadAlone("probe_iter_sk_storage", maps: ["probe_sk_storage_map"])) == nil {
            #expect(byName["iter"]?["available"] as? Bool == false)
        }
        // sk_storage is optional now: sock, fentry and skb fall back to conn_table without it.
        #expect(byName["sk_storage"]?["without"] as? String == KernelFeature.socketStorage.effectWithout)
    }

    @Test func disabledFeaturesShowAsUnavailableAndBadNamesAreRefused() throws {
        try Privileged.check()
        let kmon = BuildProducts.executable("kmon")
        let result = try runCommand(kmon, ["doctor", "--json"], environment: ["KMON_DISABLE_FEATURES": "iter,test_run_on_cpu,tcp_read_clock"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let rows = try #require(json["features"] as? [[String: Any]])
        for name in ["iter", "test_run_on_cpu", "tcp_read_clock"] {
            let row = try #require(rows.first { $0["feature"] as? String == name })
            #expect(row["available"] as? Bool == false)
            #expect(row["reason"] as? String == "disabled by KMON_DISABLE_FEATURES")
        }
        let bad = try runCommand(kmon, ["doctor"], environment: ["KMON_DISABLE_FEATURES": "iter,task_storage"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("KMON_DISABLE_FEATURES names 'task_storage', which is not an optional feature"))
    }

    @Test func textOutputIsATable() throws {
        try Privileged.check()
        let result = try runCommand(BuildProducts.executable("kmon"), ["doctor"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("hook            available  used by"))
        #expect(result.stdout.contains("feature                  available  used by"))
    }

    @Test func withoutRootItExplainsInOneLineWithExitCode77() throws {
        try Privileged.check()
        let result = try runCommand(BuildProducts.executable("kmon"), ["doctor"], asUser: "nobody")
        #expect(result.status == 77)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("needs root"))
    }

    @Test func unknownFlagGivesUsage() throws {
        let result = try runCommand(BuildProducts.executable("kmon"), ["doctor", "--frobnicate"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("Usage:"))
    }
}
