import BPF
import Foundation
import Glibc
import KmonCollectors
import KmonSupport
import KmonTcpreq
import Testing

/// The bench switches arms in place (docs/bench.md): each switch must take under 50 ms, the
/// detached programs must stop running at once while traffic flows (no cost lands on the next
/// phase), and stop() must leave no link behind, even with closes an earlier detach started.
@Suite("switching in milliseconds", .serialized)
struct SwitchTimeTests {
    static let limitNanoseconds: UInt64 = 50_000_000
    /// The bench discards at least this much after each switch (`--settle`, 80 ms with --quick):
    /// a program's last runs must fall inside it. Measured: 0–27 ms on the shared 2-core VM.
    /// Where another process's programs share a tracepoint, an unhook waits for an RCU grace
    /// period under the kernel's tracepoint mutex: once 300 ms, with six busy loops beside.
    static let stopLimitNanoseconds: UInt64 = 80_000_000
    static let cycles = 3

    /// Times `body` in ns.
    static func timed(_ body: () throws -> Void) rethrows -> UInt64 {
        let start = MonotonicClock.now()
        try body()
        return MonotonicClock.now() - start
    }

    /// Watches the run count for 300 ms after a detach; returns how long after `detachEnd` it
    /// last grew (0 if it never did).
    static func lastRunAfter(detachEnd: UInt64, runs: () throws -> UInt64) throws -> UInt64 {
        var last = try runs(), lastGrowth = detachEnd
        while MonotonicClock.now() - detachEnd < 300_000_000 {
            usleep(1000)
            let now = try runs()
            if now != last { last = now; lastGrowth = MonotonicClock.now() }
        }
        return lastGrowth - detachEnd
    }

    @Test("a tcpreq variant switches off and on in under 50 ms, and its programs stop at the detach", Privileged.enabled,
          arguments: ProbeVariant.allCases)
    func tcpreqSwitches(variant: ProbeVariant) throws {
        try Privileged.check()
        if let reason = TcpreqSession.unavailableReason(variant) {
            print("\(variant): not run, the kernel refuses it: \(reason)")
            return
        }
        let exchange = try LoopbackExchange(serverDelayMicroseconds: 0)
        exchange.start()
        defer { exchange.close() }
        let traffic = Traffic(exchange)
        defer { traffic.stop() }
        let session = try TcpreqSession.start(
            TcpreqConfiguration(variant: variant, mode: .kernel, filters: TcpreqFilters(ports: [exchange.port], excludeSelf: false),
                                keepSpans: false), attached: false)
        var programIDs: [UInt32] = []
        do {
            programIDs = try session.loadedProgramIDs()
            func runs() throws -> UInt64 { try session.programStats().reduce(0) { $0 + $1.runCount } }
            for cycle in 0..<Self.cycles {
                let attach = try Self.timed { try session.attach() }
                #expect(attach < Self.limitNanoseconds, "\(variant) cycle \(cycle): attach took \(attach / 1000) µs")
                let attachedRuns = try runs()
                usleep(200_000)
                #expect(try runs() > attachedRuns, "\(variant) cycle \(cycle): no program ran while attached")
                let detach = Self.timed { session.detach() }
                #expect(detach < Self.limitNanoseconds, "\(variant) cycle \(cycle): detach took \(detach / 1000) µs")
                #expect(!session.isAttached)
                // The programs stop within ms of the detach, long before their links' closes return.
                let stoppedAfter = try Self.lastRunAfter(detachEnd: MonotonicClock.now(), runs: runs)
                print("\(variant) cycle \(cycle): attach \(attach / 1000) µs, detach \(detach / 1000) µs, last run \(stoppedAfter / 1000) µs after")
                #expect(stoppedAfter < Self.stopLimitNanoseconds, "\(variant) cycle \(cycle): programs ran \(stoppedAfter / 1000) µs after detach")
            }
            #expect(traffic.requests > 0, "no traffic flowed")
            // Closes from the last detach may still be pending: stop() waits for every one.
            session.detach()
            try session.attach()
            try session.stop()
        } catch {
            try? session.stop()
            throw error
        }
        let left = KernelObjects.links().filter { programIDs.contains($0.programID) }
        #expect(left.isEmpty, "\(variant): links left after stop: \(left)")
    }

    @Test("a collector switches off and on in under 50 ms, and stops counting at the detach", Privileged.enabled)
    func collectorSwitches() throws {
        try Privileged.check()
        let event = FCountEvent.tracepoint(category: "syscalls", name: "sys_enter_getppid")
        let collector = try FCountCollector(settings: CollectorSettings(
            filter: CollectorTestSupport.thisProcess, fcountEvents: ["syscalls:sys_enter_getppid"]))
        try collector.start()
        let programs = try CollectorTestSupport.programIDs(collector)
        do {
            for cycle in 0..<Self.cycles {
                let detach = try Self.timed { try collector.setAttached(false) }
                #expect(detach < Self.limitNanoseconds, "cycle \(cycle): detach took \(detach / 1000) µs")
                usleep(30_000)
                let stopped = try #require(try collector.count(of: event))
                for _ in 0..<1000 { _ = getppid() }
                #expect(try collector.count(of: event) == stopped, "cycle \(cycle): counted after detach")
                // The detached perf-event links close in the background, holding a kernel mutex for
                // one RCU grace period each; an attach meanwhile waits behind them. After a long run
                // of BPF tests the grace period outlasts the 30 ms above (attach took 52 ms in two
                // full suites, 5–9 ms alone), so the attach is timed once those closes are done.
                LinkReleaser.waitForAll()
                let attach = try Self.timed { try collector.setAttached(true) }
                #expect(attach < Self.limitNanoseconds, "cycle \(cycle): attach took \(attach / 1000) µs")
                for _ in 0..<1000 { _ = getppid() }
                #expect(try collector.count(of: event) == stopped + 1000, "cycle \(cycle): attached, but did not count")
            }
            try collector.setAttached(false)
            try collector.stop()
        } catch {
            try? collector.stop()
            throw error
        }
        #expect(CollectorTestSupport.linksLeft(for: programs).isEmpty)
    }
}

/// Requests on loopback, one connection after another, on a thread of its own until `stop()`.
final class Traffic: @unchecked Sendable {
    private let done = StopToken()
    private let finished = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var count = 0

    init(_ exchange: LoopbackExchange) {
        let thread = Thread { [self] in
            while !done.isStopped {
                let answered = (try? exchange.runClient(requests: 20).count) ?? 0
                lock.withLock { count += answered }
            }
            finished.signal()
        }
        thread.start()
    }

    var requests: Int { lock.withLock { count } }

    func stop() {
        guard !done.isStopped else { return }
        done.stop(reason: "test done")
        finished.wait()
    }
}
