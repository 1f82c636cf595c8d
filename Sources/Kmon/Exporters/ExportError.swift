import Glibc

/// A failure in an exporter, as a sentence: what was being done, and why it failed.
public struct ExportError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }

    /// A failed system call, with its errno spelled out.
    static func system(_ call: String, _ context: String, errno code: Int32 = Glibc.errno) -> ExportError {
        ExportError("\(context): \(call) failed: \(String(cString: strerror(code)))")
    }
}
