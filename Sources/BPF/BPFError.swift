import Glibc

/// A failure in the BPF layer: which call failed, its errno, and for program loads the tail of
/// the verifier's log.
public struct BPFError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The libbpf or kernel call that failed, e.g. `bpf_object__load`.
    public let call: String
    public let errno: Int32
    /// What was being done, in words: "loading tcpreq_sock".
    public let context: String
    /// The verifier's log for a rejected program, if the kernel gave one.
    public let verifierLog: String?

    public init(call: String, errno: Int32, context: String, verifierLog: String? = nil) {
        self.call = call
        self.errno = errno
        self.context = context
        self.verifierLog = verifierLog
    }

    /// The errno's name and text: "EPERM (Operation not permitted)".
    public var errnoDescription: String {
        let text = String(cString: strerror(errno))
        return Self.errnoNames[errno].map { "\($0) (\(text))" } ?? "errno \(errno) (\(text))"
    }

    /// The last lines of the verifier log: where the verifier gave up, and why.
    public func verifierSummary(lines: Int = 8) -> String? {
        guard let log = verifierLog else { return nil }
        let kept = log.split(separator: "\n", omittingEmptySubsequences: true).suffix(lines)
        return kept.isEmpty ? nil : kept.joined(separator: "\n")
    }

    public var description: String {
        var text = "\(context): \(call) failed: \(errnoDescription)"
        if let summary = verifierSummary() {
            text += "\nverifier log (last lines):\n" + summary
        }
        return text
    }

    /// Builds the error from a libbpf return value (negative errno) or the thread's errno.
    static func check(_ result: Int32, _ call: String, _ context: @autoclosure () -> String) throws {
        guard result < 0 else { return }
        throw BPFError(call: call, errno: result == -1 ? Glibc.errno : -result, context: context())
    }

    static func lastErrno(_ call: String, _ context: String) -> BPFError {
        BPFError(call: call, errno: Glibc.errno, context: context)
    }

    private static let errnoNames: [Int32: String] = [
        EPERM: "EPERM", ENOENT: "ENOENT", ESRCH: "ESRCH", EINTR: "EINTR", EIO: "EIO", E2BIG: "E2BIG",
        EBADF: "EBADF", EAGAIN: "EAGAIN", ENOMEM: "ENOMEM", EACCES: "EACCES", EFAULT: "EFAULT",
        EBUSY: "EBUSY", EEXIST: "EEXIST", ENODEV: "ENODEV", EINVAL: "EINVAL", ENOSPC: "ENOSPC",
        ERANGE: "ERANGE", ENOSYS: "ENOSYS", EOPNOTSUPP: "EOPNOTSUPP", ENOTSUPP: "ENOTSUPP",
        ENOTDIR: "ENOTDIR", ELOOP: "ELOOP",
    ]
}

/// Linux's internal "not supported" errno (524), which BPF calls return and Glibc does not name.
public let ENOTSUPP: Int32 = 524

extension BPFError {
    /// Checks a call that returns a file descriptor, or a negative errno.
    public static func checkFD(_ fd: Int32, _ call: String, _ context: String) throws {
        try check(fd, call, context)
    }
}
