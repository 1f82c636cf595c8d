/// A tcpreq session that could not start, or broke. `description` says what, why, and what to do.
public struct TcpreqError: Error, CustomStringConvertible, Sendable {
    enum Kind: Sendable {
        case unavailable(ProbeVariant, String)
        case badFilter(String)
        case missingObject(String)
        case kernel(String)
        case badEnvironment(String)
        case badObject(String)
        case consumerStopped(String)
    }

    let kind: Kind

    /// The variant cannot run on this kernel; `reason` is the kernel's.
    public static func unavailable(_ variant: ProbeVariant, reason: String) -> TcpreqError {
        TcpreqError(kind: .unavailable(variant, reason))
    }

    static func badFilter(_ message: String) -> TcpreqError { TcpreqError(kind: .badFilter(message)) }
    static func missingObject(_ name: String) -> TcpreqError { TcpreqError(kind: .missingObject(name)) }
    static func kernel(_ message: String) -> TcpreqError { TcpreqError(kind: .kernel(message)) }
    static func badEnvironment(_ message: String) -> TcpreqError { TcpreqError(kind: .badEnvironment(message)) }
    static func badObject(_ message: String) -> TcpreqError { TcpreqError(kind: .badObject(message)) }
    static func consumerStopped(_ error: Error) -> TcpreqError { TcpreqError(kind: .consumerStopped("\(error)")) }

    /// For `unavailable`: the variant and the reason, to report as skipped.
    public var unavailableVariant: (variant: ProbeVariant, reason: String)? {
        if case .unavailable(let v, let r) = kind { return (v, r) }
        return nil
    }

    /// The environment (`KMON_DISABLE_FEATURES`) is malformed: a usage error, not the kernel's.
    public var isBadEnvironment: Bool {
        if case .badEnvironment = kind { return true }
        return false
    }

    /// A `--pid` or `--cgroup` filter that names nothing usable: a bad argument, not the kernel's fault.
    public var isBadFilter: Bool {
        if case .badFilter = kind { return true }
        return false
    }

    public var description: String {
        switch kind {
        case .unavailable(let variant, let reason):
            return "\(variant.rawValue) variant unavailable: \(reason); use --variant sock"
        case .badFilter(let message):
            return "bad filter: \(message)"
        case .missingObject(let name):
            return "BPF object \(name) is not in this build (bpf/\(name).bpf.c did not compile?)"
        case .kernel(let message), .badEnvironment(let message), .badObject(let message):
            return message
        case .consumerStopped(let reason):
            return "the tcpreq ring-buffer reader stopped (\(reason)); no span after it was read, so the session's data ends there"
        }
    }
}
