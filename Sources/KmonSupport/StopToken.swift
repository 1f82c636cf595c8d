import Foundation

/// A request to stop, shared between the thread that asks (a signal handler, a deadline, a
/// dying child) and the threads doing the work, which check it or wait on it.
public final class StopToken: @unchecked Sendable {
    private let condition = NSCondition()
    private var stopped = false
    private var stopReason: String?

    public init() {}

    public var isStopped: Bool { condition.withLock { stopped } }
    public var reason: String? { condition.withLock { stopReason } }

    /// Requests the stop; the first reason given is kept.
    public func stop(reason: String) {
        condition.withLock {
            if !stopped { stopReason = reason }
            stopped = true
            condition.broadcast()
        }
    }

    /// Sleeps until stopped or until `seconds` pass. Returns true if stopped.
    @discardableResult
    public func wait(seconds: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        return condition.withLock {
            while !stopped && condition.wait(until: deadline) {}
            return stopped
        }
    }
}
