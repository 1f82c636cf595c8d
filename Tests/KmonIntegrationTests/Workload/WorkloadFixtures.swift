import Foundation
import Glibc
import KmonHTTP
import KmonSystem
import KmonTestSupport
import KmonWorkload

/// Shared pieces of the workload tests: the repo's specs, temporary directories, and a
/// standalone `kmon-service` for tests that talk to one service directly.
enum WorkloadFixtures {
    static let workloads = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("workloads")

    static func spec(_ name: String) -> String { workloads.appendingPathComponent("\(name).yaml").path }

    static func temporaryDirectory() throws -> String {
        try makeTemporaryDirectory("kmon-wltest")
    }

    static func start(_ name: String, mode: WorkloadNetworkMode = .loopback, records: String? = nil) throws -> RunningWorkload {
        let spec = try WorkloadSpec.load(path: spec(name))
        return try WorkloadController.start(spec: spec, options: WorkloadOptions(
            mode: mode, recordsDirectory: records, ephemeralPorts: true,
            serviceExecutable: BuildProducts.executable("kmon-service").path))
    }

    static func isAlive(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 && !((try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))?.contains(") Z ") ?? true)
    }

    /// What `ip` lists, for checks that nothing of a workload is left.
    static func ipListing() throws -> String {
        let netns = try runCommand(URL(fileURLWithPath: "/usr/sbin/ip"), ["netns", "list"])
        let links = try runCommand(URL(fileURLWithPath: "/usr/sbin/ip"), ["-o", "link"])
        let addresses = try runCommand(URL(fileURLWithPath: "/usr/sbin/ip"), ["-o", "-4", "addr"])
        return netns.stdout + links.stdout + addresses.stdout
    }
}

/// One `kmon-service` of single.yaml on a free loopback port, killed on deinit. Its log goes to
/// `log`.
final class StandaloneService {
    let process: Process
    let endpoint: SocketEndpoint
    let directory: String

    init(spec: String = WorkloadFixtures.spec("single"), service: String = "app", extra: [String] = []) throws {
        directory = try WorkloadFixtures.temporaryDirectory()
        let portFile = directory + "/port"
        process = Process()
        process.executableURL = BuildProducts.executable("kmon-service")
        process.arguments = ["--spec", spec, "--service", service, "--bind", "127.0.0.1:0", "--port-file", portFile] + extra
        process.standardOutput = FileHandle.nullDevice
        FileManager.default.createFile(atPath: directory + "/stderr", contents: nil)
        process.standardError = FileHandle(forWritingAtPath: directory + "/stderr")
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        var port: UInt16?
        while port == nil && Date() < deadline && process.isRunning {
            port = (try? String(contentsOfFile: portFile, encoding: .utf8)).flatMap { UInt16($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if port == nil { usleep(10_000) }
        }
        guard let port else {
            process.terminate()
            throw SystemCallError("kmon-service did not start", errno: ETIMEDOUT)
        }
        endpoint = SocketEndpoint(address: .loopbackV4, port: port)
    }

    deinit {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// What the service has logged so far.
    var log: String { (try? String(contentsOfFile: directory + "/stderr", encoding: .utf8)) ?? "" }

    /// A number from the service's /proc/PID/status, e.g. "Threads" or "VmRSS" (in kB).
    func status(_ field: String) -> Int? {
        guard let text = ProcFile.read("/proc/\(process.processIdentifier)/status") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return line.dropFirst(field.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap { Int($0) }
        }
        return nil
    }

    /// Sends raw bytes on a new connection, half-closes, and returns everything answered.
    func rawExchange(_ bytes: [UInt8], timeoutMs: Int = 3000) throws -> [UInt8] {
        let fd = try TCPSocket.connect(to: endpoint, timeoutMs: timeoutMs)
        defer { close(fd) }
        try? TCPSocket.writeAll(fd, bytes)
        shutdown(fd, Int32(SHUT_WR))
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            answer += buffer[0..<n]
        }
        return answer
    }

    /// Parses `bytes` as responses; throws if they are not well-formed HTTP.
    static func responses(_ bytes: [UInt8]) throws -> [HTTPResponse] {
        var parser = HTTPResponseParser(keepsBody: true)
        var seen: [HTTPResponse] = []
        try bytes.withUnsafeBytes { try parser.consume($0) { seen.append($0) } }
        guard parser.isIdle else { throw HTTPParseError(status: 0, reason: "truncated response") }
        return seen
    }
}
