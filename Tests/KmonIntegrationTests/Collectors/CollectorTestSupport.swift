import BPF
import Foundation
import Glibc
import KmonCollectors
import KmonSystem

enum CollectorTestSupport {
    /// Polls `condition` until it holds or `seconds` pass; returns whether it held.
    static func waitUntil(seconds: Double = 5, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date(timeIntervalSinceNow: seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(20_000)
        }
        return try condition()
    }

    /// Ids of the programs a collector attached, to check that stop() leaves no link to them.
    static func programIDs(_ collector: any Collector) throws -> Set<UInt32> {
        Set(try collector.programStats().map(\.id))
    }

    static func linksLeft(for programs: Set<UInt32>) -> [KernelObjects.Link] {
        KernelObjects.links().filter { programs.contains($0.programID) }
    }

    static var thisProcess: ListenFilter { ListenFilter(pids: [getpid()]) }
}

/// A forked child that blocks until `release()`, then runs `body` (async-signal-safe calls
/// only: it is a fork of a multithreaded process) and exits. Its pid is known before it acts,
/// so a collector can filter on it first.
final class ForkedChild {
    let pid: pid_t
    private let gate: Int32

    /// `prepare` runs in the child before it blocks, e.g. to rename itself.
    init(prepare: (@convention(c) () -> Void)? = nil, _ body: @convention(c) () -> Void) throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw SystemCallError("pipe") }
        let child = fork()
        if child == 0 {
            close(fds[1])
            prepare?()
            var byte: UInt8 = 0
            _ = read(fds[0], &byte, 1)
            body()
            _exit(0)
        }
        close(fds[0])
        guard child > 0 else {
            let error = SystemCallError("fork")
            close(fds[1])
            throw error
        }
        pid = child
        gate = fds[1]
    }

    private var released = false

    /// A child never released (a test failed first) is killed and reaped, not left behind.
    deinit {
        if !released {
            kill(pid, SIGKILL)
            close(gate)
            waitpid(pid, nil, 0)
        }
    }

    /// Lets the child run `body`, and waits for it to exit.
    func release() -> Int32 {
        released = true
        var byte: UInt8 = 1
        _ = write(gate, &byte, 1)
        close(gate)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return status
    }
}

/// The calling thread's kernel id: glibc's gettid (2.30+), which its headers hide from Swift.
@_silgen_name("gettid") func kernelThreadID() -> Int32
