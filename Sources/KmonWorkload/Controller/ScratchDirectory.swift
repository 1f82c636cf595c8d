import Foundation
import Glibc
import KmonSystem

/// A temporary directory (the bench's records) that is noted in a ledger like a workload's, so
/// if this process dies without removing it (a double Ctrl-C, SIGKILL) the next kmon does:
/// `kmon workload cleanup`, or any workload start.
public final class ScratchDirectory: @unchecked Sendable {
    public let path: String
    private let suffix = "scratch-" + UniqueSuffix.next()
    private var removed = false

    /// Creates `$TMPDIR/kmon-<prefix>-XXXXXX`, 0700, and its ledger.
    public init(prefix: String) throws {
        var template = Array((NSTemporaryDirectory() + "kmon-\(prefix)-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw SystemCallError("mkdtemp(\(NSTemporaryDirectory()))") }
        path = String(cString: made)
        do { try WorkloadLedger(temporaryDirectory: path).save(suffix: suffix) } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
    }

    /// Removes the directory, then its ledger. Idempotent.
    public func remove() {
        guard !removed else { return }
        removed = true
        try? FileManager.default.removeItem(atPath: path)
        WorkloadLedger.remove(suffix: suffix)
    }

    deinit { remove() }
}
