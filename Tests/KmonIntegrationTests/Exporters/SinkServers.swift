import Foundation
import Glibc
import KmonExport
import KmonHTTP
import KmonSystem
import Testing

/// Real Prometheus, InfluxDB, ClickHouse and nginx servers (Debian 12's `prometheus` 2.42,
/// `influxdb` 1.6, `clickhouse-server` 18.16 and `nginx` 1.22 packages, installed by
/// scripts/setup), each started on a free loopback port with its data in a fresh temporary
/// folder. Run directly, never as system services; `stop()` and `remove()` leave nothing.
final class SinkServer {
    let name: String
    let port: UInt16
    let directory: URL
    private let executable: String
    private let arguments: [String]
    private let readyPath: String
    /// How the readiness check and `getJSON` reach it: https servers are checked against `caFile`.
    var scheme: HTTPEndpoint.Scheme = .http
    var caFile: String?
    var auth: SinkAuth = .none
    private var process: SpawnedProcess?

    init(name: String, executable: String, port: UInt16, directory: URL, arguments: [String], readyPath: String) {
        self.name = name
        self.executable = executable
        self.port = port
        self.directory = directory
        self.arguments = arguments
        self.readyPath = readyPath
    }

    var endpoint: HTTPEndpoint { HTTPEndpoint(scheme: scheme, host: "127.0.0.1", port: port) }
    var url: String { endpoint.description }

