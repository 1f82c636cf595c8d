import Foundation
import Glibc
import KmonTcpreq

/// `kmon monitor` as a child process, output in temporary files.
final class ChildMonitor {
    private let process = Process()
    private let directory: URL

    init(arguments: [String], environment: [String: String] = [:]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kmon-monitor-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        process.executableURL = BuildProducts.executable("kmon")
        process.arguments = ["monitor"] + arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new } }
        for name in ["stdout", "stderr"] { _ = FileManager.default.createFile(atPath: path(name), contents: nil) }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: path("stdout")))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: path("stderr")))
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    private func read(_ name: String) -> String { (try? String(contentsOfFile: path(name), encoding: .utf8)) ?? "" }
    var stderr: String { read("stderr") }
    var stdout: String { read("stdout") }

    /// Waits for a monitor started with `--duration` to end by itself; its exit status.
    func waitForExit() -> Int32 {
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// The live view appears once the probes are attached.
    func waitUntilWatching(timeout: Double) throws {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while !read("stderr").contains("kmon monitor —") {
            guard process.isRunning, Date() < deadline else {
                throw MonitorFailed(message: "monitor did not start: \(read("stderr"))")
            }
            usleep(50_000)
        }
    }

    /// Ctrl-C, as a user stops it, then the JSON summary it printed. Interrupted, it exits 130
    /// (README "Exit codes") after detaching and reporting.
    func interruptAndReadSummary() throws -> TcpreqSummary {
        Glibc.kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        guard process.terminationStatus == 130 else {
            throw MonitorFailed(message: "monitor exited \(process.terminationStatus): \(read("stderr").suffix(2000))")
        }
        return try JSONDecoder().decode(TcpreqSummary.self, from: Data(read("stdout").utf8))
    }

    func kill() {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        try? FileManager.default.removeItem(at: directory)
    }

    struct MonitorFailed: Error, CustomStringConvertible { var message: String; var description: String { message } }
}
