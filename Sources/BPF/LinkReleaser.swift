import CLibbpf
import Foundation
import Glibc

/// Closes links off the caller's thread, all at once, so a switch does not wait for them.
///
/// Closing a raw tracepoint or tp_btf link waits for an RCU grace period (~330 ms measured on
/// the 2-core VM) after the kernel has already unhooked the program, and perf-event links
/// serialize on a kernel mutex (~35 ms each). `release` hands each link to its own thread and
/// returns once every close has begun: the programs stop within a few ms while the grace
/// periods run out in the background. `wait` blocks until every close has returned; whoever
/// must leave no link behind (a session's or collector's stop) calls it, and the process waits
/// for all pending closes at exit.
public final class LinkReleaser: @unchecked Sendable {
    private let condition = NSCondition()
    private var pending = 0
    private var firstError: Error?

    public init() {}

    /// Starts closing `links` (each on its own thread) and returns once every close has begun.
    /// Each link is detached at once from the caller's view (`isAttached` is false). A close's
    /// error is kept for `wait`.
    public func release(_ links: [BPFLink]) {
        let closes = links.compactMap { link in link.takeHandle().map { Close(handle: $0, name: link.program.name) } }
        guard !closes.isEmpty else { return }
        Self.registerExitWait()
        let begun = DispatchSemaphore(value: 0)
        condition.withLock { pending += closes.count }
        Self.global.withLock { Self.globalPending += closes.count }
        for close in closes {
            CloseThread.start { [self] in
                begun.signal()
                var failure: Error?
                do { try BPFError.check(bpf_link__destroy(close.handle), "bpf_link__destroy", "detaching \(close.name)") } catch {
                    failure = error
                }
                finished(error: failure)
            }
        }
        for _ in closes { begun.wait() }
    }

    /// Blocks until every close started so far has returned; throws the first close's error
    /// (once).
    public func wait() throws {
        let error: Error? = condition.withLock {
            while pending > 0 { condition.wait() }
            defer { firstError = nil }
            return firstError
        }
        if let error { throw error }
    }

    private func finished(error: Error?) {
        condition.withLock {
            pending -= 1
            if firstError == nil { firstError = error }
            condition.broadcast()
        }
        Self.global.withLock {
            Self.globalPending -= 1
            Self.global.broadcast()
        }
    }

    /// A libbpf link handle crossing to its closing thread, which alone uses it from then on.
    private struct Close: @unchecked Sendable {
        let handle: OpaquePointer
        let name: String
    }

    // MARK: process exit

    /// Closes pending in every releaser, so exit can wait for them all.
    private static let global = NSCondition()
    nonisolated(unsafe) private static var globalPending = 0
    nonisolated(unsafe) private static var exitWaitRegistered = false

    /// Blocks until every close of every releaser in the process has returned.
    public static func waitForAll() {
        global.withLock {
            while globalPending > 0 { global.wait() }
        }
    }

    private static func registerExitWait() {
        global.withLock {
            guard !exitWaitRegistered else { return }
            exitWaitRegistered = true
            atexit { LinkReleaser.waitForAll() }
        }
    }
}

/// A detached thread for one close. Real-time priority where allowed (root): on a saturated
/// machine a new ordinary thread waited up to hundreds of ms for a CPU, and the switch and the
/// old programs with it. The thread runs only until the close sleeps on its grace period.
private enum CloseThread {
    private final class Body {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    static func start(_ run: @escaping () -> Void) {
        let body = Unmanaged.passRetained(Body(run)).toOpaque()
        let entry: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = { raw in
            let body = Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue()
            body.run()
            return nil
        }
        var attributes = pthread_attr_t(), realTime = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_init(&realTime)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        pthread_attr_setdetachstate(&realTime, Int32(PTHREAD_CREATE_DETACHED))
        defer {
            pthread_attr_destroy(&attributes)
            pthread_attr_destroy(&realTime)
        }
        var thread = pthread_t()
        var parameter = sched_param(sched_priority: 1)
        pthread_attr_setinheritsched(&realTime, Int32(PTHREAD_EXPLICIT_SCHED))
        pthread_attr_setschedpolicy(&realTime, SCHED_FIFO)
        pthread_attr_setschedparam(&realTime, &parameter)
        if pthread_create(&thread, &realTime, entry, body) == 0 { return }
        if pthread_create(&thread, &attributes, entry, body) == 0 { return }
        // No thread at all: close here, as BPFLink.detach() would.
        Unmanaged<Body>.fromOpaque(body).takeRetainedValue().run()
    }
}