    /// influxd with every directory in the temp folder, HTTP and RPC on loopback, no reporting.
    /// With `adminPassword`, authentication is on and `createAdmin` makes the user "admin".
    static func influxd(adminPassword: String? = nil) throws -> SinkServer {
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
              auth-enabled = \(adminPassword != nil)
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

    /// With authentication on and no user yet, influxd lets anyone create the first admin.
    func createAdmin(password: String) throws {
        let q = "CREATE USER admin WITH PASSWORD '\(password)' WITH ALL PRIVILEGES".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let response = try SinkHTTPClient.send("POST", to: endpoint, path: "/query?q=\(q)", caFile: caFile)
        guard response.status == 200 else { throw SinkServerError("influxd CREATE USER: HTTP \(response.status): \(response.bodyText)") }
        auth = .basic(user: "admin", password: password)
    }

    /// clickhouse-server with its data, HTTP (and native TCP, unused) on loopback. The user
    /// "default" has no password; "kmon" has `kmonPassword`.
    static func clickhouse(kmonPassword: String = "kmon-secret") throws -> SinkServer {
        let binary = try locate("clickhouse-server", package: "clickhouse-server")
        let dir = try makeDirectory("clickhouse")
        let (http, tcp) = (try freePort(), try freePort())
        for sub in ["data", "tmp", "user_files", "format_schemas"] {
            try FileManager.default.createDirectory(at: dir.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        let config = """
            <?xml version="1.0"?>
            <yandex>
              <logger><level>warning</level><console>1</console></logger>
              <http_port>\(http)</http_port>
              <tcp_port>\(tcp)</tcp_port>
              <listen_host>127.0.0.1</listen_host>
              <path>\(dir.path)/data/</path>
              <tmp_path>\(dir.path)/tmp/</tmp_path>
              <user_files_path>\(dir.path)/user_files/</user_files_path>
              <format_schema_path>\(dir.path)/format_schemas/</format_schema_path>
              <users_config>\(dir.path)/users.xml</users_config>
              <default_profile>default</default_profile>
              <default_database>default</default_database>
              <mark_cache_size>53687091</mark_cache_size>
              <max_concurrent_queries>20</max_concurrent_queries>
            </yandex>
            """
        let users = """
            <?xml version="1.0"?>
            <yandex>
              <profiles><default></default></profiles>
              <users>
                <default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default>
                <kmon><password>\(kmonPassword)</password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></kmon>
              </users>
              <quotas><default></default></quotas>
            </yandex>
            """
        try config.write(to: dir.appendingPathComponent("config.xml"), atomically: true, encoding: .utf8)
        try users.write(to: dir.appendingPathComponent("users.xml"), atomically: true, encoding: .utf8)
        return SinkServer(name: "clickhouse", executable: binary, port: http, directory: dir,
                          arguments: ["--config-file=\(dir.path)/config.xml"], readyPath: "/ping")
    }

    /// One query's answer as text (TabSeparated rows), failing on any error.
    func clickhouseQuery(_ sql: String) throws -> String {
        let response = try SinkHTTPClient.send("POST", to: endpoint, path: "/", body: Array(sql.utf8), timeout: 30)
        guard response.status == 200 else { throw SinkServerError("clickhouse \(sql): HTTP \(response.status): \(response.bodyText.prefix(300))") }
        return response.bodyText
    }

    /// What `promtool check metrics` says of `exposition` (nothing when it passes without lint findings).
    static func promtoolFindings(_ exposition: String) throws -> String {
        let promtool = Process()
        promtool.executableURL = URL(fileURLWithPath: try locate("promtool", package: "prometheus"))
        promtool.arguments = ["check", "metrics"]
        let input = Pipe(), output = Pipe()
        promtool.standardInput = input
        promtool.standardOutput = output
        promtool.standardError = output
        try promtool.run()
        input.fileHandleForWriting.write(Data(exposition.utf8))
        try input.fileHandleForWriting.close()
        let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        promtool.waitUntilExit()
        return promtool.terminationStatus == 0 ? report : "exit \(promtool.terminationStatus): \(report)"
    }

    /// The nginx.conf every test's nginx shares: in the foreground as root, access log off, pid,
    /// error log and temporary files inside `dir` (so it writes nothing outside the test's
    /// folder); `http` is the rest of the http block. One process without `masterProcess`.
    static func nginxConfig(_ dir: URL, masterProcess: Bool = true, errorLog level: String = "warn", http: String) -> String {
        let temporaryPaths = [("client_body", "body"), ("proxy", "proxy"), ("fastcgi", "fastcgi"), ("uwsgi", "uwsgi"), ("scgi", "scgi")]
            .map { "\($0.0)_temp_path \(dir.path)/\($0.1);" }.joined(separator: " ")
        return """
            daemon off;
            master_process \(masterProcess ? "on;\nworker_processes 1;" : "off;")
            user root;
            pid \(dir.path)/nginx.pid;
            error_log \(dir.path)/error.log \(level);
            events { worker_connections 64; }
            http {
              access_log off;
              \(temporaryPaths)
            \(http)
            }
            """
    }

    /// nginx as a TLS front on loopback for `upstream` (plain HTTP), with a self-signed
    /// certificate for 127.0.0.1 made here by openssl; `caFile` is that certificate. Requests
    /// pass through unchanged, so the upstream checks users and passwords itself. It also
    /// answers InfluxDB 2.x's `POST /api/v2/write?org=&bucket=` as 2.x does for `token` and
    /// `org`: a wrong token is 401, an unknown org 404; otherwise the points go to upstream's
    /// 1.x `/write?db=BUCKET`, with `upstreamAuth` as basic auth.
    static func nginxTLS(in front: SinkServer, token: String = "kmon-token", org: String = "kmon-org",
                         upstreamAuth: (user: String, password: String)? = nil) throws -> SinkServer {
        let binary = try locate("nginx", package: "nginx")
        let dir = try makeDirectory("nginx")
        let port = try freePort()
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: try locate("openssl", package: "openssl"))
        openssl.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                             "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", "\(dir.path)/key.pem", "-out", "\(dir.path)/cert.pem"]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else { throw SinkServerError("openssl req failed with status \(openssl.terminationStatus)") }
        let basic = upstreamAuth.map { "Basic " + Data("\($0.user):\($0.password)".utf8).base64EncodedString() } ?? ""
        let config = nginxConfig(dir, http: """
              client_max_body_size 256m;
              server {
                listen 127.0.0.1:\(port) ssl;
                ssl_certificate \(dir.path)/cert.pem;
                ssl_certificate_key \(dir.path)/key.pem;
                location = /api/v2/write {
                  if ($http_authorization != "Token \(token)") { return 401 '{"code":"unauthorized","message":"unauthorized access"}'; }
                  if ($arg_org != "\(org)") { return 404 '{"code":"not found","message":"organization not found"}'; }
                  proxy_set_header Authorization "\(basic)";
                  proxy_pass http://127.0.0.1:\(front.port)/write?db=$arg_bucket&precision=$arg_precision;
                }
                location / {
                  proxy_pass http://127.0.0.1:\(front.port);
                  proxy_http_version 1.1;
                  proxy_set_header Connection "";
                }
              }
            """)
        let file = dir.appendingPathComponent("nginx.conf")
        try config.write(to: file, atomically: true, encoding: .utf8)
        let server = SinkServer(name: "nginx", executable: binary, port: port, directory: dir,
                                arguments: ["-p", dir.path, "-c", file.path], readyPath: "/ping")
        server.scheme = .https
        server.caFile = "\(dir.path)/cert.pem"
        return server
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
        let log = directory.appendingPathComponent("\(name).log")
        let process = try SpawnedProcess(executable: executable, arguments: arguments, log: log.path)
        self.process = process
        let deadline = Date(timeIntervalSinceNow: timeout)
        while Date() < deadline {
            if let status = process.exitStatus() {
                self.process = nil
                throw SinkServerError("\(name) exited with status \(status) during startup: \(tailOfLog())")
            }
            if let response = try? SinkHTTPClient.send("GET", to: endpoint, path: readyPath, caFile: caFile, timeout: 1),
               (200..<300).contains(response.status) {
                return
            }
            usleep(100_000)
        }
        throw SinkServerError("\(name) did not answer on 127.0.0.1:\(port) within \(timeout) s: \(tailOfLog())")
    }

    /// Starts a new server and hands it back, removed again if it does not come up: a test
    /// writes `let server = try SinkServer.x().started()`, then `defer { server.remove() }`.
    func started() throws -> SinkServer {
        do { try start() } catch {
            remove()
            throw error
        }
        return self
    }

    /// SIGTERM, then SIGKILL after 10 s; waits for the process to be gone.
    func stop() {
        process?.stop()
        process = nil
    }

    /// Stops the server and deletes its folder.
    func remove() {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    func getJSON(_ path: String) throws -> [String: Any] {
        let response = try SinkHTTPClient.send("GET", to: endpoint, path: path, auth: auth, caFile: caFile, timeout: 5)
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

    static func locate(_ binary: String, package: String) throws -> String {
        for dir in ["/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"] where FileManager.default.isExecutableFile(atPath: "\(dir)/\(binary)") {
            return "\(dir)/\(binary)"
        }
        throw SinkServerError("\(binary) is not installed; run scripts/setup (or apt-get install -y \(package))")
    }

    static func makeDirectory(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kmon-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A port the kernel just handed out as free; the server binds it right after.
    static func freePort() throws -> UInt16 { try TCPSocket.freeLoopbackPort() }
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

/// A server process started with posix_spawn and reaped here, not by Foundation's `Process`:
/// with clickhouse-server running, Foundation's SIGCHLD handling blocked in wait4 on it whenever
/// any other child of the test process exited (seen with swift-corelibs-foundation 6.3.1).
final class SpawnedProcess {
    let pid: pid_t
    private var status: Int32?

    init(executable: String, arguments: [String], log: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard rc == 0 else { throw SinkServerError("cannot start \(executable): \(String(cString: strerror(rc)))") }
        self.pid = pid
    }

    /// The exit status once it has exited (reaping it), else nil.
    func exitStatus() -> Int32? {
        if let status { return status }
        var raw: Int32 = 0
        let rc = waitpid(pid, &raw, WNOHANG)
        if rc == pid || (rc < 0 && errno == ECHILD) { status = (raw >> 8) & 0xff; return status }
        return nil
    }

    func stop() {
        guard exitStatus() == nil else { return }
        kill(pid, SIGTERM)
        let deadline = Date(timeIntervalSinceNow: 10)
        while exitStatus() == nil && Date() < deadline { usleep(50_000) }
        if exitStatus() == nil {
            kill(pid, SIGKILL)
            var raw: Int32 = 0
            while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
            status = -1
        }
    }

    deinit { stop() }
}
