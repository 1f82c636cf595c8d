import KmonSupport
import BPF
import Foundation
import Glibc
import KmonFeatures
import KmonSystem

/// What `kmon doctor` found: the kernel, its BTF, our privileges, the mounts, and each hook kind.
public struct DoctorReport: Codable, Sendable {
    public struct MountStatus: Codable, Sendable {
        public var name: String
        public var path: String
        public var mounted: Bool
        public var note: String?
    }

    public var kernel: String
    public var btf: Bool
    public var root: Bool
    public var canLoadBPF: Bool
    public var mounts: [MountStatus]
    public var hooks: [HookAvailability]
    /// Kernel features beyond the hooks; `KMON_DISABLE_FEATURES` shows as unavailable here too.
    public var features: [FeatureAvailability]

    enum CodingKeys: String, CodingKey {
        case kernel, btf, root, mounts, hooks, features
        case canLoadBPF = "can_load_bpf"
    }

    /// Runs every check. Hooks are probed only with privileges; without them each says so.
    public static func gather(mountMissing: Bool) throws -> DoctorReport {
        let privileges = Privileges.current()
        let mounts = KernelMounts.check(mountMissing: mountMissing && privileges.isRoot)
        let hooks = privileges.canLoadBPF
            ? HookProbe.checkAll()
            : HookKind.allCases.map { HookAvailability(kind: $0, available: false, reason: "not checked: \(Privileges.explanation)") }
        let features = privileges.canLoadBPF
            ? try FeatureProbe.checkAll()
            : KernelFeature.allCases.map { FeatureAvailability(feature: $0, available: false, reason: "not checked: \(Privileges.explanation)") }
        return DoctorReport(
            kernel: kernelRelease(),
            btf: FileManager.default.fileExists(atPath: "/sys/kernel/btf/vmlinux"),
            root: privileges.isRoot,
            canLoadBPF: privileges.canLoadBPF,
            mounts: mounts.map {
                MountStatus(name: $0.name, path: $0.path, mounted: $0.mounted, note: $0.note)
            },
            hooks: hooks,
            features: features
        )
    }

    static func kernelRelease() -> String {
        var name = utsname()
        uname(&name)
        return String(cCharArray: name.release)
    }

    /// The report as aligned text tables, for people.
    public func renderText() -> String {
        var lines = [
            "kernel   \(kernel)",
            "btf      \(btf ? "yes (/sys/kernel/btf/vmlinux)" : "no: CO-RE programs cannot load")",
            "root     \(root ? "yes" : "no")\(canLoadBPF ? "" : " — \(Privileges.explanation)")",
            "",
        ]
        lines += TextTable.render(
            header: ["mount", "path", "mounted", "note"],
            rows: mounts.map { [$0.name, $0.path, $0.mounted ? "yes" : "no", $0.note ?? ""] })
        lines.append("")
        lines += TextTable.render(
            header: ["hook", "available", "used by", "reason"],
            rows: hooks.map { [$0.kind.rawValue, $0.available ? "yes" : "no", $0.usedBy, $0.reason ?? ""] })
        lines.append("")
        lines += TextTable.render(
            header: ["feature", "available", "used by", "without it", "reason"],
            rows: features.map { [$0.feature.rawValue + ($0.feature.isOptional ? "" : " (required)"), $0.available ? "yes" : "no",
                                  $0.usedBy, $0.effectWithout, $0.reason ?? ""] })
        return lines.joined(separator: "\n")
    }
}
