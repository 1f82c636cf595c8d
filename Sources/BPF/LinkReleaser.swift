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

    /// Closes still running.
    public var pendingCount: Int { condition.withLock { pending } }

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
            let thread = Thread { [self] in
                begun.signal()
                var failure: Error?
                do { try BPFError.check(bpf_link__destroy(close.handle), "bpf_link__destroy", "detaching \(close.name)") } catch {
                    failure = error
                }
                finished(error: failure)
            }
            thread.name = "kmon-link-close"
            thread.start()
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
