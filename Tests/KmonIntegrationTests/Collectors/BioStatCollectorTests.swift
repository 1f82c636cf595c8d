import BPF
import Foundation
import Glibc
import KmonCollectors
import Testing

@Suite("biostat collector", Privileged.enabled)
struct BioStatCollectorTests {
    /// The block device behind `path`'s filesystem as `major:minor`, if it is a real one.
    static func blockDevice(of path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let major = (info.st_dev >> 8) & 0xfff | (info.st_dev >> 32) & ~0xfff
        let minor = info.st_dev & 0xff | (info.st_dev >> 12) & ~0xff
        let device = "\(major):\(minor)"
        return FileManager.default.fileExists(atPath: "/sys/dev/block/\(device)") ? device : nil
    }

    @Test("a synced write shows up for this process and its device, with a latency histogram")
    func syncedWrite() throws {
        try Privileged.check()
        let dir = FileManager.default.temporaryDirectory.path
        guard let device = Self.blockDevice(of: dir) else {
            // Tmpfs or overlay without a block device: no block I/O can be caused here.
            print("skipped: \(dir) is not on a block device, so a write causes no block I/O")
            return
        }
        let collector = try BioStatCollector(settings: CollectorSettings(verbosity: 2, filter: CollectorTestSupport.thisProcess))
        try collector.start()
        let programs = try CollectorTestSupport.programIDs(collector)

        let path = "\(dir)/kmon-biostat-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let size = 256 * 1024
        let fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o600)
        #expect(fd >= 0)
        defer { unlink(path) }
        let data = [UInt8](repeating: 0x5a, count: size)
        #expect(data.withUnsafeBytes { write(fd, $0.baseAddress, size) } == size)
        #expect(fsync(fd) == 0)
        close(fd)

        var row: BioStatReport.Row?
        _ = try CollectorTestSupport.waitUntil {
            row = try collector.snapshot().processes.first { $0.pid == getpid() && $0.operation == "write" && $0.device == device }
            return (row?.bytes ?? 0) >= UInt64(size)
        }
        let report = try collector.snapshot()
        try collector.stop()
        #expect(CollectorTestSupport.linksLeft(for: programs).isEmpty)

        let mine = try #require(row, "no write by pid \(getpid()) on \(device) in \(report.processes)")
        #expect(mine.bytes >= UInt64(size))
        #expect(mine.count >= 1 && mine.totalNanoseconds > 0 && mine.maxNanoseconds > 0)
        #expect(mine.histogram?.total == mine.count)
        let deviceRow = try #require(report.devices.first { $0.device == device && $0.operation == "write" })
        #expect(deviceRow.bytes >= mine.bytes)
        #expect(deviceRow.deviceName != nil)
    }
}
