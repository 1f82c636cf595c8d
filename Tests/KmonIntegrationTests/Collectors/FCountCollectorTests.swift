import BPF
import Foundation
import Glibc
import Kmon
import Testing

/// The child's writes: exactly this many write(2) calls to /dev/null.
private let childWrites = 37

@Suite("fcount collector", Privileged.enabled)
struct FCountCollectorTests {
    @Test("counts exactly the writes of one filtered process")
    func countsExactWrites() throws {
        try Privileged.check()
        let child = try ForkedChild {
            let fd = open("/dev/null", O_WRONLY)
            var byte: UInt8 = 0
            for _ in 0..<37 { _ = write(fd, &byte, 1) }
        }
        let collector = try FCountCollector(settings: CollectorSettings(
            filter: ListenFilter(pids: [child.pid]),
            fcountEvents: ["syscalls:sys_enter_write", "syscalls:sys_enter_openat"]))
        try collector.start()
        let programs = try CollectorTestSupport.programIDs(collector)
        #expect(child.release() == 0)

        let writes = try collector.count(of: .tracepoint(category: "syscalls", name: "sys_enter_write"))
        #expect(writes == UInt64(childWrites))
        #expect(try collector.count(of: .tracepoint(category: "syscalls", name: "sys_enter_openat")) == 1)
        let report = try collector.snapshot()
        #expect(report.counts.map(\.event) == ["syscalls:sys_enter_write", "syscalls:sys_enter_openat"])

        try collector.stop()
        #expect(CollectorTestSupport.linksLeft(for: programs).isEmpty)
    }

    @Test("an unknown tracepoint is a clear error naming it")
    func unknownTracepoint() throws {
        try Privileged.check()
        let collector = try FCountCollector(settings: CollectorSettings(fcountEvents: ["syscalls:sys_enter_nonesuch"]))
        let error = #expect(throws: CollectorError.self) { try collector.start() }
        #expect(error?.description.contains("unknown tracepoint \"syscalls:sys_enter_nonesuch\"") == true)
    }

    @Test("kprobe events are reported unavailable with the kernel's reason where kprobes are missing")
    func kprobeUnavailable() throws {
        try Privileged.check()
        let kprobes = HookProbe.check(.kprobe)
        let collector = try FCountCollector(settings: CollectorSettings(
            filter: CollectorTestSupport.thisProcess,
            fcountEvents: ["kprobe:tcp_sendmsg", "syscalls:sys_enter_getppid"]))
        try collector.start()
        defer { try? collector.stop() }
        let report = try collector.snapshot()
        if kprobes.available {
            #expect(report.unavailable.isEmpty)
        } else {
            #expect(report.unavailable.map(\.event) == ["kprobe:tcp_sendmsg"])
            #expect(report.unavailable.first?.reason.contains(kprobes.reason ?? "?") == true)
            #expect(report.counts.map(\.event) == ["syscalls:sys_enter_getppid"])
        }
    }
}
