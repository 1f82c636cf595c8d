import KmonSupport

/// Switching a loaded session's hooks on and off without reloading it, so the bench can
/// alternate arms in place inside one load run (docs/bench.md). Loading takes tens of ms and
/// resets the programs' state; attaching or detaching links takes well under one, except the
/// syscall variant's detach: its 21 perf-event tracepoints each wait a grace period (about 1 s).
extension TcpreqSession {
    public var isAttached: Bool { !links.isEmpty }

    /// Attaches every hook. A no-op while attached or after `stop()`.
    public func attach() throws {
        guard !isStopped, links.isEmpty else { return }
        do {
            try attachAll()
        } catch {
            detachAll()
            throw error
        }
        if attachedAtNanoseconds == 0 { attachedAtNanoseconds = MonotonicClock.now() }
    }

    /// Detaches every hook; the programs, maps and consumer stay. A no-op while detached.
    public func detach() {
        detachAll()
    }
}
