import KmonSupport

/// Switching a loaded session's hooks on and off without reloading it, so the bench can
/// alternate arms in place inside one load run (docs/bench.md). Loading takes tens of ms and
/// resets the programs' state; attaching takes about a ms per link, and detaching only starts
/// the closes (`LinkReleaser`): the programs stop within a few ms, while each close's grace
/// period (about 330 ms) runs out in the background.
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
    /// Returns once every link's close has begun; `stop()` waits for them to finish.
    public func detach() {
        detachAll()
    }
}
