import Foundation
import KmonSupport
import KmonSystem
import KmonWorkload

/// Stops the run's load early when a service dies or the bench is interrupted, and says which
/// service died and when.
final class DeathWatcher: @unchecked Sendable {
    private let done = StopToken()
    private let finished = DispatchSemaphore(value: 0)
    private var death: String?

    init(workload: RunningWorkload, bench: StopToken, run: StopToken, benchStart: UInt64) {
        let thread = Thread { [done, finished] in
            while !done.wait(seconds: 0.02) {
                if workload.serviceExited.isStopped {
                    let seconds = Double(MonotonicClock.now() - benchStart) / 1e9
                    let what = workload.serviceExited.reason?.split(separator: "\n").first.map(String.init) ?? "a service exited"
                    self.death = String(format: "%@, %.1f s into the bench", what, seconds)
                    run.stop(reason: self.death!)
                    break
                }
                if bench.isStopped {
                    run.stop(reason: bench.reason ?? "interrupted")
                    break
                }
            }
            finished.signal()
        }
        thread.name = "kmon-bench-watch"
        thread.start()
    }

    /// Ends the watch; returns the death report, if a service died.
    @discardableResult
    func finish() -> String? {
        done.stop(reason: "run over")
        finished.wait()
        return death
    }
}
