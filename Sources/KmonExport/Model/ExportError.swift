import KmonSystem

/// A failure in an exporter, as a sentence: what was being done, and why it failed.
public struct ExportError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    /// The sink refused the user, password or token: retrying cannot help, and at start
    /// `kmon monitor` exits 65 (bad input) instead of running without the sink.
    public let isBadCredentials: Bool

    public init(_ description: String, isBadCredentials: Bool = false) {
        self.description = description
        self.isBadCredentials = isBadCredentials
    }

    /// A failed system call, and what the exporter was doing.
    init(_ context: String, _ error: SystemCallError) {
        self.init("\(context): \(error)")
    }

    /// A file the exporter would not or could not write.
    init(_ context: String, _ error: OutputFileError) {
        self.init("\(context) \(error)")
    }
}
