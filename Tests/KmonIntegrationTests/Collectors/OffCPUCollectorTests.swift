import BPF
import Foundation
import Glibc
import Kmon
import Testing

@Suite("offcpu collector", Privileged.enabled)
struct OffCPUCollectorTests {
    static let sleeps = 10
    static let sleepMicroseconds: UInt32 = 17_000

    /// Runs a thread that sleeps `sleeps` × 17 ms and returns its tid.
    static func sleeper() -> Int32 {
        final class Box: @unchecked Sendable { var tid: Int32 = 0 }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            box.tid = currentThreadID()
            for _ in 0..<sleeps { usleep(sleepMicroseconds) }
            done.signal()
        }
        thread.start()
        done.wait()
        return box.tid
    }

    @Test("a thread sleeping 17 ms lands in the 16-32 ms bucket, with its kernel stack")
    func sleepingThread() throws {
        try Privileged.check()
        let collector = try OffCPUCollector(settings: CollectorSettings(
            verbosity: 3, filter: CollectorTestSupport.thisProcess))
        try collector.start()
        let programs = try CollectorTestSupport.programIDs(collector)
        let tid = Self.sleeper()
        let report = try collector.snapshot()
        try collector.stop()
        #expect(CollectorTestSupport.linksLeft(for: programs).isEmpty)

        let thread = try #require(report.threads.first { $0.tid == tid })
        #expect(thread.pid == getpid())
        // Each nap is at least 17 ms, so none may land below the 16.4-32.8 ms bucket; a busy
        // machine can wake a sleeper late, so only most of them must land inside it.
        let bucket = try #require(thread.histogram.bucket(containing: UInt64(Self.sleepMicroseconds)))
        #expect(bucket.low == 16_384 && bucket.high == 32_768)
        #expect(bucket.count >= UInt64(Self.sleeps / 2))
        let atLeastBucket = thread.histogram.buckets.filter { $0.low >= 16_384 }.reduce(0) { $0 + $1.count }
        #expect(atLeastBucket >= UInt64(Self.sleeps))
        #expect(thread.totalNanoseconds >= UInt64(Self.sleeps) * UInt64(Self.sleepMicroseconds) * 1000)

        let stacks = report.stacks.filter { $0.tid == tid }
        let frames = stacks.flatMap { $0.kernelStack ?? [] }
        #expect(frames.contains { $0.contains("nanosleep") }, "kernel stacks of the sleeper: \(stacks)")
        #expect(stacks.contains { ($0.userStack ?? []).isEmpty == false } || report.lost.stackOther > 0)
    }

    @Test("state and duration filters keep only what they name")
    func filters() throws {
        try Privileged.check()
        var settings = CollectorSettings(verbosity: 1, filter: CollectorTestSupport.thisProcess)
        settings.offCPU = OffCPUOptions(states: [.uninterruptible])
        let dOnly = try OffCPUCollector(settings: settings)
        settings.offCPU = OffCPUOptions(minNanoseconds: 10_000_000, maxNanoseconds: 1_000_000_000)
        let window = try OffCPUCollector(settings: settings)
        try dOnly.start()
        try window.start()
        let tid = Self.sleeper()
        let dReport = try dOnly.snapshot(), windowReport = try window.snapshot()
        try dOnly.stop()
        try window.stop()

        // usleep sleeps interruptibly (S): the D-only collector must not see those 17 ms naps.
        let dThread = dReport.threads.first { $0.tid == tid }
        #expect(dThread?.histogram.bucket(containing: 17_000) == nil)
        let windowed = try #require(windowReport.threads.first { $0.tid == tid })
        #expect(windowed.histogram.buckets.allSatisfy { $0.high > 10_000 && $0.low <= 1_000_000 })
        #expect(windowed.count >= UInt64(Self.sleeps))
    }
}
