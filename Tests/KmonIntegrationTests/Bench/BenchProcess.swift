import CKmonEvents
import CLibbpf
import Foundation
import Glibc

/// A `kmon bench` (or `kmon compare`) child run the way a user runs it, output going to files so
/// a long run never blocks on a full pipe, with what the tests need to look inside it while it
/// runs: its child processes and the BPF links it holds.
final class BenchProcess {
    let process = Process()
    let stdoutURL: URL
    let stderrURL: URL

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    static var chain3: String { repositoryRoot.appendingPathComponent("workloads/chain3.yaml").path }

    init(_ arguments: [String], scratch: URL, environment: [String: String] = [:]) throws {
        stdoutURL = scratch.appendingPathComponent("stdout-\(UUID().uuidString).txt")
        stderrURL = scratch.appendingPathComponent("stderr-\(UUID().uuidString).txt")
        FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.executableURL = BuildProducts.executable("kmon")
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new } }
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    /// Waits for the exit; kills the child and returns nil if it takes longer than `seconds`.
    func wait(seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationStatus
    }

    /// Polls `condition` every 50 ms for up to `seconds`.
    @discardableResult
    func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline && process.isRunning {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }

    /// Processes whose parent is the bench: the services it started.
    func children() -> [(pid: Int32, comm: String)] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry in
            guard let child = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            guard fields.count > 1, Int32(fields[1]) == pid else { return nil }
            return (child, String(stat[stat.index(after: open)..<close]))
        }
    }

    /// Ids of the BPF links the bench holds open (its probes while attached).
    func linkIDs() -> Set<UInt32> {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fdinfo")) ?? []
        var ids = Set<UInt32>()
        for fd in fds {
            guard let info = try? String(contentsOfFile: "/proc/\(pid)/fdinfo/\(fd)", encoding: .utf8) else { continue }
            for line in info.split(separator: "\n") where line.hasPrefix("link_id:") {
                if let id = UInt32(line.dropFirst("link_id:".count).trimmingCharacters(in: .whitespaces)) { ids.insert(id) }
            }
        }
        return ids
    }

    static func linkExists(_ id: UInt32) -> Bool {
        let fd = bpf_link_get_fd_by_id(id)
        if fd >= 0 { close(fd) }
        return fd >= 0
    }

    static func processExists(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }
}
