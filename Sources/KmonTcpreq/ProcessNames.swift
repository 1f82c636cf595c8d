import Foundation
import KmonSystem

/// Process names (comm) by tgid, read once from /proc and cached.
public final class ProcessNames: @unchecked Sendable {
    private var names: [Int32: String] = [:]
    private let lock = NSLock()

    public init() {}

    public func name(of tgid: Int32) -> String {
        lock.withLock {
            if let known = names[tgid] { return known }
            let path = "/proc/\(tgid)/comm"
            let name = ProcFile.read(path)?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? "pid \(tgid)"
            names[tgid] = name
            return name
        }
    }
}
