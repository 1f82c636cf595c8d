/// A collector problem a user can fix: a bad config or flag, or a kernel that lacks something.
/// The description is a sentence that says what was wrong and what to do.
public struct CollectorError: Error, CustomStringConvertible, Equatable, Sendable {
    enum Kind: Equatable, Sendable {
        case badConfig
        case unavailable
    }

    let kind: Kind
    public let description: String

    /// True when the kernel (not the user's input) is the obstacle.
    public var isUnavailable: Bool { kind == .unavailable }

    static func config(_ text: String) -> CollectorError { CollectorError(kind: .badConfig, description: text) }

    static func unavailable(_ text: String) -> CollectorError { CollectorError(kind: .unavailable, description: text) }

    static func unknownCollector(_ name: String) -> CollectorError {
        config("unknown collector \"\(name)\"; known collectors: "
            + CollectorKind.allCases.map(\.rawValue).joined(separator: ", "))
    }

    static func badVerbosity(collector: CollectorKind, value: String) -> CollectorError {
        config("bad verbosity \(value) for \(collector.rawValue): expected 1 to \(collector.maxVerbosity) "
            + "(\(collector.verbosityLevels))")
    }

    static func unknownTracepoint(_ name: String, path: String) -> CollectorError {
        config("unknown tracepoint \"\(name)\": \(path) does not exist; "
            + "list them with: ls /sys/kernel/tracing/events/<category>/")
    }

    static func missingObject(_ name: String) -> CollectorError {
        unavailable("BPF object \(name) is missing from this build (bpf/\(name).bpf.c was not compiled)")
    }
}
