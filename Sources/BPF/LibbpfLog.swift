import CLibbpf
import Logging
import Synchronization

/// Routes libbpf's own messages to swift-log, and keeps the most recent verifier log so a
/// failed load can report where the verifier gave up.
public enum LibbpfLog {
    private struct State {
        var logger = Logger(label: "kmon.libbpf")
        var verifierLog: [String] = []
        var capturing = false
        var installed = false
        var demoteWarnings = 0
    }
    private static let state = Mutex(State())

    /// Sends libbpf's messages to `logger`: warnings as warnings, info as info, debug as debug
    /// (visible only when the logger's level allows it, e.g. with `--verbose`).
    public static func install(_ logger: Logger) {
        state.withLock { $0.logger = logger; $0.installed = true }
        kmon_libbpf_set_log_sink { level, message in
            guard let message else { return }
            LibbpfLog.receive(level: level, message: String(cString: message))
        }
    }

    /// Routes libbpf's output to a default logger unless a caller already chose one, so the
    /// verifier log is always captured rather than printed raw to stderr.
    static func installDefaultIfNeeded() {
        if !state.withLock({ $0.installed }) { install(Logger(label: "kmon.libbpf")) }
    }

    private static func receive(level: Int32, message: String) {
        let text = message.hasSuffix("\n") ? String(message.dropLast()) : message
        let logger = state.withLock { s -> Logger? in
            // libbpf 1.x prints the whole verifier log in one message between these markers;
            // older versions printed it line by line.
            if let begin = text.range(of: "-- BEGIN PROG LOAD LOG --") {
                let rest = text[begin.upperBound...]
                if let end = rest.range(of: "-- END PROG LOAD LOG --") {
                    s.verifierLog = rest[..<end.lowerBound].split(separator: "\n").map(String.init)
                    s.capturing = false
                } else {
                    s.verifierLog = rest.split(separator: "\n").map(String.init)
                    s.capturing = true
                }
            } else if text.contains("-- END PROG LOAD LOG --") {
                s.capturing = false
            } else if s.capturing {
                s.verifierLog.append(text)
            }
            return s.demoteWarnings > 0 ? nil : s.logger
        }
        guard let logger else {
            state.withLock { $0.logger }.debug("\(text)")
            return
        }
        switch UInt32(level) {
        case LIBBPF_WARN.rawValue: logger.warning("\(text)")
        case LIBBPF_INFO.rawValue: logger.info("\(text)")
        default: logger.debug("\(text)")
        }
    }

    /// Runs `body` with libbpf's warnings logged at debug level: for probing, where failures
    /// are expected and reported by the caller.
    public static func demotingWarnings<T>(_ body: () throws -> T) rethrows -> T {
        state.withLock { $0.demoteWarnings += 1 }
        defer { state.withLock { $0.demoteWarnings -= 1 } }
        return try body()
    }

    /// Forgets the previous verifier log; call before a load.
    static func resetVerifierLog() {
        state.withLock { $0.verifierLog = []; $0.capturing = false }
    }

    /// The verifier log of the last failed load since `resetVerifierLog()`, if libbpf printed one.
    static func takeVerifierLog() -> String? {
        state.withLock { s in
            defer { s.verifierLog = [] }
            return s.verifierLog.isEmpty ? nil : s.verifierLog.joined(separator: "\n")
        }
    }
}
