import Foundation
import Glibc

/// `kmon monitor` running as a child process, as a user runs it. Its output goes to files in a
/// temporary folder; `stop()` interrupts it the way Ctrl-C does and waits for it to exit.
final class MonitorProcess {
    private let process = Process()
    private let directory: URL
    private(set) var exitStatus: Int32?

    init(arguments: [String]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kmon-monitor-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        process.executableURL = BuildProducts.executable("kmon")
        process.arguments = ["monitor"] + arguments
        for name in ["stdout", "stderr"] { _ = FileManager.default.createFile(atPath: directory.appendingPathComponent(name).path, contents: nil) }
        process.standardOutput = try FileHandle(forWritingTo: directory.appendingPathComponent("stdout"))
        process.standardError = try FileHandle(forWritingTo: directory.appendingPathComponent("stderr"))
        try process.run()
    }

    var isRunning: Bool { process.isRunning }
    var stderr: String { (try? String(contentsOf: directory.appendingPathComponent("stderr"), encoding: .utf8)) ?? "" }
    var stdout: String { (try? String(contentsOf: directory.appendingPathComponent("stdout"), encoding: .utf8)) ?? "" }

    /// SIGINT, then SIGKILL if it has not exited within `timeout` seconds.
    @discardableResult
    func stop(timeout: Double = 20) -> Int32 {
        if let exitStatus { return exitStatus }
        if process.isRunning { kill(process.processIdentifier, SIGINT) }
        let deadline = Date(timeIntervalSinceNow: timeout)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        exitStatus = process.terminationStatus
        return process.terminationStatus
    }

    /// Stops it and removes its output folder.
    func remove() {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
