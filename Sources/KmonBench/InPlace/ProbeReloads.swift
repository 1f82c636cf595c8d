import Foundation
import KmonSupport

/// Loads every probe arm's objects afresh at block boundaries, so placement becomes noise.
///
/// Separately loaded copies of identical objects differ by 7–11% in ns/run within one run, by
/// where their code and maps land (issue 24). With one load per arm for the whole run that
/// offset is a bias no block-to-block spread shows; loaded again every few blocks, it varies
/// inside the run and lands in the CIs and in the A/A pair. The old copies are detached already;
/// they are unloaded on a background thread, because closing links and freeing programs waits
/// for RCU grace periods (hundreds of ms) that would otherwise stall the run. `finish()` waits
/// for them all: every run calls it before returning, interrupted or not.
final class ProbeReloads: @unchecked Sendable {
    /// Every 2 blocks by default: a quick level of 10 blocks sees 5 loads of each arm (enough
    /// for their spread to show), while loading (tens of ms of CPU per arm, verifier included)
    /// stays off the measured windows and adds about one load per arm per 2 blocks to the run.
    static let defaultEvery = 2

    private let load: (BenchArm) throws -> ArmProbe?
    private let queue = DispatchQueue(label: "kmon-bench-unload")
    private let pending = DispatchGroup()
    private let lock = NSLock()
    private var loads: [BenchArm: Int] = [:]
    /// Reloads of all probes done, and the time they took (loading only: unloads are off-thread).
    private(set) var reloads = 0
    private(set) var loadingSeconds = 0.0

    /// `load` loads one arm's objects, detached, as at the start of the run.
    init(load: @escaping (BenchArm) throws -> ArmProbe?) {
        self.load = load
    }

    /// Whether `phase` opens a block that reloads: every `every` blocks of a load level or of
    /// saturation, never the first block of a run (its objects are fresh) nor knee phases.
    func isDue(_ phase: ScheduledRun, previousBlock: Int?, every: Int) -> Bool {
        if case .knee = phase.level { return false }
        guard every > 0, let previousBlock, previousBlock != phase.block else { return false }
        return phase.block % every == 0
    }

    /// Which load of `arm`'s objects is current: 0 for the first.
    func loadIndex(_ arm: BenchArm) -> Int { lock.withLock { loads[arm] ?? 0 } }

    /// Replaces every probe (all detached) with a fresh load and retires the old copies. A
    /// failed load keeps the old copy of that arm and of every arm not yet reloaded.
    func reload(_ probes: inout [BenchArm: ArmProbe]) throws {
        let start = MonotonicClock.now()
        defer {
            reloads += 1
            loadingSeconds += Double(MonotonicClock.now() - start) / 1e9
        }
        for arm in probes.keys.sorted(by: { $0.name < $1.name }) {
            guard let fresh = try load(arm) else { continue }
            let old = probes.updateValue(fresh, forKey: arm)
            lock.withLock { loads[arm, default: 0] += 1 }
            if let old { retire(old) }
        }
    }

    /// Unloads a detached probe off the caller's thread.
    func retire(_ probe: ArmProbe) {
        queue.async(group: pending) { probe.unload() }
    }

    /// Waits until every retired probe is unloaded.
    func finish() {
        pending.wait()
    }
}
