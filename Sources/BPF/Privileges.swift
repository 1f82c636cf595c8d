import Foundation
import Glibc
import KmonSystem

/// Whether this process may load BPF programs and attach them to tracing hooks.
public struct Privileges: Sendable, Equatable {
    public var effectiveUID: UInt32
    /// Effective capability bits, from /proc/self/status.
    public var effectiveCapabilities: UInt64

    static let capSysAdmin = 21, capPerfmon = 38, capBPF = 39, capNetAdmin = 12

    public static func current() -> Privileges {
        var caps: UInt64 = 0
        if let status = ProcFile.read("/proc/self/status"),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("CapEff:") }) {
            caps = UInt64(line.dropFirst("CapEff:".count).trimmingCharacters(in: .whitespaces), radix: 16) ?? 0
        }
        return Privileges(effectiveUID: geteuid(), effectiveCapabilities: caps)
    }

    public var isRoot: Bool { effectiveUID == 0 }

    func has(_ capability: Int) -> Bool { effectiveCapabilities & (1 << UInt64(capability)) != 0 }

    /// Tracing programs need CAP_BPF with CAP_PERFMON, or CAP_SYS_ADMIN; network hooks also CAP_NET_ADMIN.
    public var canLoadBPF: Bool {
        has(Self.capSysAdmin) || (has(Self.capBPF) && has(Self.capPerfmon))
    }

    /// One line for users who lack the privileges.
    public static let explanation =
        "kmon needs root (or CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN) to load eBPF programs; run it with sudo"
}
