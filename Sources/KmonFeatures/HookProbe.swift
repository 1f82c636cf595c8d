import BPF
import CKmonEvents
import Foundation
import Glibc
import KmonBPFObjects

/// Finds which hook kinds work by really loading and attaching a tiny program of each kind
/// (bpf/hookprobe.bpf.c), then detaching it. Nothing stays attached afterwards. The kernel's
/// answers are cached for the process, as `FeatureProbe`'s are: every bench arm and accuracy
/// run asks again, and the kernel does not change its mind.
public enum HookProbe {
    public static func checkAll() -> [HookAvailability] {
        LibbpfLog.demotingWarnings { HookKind.allCases.map(check) }
    }

    public static func check(_ kind: HookKind) -> HookAvailability {
        if let known = lock.withLock({ answers[kind] }) { return known }
        let answer: HookAvailability
        do {
            try exercise(kind)
            answer = HookAvailability(kind: kind, available: true, reason: nil)
        } catch let error as BPFError {
            answer = HookAvailability(kind: kind, available: false, reason: explain(kind, error))
        } catch {
            answer = HookAvailability(kind: kind, available: false, reason: "\(error)")
        }
        lock.withLock { answers[kind] = answer }
        return answer
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var answers: [HookKind: HookAvailability] = [:]

    private static func exercise(_ kind: HookKind) throws {
        switch kind {
        case .ringbuf:
            try BPFMap.probeRingBuffer()
        case .bpfStats:
            try BPFStats().close()
        default:
            try exerciseProgram(kind)
        }
    }

    private static func exerciseProgram(_ kind: HookKind) throws {
        guard let wanted = kind.probeProgram else {
            throw BPFError(call: "HookKind.probeProgram", errno: ENOENT, context: "\(kind.rawValue) has no probe program")
        }
        let object = try loadAlone(wanted, maps: [])
        let program = try object.program(wanted)
        switch kind {
        case .uprobe:
            try program.attachUprobe(binary: "libc.so.6", function: "getppid").detach()
        case .sockops, .cgroupSKB:
            guard let cgroup = KernelMounts.cgroup2Path() else {
                throw BPFError(call: "cgroup2 mount", errno: ENOENT, context: "no cgroup v2 hierarchy is mounted")
            }
            try program.attachCgroup(path: cgroup).detach()
        case .tc:
            try program.attachTC(interfaceIndex: Int32(if_nametoindex("lo")), ingress: true).detach()
        default:
            try program.attach().detach()
        }
    }

    /// Loads bpf/hookprobe.bpf.c with only `program`, and of its own maps only `maps`: a
    /// kernel that refuses one map type must not fail the probes that never use it.
    package static func loadAlone(_ program: String, maps: Set<String>,
                          configure: (BPFObject) throws -> Void = { _ in }) throws -> BPFObject {
        guard let elf = EmbeddedBPF.object(named: "hookprobe") else {
            throw BPFError(call: "EmbeddedBPF.object", errno: ENOENT, context: "hookprobe object missing from this build")
        }
        let object = try BPFObject(elf: elf, name: "hookprobe")
        for candidate in object.programs { candidate.autoload = candidate.name == program }
        for map in object.maps where map.name.hasPrefix("probe_") { try map.setAutocreate(maps.contains(map.name)) }
        try configure(object)
        try object.load()
        return object
    }

    /// The kernel's refusal in one line: the call, errno and the verifier's last words.
    static func describe(_ error: BPFError) -> String {
        var reason = "\(error.call) failed with \(error.errnoDescription)"
        if let log = error.verifierSummary(lines: 2) {
            reason += "; verifier: " + log.replacingOccurrences(of: "\n", with: " | ")
        }
        return reason
    }

    /// Turns the kernel's refusal into a sentence that says why.
    static func explain(_ kind: HookKind, _ error: BPFError) -> String {
        var reason = describe(error)
        switch kind {
        case .kprobe where KernelConfig.current()?.isDisabled("CONFIG_KPROBES") == true:
            reason = "kernel built without CONFIG_KPROBES (" + reason + ")"
        case .kprobe where !FileManager.default.fileExists(atPath: "/sys/bus/event_source/devices/kprobe"):
            reason = "kernel has no kprobe event source (" + reason + ")"
        case .fentry where error.errno == EPERM:
            reason = "kernel refuses BPF trampolines for fentry/fexit (" + reason + ")"
        default:
            break
        }
        return reason
    }
}
