import Foundation
import Glibc
import Kmon
import Testing

/// Real Prometheus and InfluxDB servers (Debian 12's `prometheus` 2.42 and `influxdb` 1.6 packages,
/// installed by scripts/setup), each started on a free loopback port with its data in a fresh
/// temporary folder. Run directly, never as system services; `stop()` and `remove()` leave nothing.
final class SinkServer {
    let name: String
    let port: UInt16
    let directory: URL
    private let executable: String
    private let arguments: [String]
    private let readyPath: String
    private var process: Process?

    private init(name: String, executable: String, port: UInt16, directory: URL, arguments: [String], readyPath: String) {
        self.name = name
        self.executable = executable
        self.port = port
        self.directory = directory
        self.arguments = arguments
        self.readyPath = readyPath
    }

    var endpoint: HTTPEndpoint { HTTPEndpoint(host: "127.0.0.1", port: port) }

    /// influxd with every directory in the temp folder, HTTP and RPC on loopback, no reporting.
    static func influxd() throws -> SinkServer {
        let binary = try locate("influxd", package: "influxdb")
        let dir = try makeDirectory("influxd")
        let (http, rpc) = (try freePort(), try freePort())
        let config = """
            reporting-disabled = true
            bind-address = "127.0.0.1:\(rpc)"
            [meta]
              dir = "\(dir.path)/meta"
            [data]
              dir = "\(dir.path)/data"
              wal-dir = "\(dir.path)/wal"
              query-log-enabled = false
            [monitor]
              store-enabled = false
            [http]
              enabled = true
              bind-address = "127.0.0.1:\(http)"
              log-enabled = false
            [continuous_queries]
              enabled = false
            [subscriber]
              enabled = false
            """
        let file = dir.appendingPathComponent("influxdb.conf")
        try config.write(to: file, atomically: true, encoding: .utf8)
        return SinkServer(name: "influxd", executable: binary, port: http, directory: dir,
                          arguments: ["run", "-config", file.path], readyPath: "/ping")
    }

    /// Prometheus scraping `target` every `scrapeInterval` seconds.
    static func prometheus(scraping target: ListenAddress, scrapeInterval: Int) throws -> SinkServer {
        let binary = try locate("prometheus", package: "prometheus")
        let dir = try makeDirectory("prometheus")
        let port = try freePort()
        let config = """
            global:
              scrape_interval: \(scrapeInterval)s
              evaluation_interval: \(scrapeInterval)s
            scrape_configs:
              - job_name: kmon
                static_configs:
                  - targets: ['\(target)']
            """
        let file = dir.appendingPathComponent("prometheus.yml")
        try config.write(to: file, atomically: true, encoding: .utf8)
        return SinkServer(name: "prometheus", executable: binary, port: port, directory: dir,
                          arguments: ["--config.file=\(file.path)", "--storage.tsdb.path=\(dir.path)/data",
                                      "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn"],
                          readyPath: "/-/ready")
    }

    /// Starts the server (again, after `stop`, on the same port and data) and waits until it answers.
    func start(timeout: Double = 30) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let log = directory.appendingPathComponent("\(name).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        self.process = process
        let deadline = Date(timeIntervalSinceNow: timeout)
        while Date() < deadline {
            if !process.isRunning {
                throw SinkServerError("\(name) exited with status \(process.terminationStatus) during startup: \(tailOfLog())")
            }
            if let response = try? SinkHTTPClient.send("GET", to: endpoint, path: readyPath, timeout: 1), (200..<300).contains(response.status) {
                return
            }
            usleep(100_000)
        }
        throw SinkServerError("\(name) did not answer on 127.0.0.1:\(port) within \(timeout) s: \(tailOfLog())")
    }

    /// SIGTERM, then SIGKILL after 10 s; waits for the process to be gone.
    func stop() {
        guard let process, process.isRunning else { return }
        process.terminate()
        let deadline = Date(timeIntervalSinceNow: 10)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        self.process = nil
    }

    /// Stops the server and deletes its folder.
    func remove() {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    func getJSON(_ path: String) throws -> [String: Any] {
        let response = try SinkHTTPClient.send("GET", to: endpoint, path: path, timeout: 5)
        guard (200..<300).contains(response.status),
              let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] else {
            throw SinkServerError("\(name) GET \(path): HTTP \(response.status): \(response.bodyText.prefix(300))")
        }
        return object
    }

    private func tailOfLog() -> String {
        let text = (try? String(contentsOf: directory.appendingPathComponent("\(name).log"), encoding: .utf8)) ?? ""
        return String(text.suffix(600))
    }

    private static func locate(_ binary: String, package: String) throws -> String {
        for dir in ["/usr/bin", "/usr/sbin", "/usr/local/bin"] where FileManager.default.isExecutableFile(atPath: "\(dir)/\(binary)") {
            return "\(dir)/\(binary)"
        }
        throw SinkServerError("\(binary) is not installed; run scripts/setup (or apt-get install -y \(package))")
    }

    private static func makeDirectory(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kmon-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A port the kernel just handed out as free; the server binds it right after.
    static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { throw SinkServerError("no free loopback port: \(String(cString: strerror(errno)))") }
        return UInt16(bigEndian: addr.sin_port)
    }
}

struct SinkServerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Polls `condition` every 50 ms until it holds or `timeout` seconds pass; returns whether it held.
func eventually(timeout: Double, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date(timeIntervalSinceNow: timeout)
    repeat {
        if try condition() { return true }
        usleep(50_000)
    } while Date() < deadline
    return try condition()
}
