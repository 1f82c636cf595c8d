import Foundation
import Glibc
import KmonTestSupport
import Testing

/// A local user hands the root profiler a binary whose section headers are garbage: the kernel
/// runs it from its program headers, and `kmon monitor` must read its stacks without crashing.
@Suite("a crafted binary run by another user", Privileged.enabled)
struct CraftedBinaryTests {
    @Test("offcpu at level 3 on a binary with e_shoff 2^64-1, run by nobody: exit 0, its frame unnamed and counted as skipped")
    func sectionHeadersPastTheEnd() throws {
        try Privileged.check()
        var template = Array("/tmp/kmon-crafted-XXXXXX".utf8CString)
        let directory = String(cString: try #require(mkdtemp(&template)))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/crafted"
        var elf = CraftedELF()
        elf.shoff = .max // before: Int(UInt64.max) trapped the monitor with SIGILL
        try Data(elf.bytes()).write(to: URL(fileURLWithPath: path))
        #expect(chmod(directory, 0o755) == 0 && chmod(path, 0o755) == 0)

        // setpriv execs the binary in place, so its pid is the crafted program's.
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        sleeper.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", path]
        try sleeper.run()
        defer {
            // SIGKILL: the child inherits the test thread's blocked signals, SIGTERM included.
            kill(sleeper.processIdentifier, SIGKILL)
            sleeper.waitUntilExit()
        }
        let pid = sleeper.processIdentifier
        let running = CollectorTestSupport.waitUntil(seconds: 5) {
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")) == path
        }
        try #require(running, "the crafted binary did not start")

        let run = try runCommand(BuildProducts.executable("kmon"), [
            "monitor", "--collect", "offcpu", "--verbose-level", "offcpu=3", "--pid", "\(pid)", "--duration", "2", "--json",
        ])
        #expect(run.status == 0, "kmon monitor exited \(run.status): \(run.stderr.suffix(2000))")
        #expect(sleeper.isRunning, "the crafted binary itself must still run")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)")
        let offcpu = try #require((json["collectors"] as? [String: Any])?["offcpu"] as? [String: Any])
        let stacks = (offcpu["stacks"] as? [[String: Any]] ?? []).filter { $0["pid"] as? Int == Int(pid) }
        let frames = stacks.flatMap { $0["user_stack"] as? [String] ?? [] }
        let symbols = try #require(offcpu["symbols"] as? [String: Any])
        let refused = symbols["refused_files"] as? [[String: String]] ?? []
        let lost = offcpu["lost"] as? [String: Any] ?? [:]
        // Each 20 ms nap blocks in the crafted code itself: the syscall returns to file offset 0x88.
        #expect(frames.contains("[crafted+0x88]"), "stacks \(stacks), lost \(lost)")
        #expect((symbols["skipped_frames"] as? Int ?? 0) >= 1, "\(symbols)")
        #expect(refused.contains { $0["path"] == path && $0["reason"]?.contains("e_shoff 0xffffffffffffffff") == true }, "\(symbols)")
    }
}
