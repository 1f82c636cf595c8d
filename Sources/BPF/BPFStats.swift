import CLibbpf
import Foundation
import KmonSystem

/// Keeps the kernel's per-program run statistics on while it lives.
///
/// Prefers `BPF_ENABLE_STATS`, which lasts as long as its file descriptor and needs no global
/// state; falls back to the `kernel.bpf_stats_enabled` sysctl and restores the old value on
/// `close()` or deinit.
public final class BPFStats {
    public enum Mode: String, Sendable { case enableStatsFD = "BPF_ENABLE_STATS", sysctl = "kernel.bpf_stats_enabled" }

    static let sysctlPath = "/proc/sys/kernel/bpf_stats_enabled"
    public let mode: Mode
    private var statsFD: Int32
    private var previousSysctl: String?

    public init() throws {
        let fd = bpf_enable_stats(BPF_STATS_RUN_TIME)
        if fd >= 0 {
            mode = .enableStatsFD
            statsFD = fd
            return
        }
        let enableError = BPFError(call: "bpf_enable_stats", errno: -fd, context: "enabling BPF run statistics")
        guard let previous = ProcFile.read(Self.sysctlPath) else { throw enableError }
        do {
            try "1".write(toFile: Self.sysctlPath, atomically: false, encoding: .utf8)
        } catch {
            throw enableError
        }
        mode = .sysctl
        statsFD = -1
        previousSysctl = previous.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Turns the statistics back off (or restores the sysctl). Safe to call twice.
    public func close() {
        if statsFD >= 0 {
            Glibc.close(statsFD)
            statsFD = -1
        }
        if let previous = previousSysctl {
            try? previous.write(toFile: Self.sysctlPath, atomically: false, encoding: .utf8)
            previousSysctl = nil
        }
    }

    deinit { close() }
}
