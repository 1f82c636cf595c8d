import BPF
import CKmonEvents
import CLibbpf
import Foundation
import Glibc
import KmonBPFObjects
import KmonSupport
import Testing

/// The whole BPF path on a real hook: embedded CO-RE object → load → attach to
/// tp_btf/sock_send_length → a real socket write → the event in the ring buffer → run
/// statistics → detach, with nothing of ours left in the kernel.
@Suite(.serialized, Privileged.enabled)
struct SelftestProbeTests {
    final class Collected: @unchecked Sendable {
        let lock = NSLock()
        var events: [selftest_event] = []
        func append(_ e: selftest_event) { lock.withLock { events.append(e) } }
        var all: [selftest_event] { lock.withLock { events } }
    }

    @Test func sendIsSeenWithPidAndBytesThenDetachLeavesNothing() throws {
        try Privileged.check()
        _ = KernelMounts.check(mountMissing: true)
        let stats = try BPFStats()
        defer { stats.close() }

        let object = try BPFObject(elf: try #require(EmbeddedBPF.object(named: "selftest")), name: "selftest")
        try object.setGlobal("targ_tgid", to: UInt32(getpid()))
        try object.load()
        let program = try object.program("selftest_send")
        let link = try program.attach()
        let linkID = try link.kernelID()
        let programID = try program.kernelID()
        #expect(KernelObjects.links().contains { $0.id == linkID && $0.programID == programID })

        let collected = Collected()
        let consumer = try RingBufferConsumer(map: try object.map("events")) { sample in
            if let event = try? EventDecoder(ring: "selftest").load(sample, as: selftest_event.self, "event") { collected.append(event) }
        }

        let pair = try LoopbackPair()
        defer { pair.close() }
        let cookie = LoopbackPair.cookie(of: pair.client)
        let before = try program.runStats()
        let payload = [UInt8](repeating: 0x6b, count: 1234)
        let started = MonotonicClock.now()
        #expect(send(pair.client, payload, payload.count, 0) == 1234)
        let sender = try currentThreadID()

        var mine: selftest_event?
        for _ in 0..<50 where mine == nil {
            try consumer.poll(timeoutMilliseconds: 20)
            mine = collected.all.first { $0.cookie == cookie }
        }
        let event = try #require(mine, "no event for our socket arrived through the ring buffer")
        #expect(event.tgid == UInt32(getpid()))
        #expect(event.tid == sender)
        #expect(event.bytes == 1234)
        #expect(event.timestamp_ns >= started)
        #expect(try object.map("lost").sumPerCPUCounter() == 0)

        let runs = try program.runStats().since(before)
        #expect(runs.runCount >= 1)
        #expect(runs.runTimeNanoseconds > 0)

        try link.detach()
        #expect(!link.isAttached)
        #expect(!KernelObjects.links().contains { $0.id == linkID || $0.programID == programID })
        #expect(!openFileDescriptorsAreLinks(linkID: linkID))
    }

    /// The background consumer delivers events and stops cleanly; closing everything returns
    /// every file descriptor the object, link and ring opened.
    @Test func backgroundConsumerStopsAndNothingLeaks() throws {
        try Privileged.check()
        let fdsBefore = openFileDescriptorCount()
        do {
            let object = try BPFObject(elf: try #require(EmbeddedBPF.object(named: "selftest")), name: "selftest")
            try object.setGlobal("targ_tgid", to: UInt32(getpid()))
            try object.load()
            let link = try object.program("selftest_send").attach()
            let collected = Collected()
            let consumer = try RingBufferConsumer(map: try object.map("events")) { sample in
                if let event = try? EventDecoder(ring: "selftest").load(sample, as: selftest_event.self, "event") { collected.append(event) }
            }
            consumer.start()
            let pair = try LoopbackPair()
            let cookie = LoopbackPair.cookie(of: pair.client)
            for size in 1...20 { _ = send(pair.client, [UInt8](repeating: 1, count: size), size, 0) }
            for _ in 0..<100 where collected.all.filter({ $0.cookie == cookie }).count < 20 { usleep(10_000) }
            consumer.stop()
            pair.close()
            #expect(collected.all.filter { $0.cookie == cookie }.map(\.bytes) == Array(1...20).map(Int32.init))
            try link.detach()
        }
        #expect(openFileDescriptorCount() == fdsBefore)
    }

    func openFileDescriptorCount() -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).count
    }

    @Test func statisticsAreRestoredWhenClosed() throws {
        try Privileged.check()
        let path = "/proc/sys/kernel/bpf_stats_enabled"
        let before = try String(contentsOfFile: path, encoding: .utf8)
        let stats = try BPFStats()
        stats.close()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == before)
    }

    /// /proc/self/fdinfo shows `link_id:` for BPF link descriptors; none may remain for ours.
    func openFileDescriptorsAreLinks(linkID: UInt32) -> Bool {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fdinfo")) ?? []
        return fds.contains { fd in
            let info = (try? String(contentsOfFile: "/proc/self/fdinfo/\(fd)", encoding: .utf8)) ?? ""
            return info.contains("link_id:\t\(linkID)\n")
        }
    }
}

/// The kernel thread id of the calling thread, from /proc/thread-self (".../task/TID").
func currentThreadID() throws -> UInt32 {
    let target = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self")
    return try #require(UInt32(target.split(separator: "/").last ?? ""))
}
