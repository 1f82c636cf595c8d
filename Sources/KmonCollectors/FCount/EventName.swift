import BPF
import Foundation

/// An event fcount can count: a tracepoint `category:name`, or a kernel function `kprobe:name`.
public enum FCountEvent: Equatable, Hashable, Sendable, CustomStringConvertible {
    case tracepoint(category: String, name: String)
    case kprobe(function: String)

    public init(parsing text: String) throws {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let valid = { (s: String) in !s.isEmpty && s.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." } }
        guard parts.count == 2, valid(parts[0]), valid(parts[1]) else {
            throw CollectorError.config("bad fcount event \"\(text)\": expected category:name "
                + "(e.g. syscalls:sys_enter_write) or kprobe:function (e.g. kprobe:tcp_sendmsg)")
        }
        self = parts[0] == "kprobe" ? .kprobe(function: parts[1]) : .tracepoint(category: parts[0], name: parts[1])
    }

    public var description: String {
        switch self {
        case let .tracepoint(category, name): return "\(category):\(name)"
        case let .kprobe(function): return "kprobe:\(function)"
        }
    }

    /// Throws a clear error when tracefs does not list the tracepoint. `tracefs` is the events
    /// root, /sys/kernel/tracing by default.
    func checkExists(tracefs: String = "/sys/kernel/tracing") throws {
        guard case let .tracepoint(category, name) = self else { return }
        let path = "\(tracefs)/events/\(category)/\(name)"
        if FileManager.default.fileExists(atPath: path + "/id") { return }
        if !FileManager.default.fileExists(atPath: tracefs + "/events") {
            throw CollectorError.unavailable("cannot check tracepoint \(description): tracefs is not mounted at \(tracefs); "
                + "run as root: mount -t tracefs nodev \(tracefs)")
        }
        throw CollectorError.unknownTracepoint(description, path: path)
    }
}
