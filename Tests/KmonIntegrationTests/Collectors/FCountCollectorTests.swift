import BPF
import Foundation
import Glibc
import KmonCollectors
import KmonFeatures
import Testing

/// The child's writes: exactly this many write(2) calls to /dev/null.
private let childWrites = 37

/// The child every test counts: `childWrites` writes of one byte to /dev/null, once released.
private func writeToDevNull() {
    let fd = open("/dev/null", O_WRONLY)
    var byte: UInt8 = 0
    for _ in 0..<childWrites { _ = write(fd, &byte, 1) }
}

/// Starts fcount on write(2) under `filter`, releases `child` and returns the writes counted.
private func writesCounted(of child: ForkedChild, under filter: ListenFilter) throws -> UInt64? {
    let collector = try FCountCollector(settings: CollectorSettings(filter: filter, fcountEvents: ["syscalls:sys_enter_write"]))
    try collector.start()
    defer { try? collector.stop() }
    #expect(child.release() == 0)
    return try collector.count(of: .tracepoint(category: "syscalls", name: "sys_enter_write"))
}

@Suite("fcount collector", Privileged.enabled)
struct FCountCollectorTests {
    @Test("counts exactly the writes of one filtered process")
    func countsExactWrites() throws {
        try Privileged.check()
        let child = try ForkedChild(writeToDevNull)
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

    @Test("a cgroup filter counts only the writes of a process in that cgroup")
    func cgroupFilter() throws {
        try Privileged.check()
        let root = try #require(KernelMounts.cgroup2Path(), "no cgroup v2 hierarchy mounted")
        let cgroup = "\(root)/kmon-fcount-\(getpid())"
        #expect(mkdir(cgroup, 0o755) == 0)
        defer { rmdir(cgroup) }
        let child = try ForkedChild(writeToDevNull)
        try "\(child.pid)".write(toFile: "\(cgroup)/cgroup.procs", atomically: false, encoding: .utf8)
        #expect(try writesCounted(of: child, under: ListenFilter(cgroup: cgroup)) == UInt64(childWrites))
    }

    @Test("a cgroup filter watches the cgroup's subtree: a process in a child cgroup counts, as in tcpreq")
    func cgroupFilterCoversChildCgroups() throws {
        try Privileged.check()
        let root = try #require(KernelMounts.cgroup2Path(), "no cgroup v2 hierarchy mounted")
        let parent = "\(root)/kmon-fcount-parent-\(getpid())", child = "\(parent)/child"
        #expect(mkdir(parent, 0o755) == 0)
        defer { rmdir(parent) }
        #expect(mkdir(child, 0o755) == 0)
        defer { rmdir(child) }
        let writer = try ForkedChild(writeToDevNull)
        try "\(writer.pid)".write(toFile: "\(child)/cgroup.procs", atomically: false, encoding: .utf8)
        #expect(try writesCounted(of: writer, under: ListenFilter(cgroup: parent)) == UInt64(childWrites))
    }

    @Test("a comm regex filter finds the process in /proc and counts exactly its writes")
    func commFilter() throws {
        try Privileged.check()
        let child = try ForkedChild(prepare: {
            // Renames the child before the collector scans /proc (this write is not counted).
            let fd = open("/proc/self/comm", O_WRONLY)
            _ = "kmon-commtest".withCString { write(fd, $0, 13) }
            close(fd)
        }, writeToDevNull)
        // The child renames itself right after fork; wait until /proc shows it.
        #expect(CollectorTestSupport.waitUntil { (try? String(contentsOfFile: "/proc/\(child.pid)/comm", encoding: .utf8)) == "kmon-commtest\n" })
        #expect(try writesCounted(of: child, under: ListenFilter(comm: "^kmon-commtest$")) == UInt64(childWrites))
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
