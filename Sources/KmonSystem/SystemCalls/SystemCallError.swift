import Glibc

/// A failed system call, named with its argument, e.g. "connect(127.0.0.1:8080): Connection refused".
/// The one error every module turns an errno into.
public struct SystemCallError: Error, CustomStringConvertible, Sendable, Equatable {
    public let call: String
    /// The errno, or 0 when the failure has none (getaddrinfo's own codes).
    public let errno: Int32
    public let reason: String

    public init(_ call: String, errno: Int32 = Glibc.errno) {
        self.init(call, errno: errno, reason: String(cString: strerror(errno)))
    }

    public init(_ call: String, errno: Int32 = 0, reason: String) {
        self.call = call
        self.errno = errno
        self.reason = reason
    }

    public var description: String { "\(call): \(reason)" }
}

/// Runs system calls the way every wrapper here wants: retry on EINTR, throw a
/// `SystemCallError` naming the call on any other failure.
public enum SystemCall {
    /// `body` returns -1 (or any negative value) with errno set on failure.
    @inline(__always) @discardableResult
    public static func retrying<T: BinaryInteger>(_ call: @autoclosure () -> String, _ body: () -> T) throws -> T {
        while true {
            let result = body()
            if result >= 0 { return result }
            let code = Glibc.errno
            if code != EINTR { throw SystemCallError(call(), errno: code) }
        }
    }
}
