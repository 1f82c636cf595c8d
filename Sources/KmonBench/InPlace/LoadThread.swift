import Foundation
import KmonLoad
import KmonSupport

/// The load generator on its own thread, so the phase loop can switch arms meanwhile.
final class LoadThread: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var result: Result<LoadSummary, Error>?

    init(_ generator: LoadGenerator) {
        let thread = Thread { [self] in
            let outcome = Result { try generator.run() }
            lock.withLock { result = outcome }
            done.signal()
        }
        thread.name = "kmon-bench-load"
        thread.stackSize = 1 << 20
        thread.start()
    }

    var isFinished: Bool { lock.withLock { result != nil } }

    func join() -> Result<LoadSummary, Error> {
        done.wait()
        return lock.withLock { result! }
    }
}
