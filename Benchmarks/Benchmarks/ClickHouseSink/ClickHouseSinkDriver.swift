import Foundation
import Glibc
import KmonExport
import KmonSupport
import KmonSystem
import Logging

/// The ClickHouse span sink end to end: one thread records synthetic spans into a real
/// `ClickHouseExporter`, which encodes them as RowBinary and inserts them into a real
/// clickhouse-server over HTTP; a run ends when the server has taken every span. Shared by the
/// package-benchmark suite and `main.swift`-style drivers.
enum ClickHouseSinkDriver {
    /// A clickhouse-server to write to: `KMON_CLICKHOUSE_URL` when set, else one started here on
    /// a free loopback port with its data in a temporary folder (Debian's clickhouse-server).
    final class Server {
        let url: String
        private var pid: pid_t = 0
        private var directory: String?

        init() throws {
            if let url = ProcessInfo.processInfo.environment["KMON_CLICKHOUSE_URL"] {
                self.url = url
                return
            }
            let dir = NSTemporaryDirectory() + "kmon-bench-clickhouse-\(getpid())"
            try FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
            let (http, tcp) = (try TCPSocket.freeLoopbackPort(), try TCPSocket.freeLoopbackPort())
            try """
                <?xml version="1.0"?>
                <yandex>
                  <logger><level>warning</level><console>1</console></logger>
                  <http_port>\(http)</http_port><tcp_port>\(tcp)</tcp_port><listen_host>127.0.0.1</listen_host>
                  <path>\(dir)/data/</path><tmp_path>\(dir)/tmp/</tmp_path>
                  <user_files_path>\(dir)/user_files/</user_files_path><format_schema_path>\(dir)/format_schemas/</format_schema_path>
                  <users_config>\(dir)/users.xml</users_config>
                  <default_profile>default</default_profile><default_database>default</default_database>
                  <mark_cache_size>53687091</mark_cache_size>
                </yandex>
                """.write(toFile: dir + "/config.xml", atomically: true, encoding: .utf8)
            try """
                <?xml version="1.0"?>
                <yandex><profiles><default></default></profiles>
                  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
                  <quotas><default></default></quotas></yandex>
                """.write(toFile: dir + "/users.xml", atomically: true, encoding: .utf8)
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 1, dir + "/clickhouse.log", O_WRONLY | O_CREAT | O_APPEND, 0o644)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
            let arguments: [String] = ["/usr/sbin/clickhouse-server", "--config-file=\(dir)/config.xml"]
            let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
            defer { argv.forEach { free($0) } }
            guard posix_spawn(&pid, "/usr/sbin/clickhouse-server", &actions, nil, argv, environ) == 0 else {
                throw ExportError("cannot start /usr/sbin/clickhouse-server (apt-get install clickhouse-server)")
            }
            directory = dir
            url = "http://127.0.0.1:\(http)"
            let endpoint = try HTTPEndpoint(url: url, defaultPort: 8123)
            for _ in 0..<300 {
                if (try? SinkHTTPClient.send("GET", to: endpoint, path: "/ping", timeout: 1))?.status == 200 { return }
                usleep(100_000)
            }
            throw ExportError("clickhouse-server did not answer on \(url)")
        }

        func stop() {
            if pid > 0 {
                kill(pid, SIGTERM)
                var status: Int32 = 0
                waitpid(pid, &status, 0)
                pid = 0
            }
            if let directory { try? FileManager.default.removeItem(atPath: directory) }
        }
    }

    /// 4,096 distinct spans as the adapter makes them (chain3-like names and tuples), recorded
    /// round-robin with fresh start times.
    static func syntheticSpans() -> [ExportedSpan] {
        let services = ["frontend", "api", "store"]
        return (0..<4096).map { i in
            let side: SpanRole = i % 2 == 0 ? .server : .client
            return ExportedSpan(service: services[i % 3], peerName: side == .client ? services[(i + 1) % 3] : nil,
                                peerAddress: side == .client ? "127.0.0.1:\(18080 + (i + 1) % 3)" : "127.0.0.1",
                                side: side, startNanoseconds: UInt64(i) * 1_000, durationNanoseconds: UInt64(100_000 + i * 37),
                                pid: Int32(1000 + i % 3), ordinal: UInt64(i / 8), partial: false,
                                tuple: ConnectionTuple(local: SocketEndpoint(address: .loopbackV4, port: UInt16(40_000 + i % 512)),
                                                       remote: SocketEndpoint(address: .loopbackV4, port: UInt16(18080 + i % 3))),
                                requestBytes: 120, responseBytes: 512)
        }
    }

    struct Result {
        var spans: Int
        var seconds: Double
        var cpuSeconds: Double
        /// CPU of the recording thread alone, while it recorded: the probe path's share.
        var recordCPUSeconds: Double
        var rows: Int
        var spansPerSecond: Double { Double(spans) / seconds }
        var cpuNanosecondsPerSpan: Double { cpuSeconds * 1e9 / Double(spans) }
        var recordNanosecondsPerSpan: Double { recordCPUSeconds * 1e9 / Double(spans) }
    }

    /// Records `count` spans from the calling thread as fast as it can, then waits until the
    /// server has them all. Wall time and this process's CPU time (recording thread and sender
    /// thread together) cover the whole path.
    static func run(count: Int, url: String, table: String) throws -> Result {
        var settings = ClickHouseExporter.Settings(endpoint: try HTTPEndpoint(url: url, defaultPort: 8123), table: table)
        settings.delivery.bufferCapacity = max(count, 1)
        let exporter = try ClickHouseExporter(settings: settings, logger: Logger(label: "kmon.bench.clickhouse"))
        defer { exporter.close(timeout: 60) }
        try exporter.checkAtStart()
        let spans = syntheticSpans()
        let cpuStart = processCPUSeconds()
        let threadStart = threadCPUSeconds()
        let start = MonotonicClock.now()
        var span = spans[0]
        for i in 0..<count {
            span = spans[i & 4095]
            span.startNanoseconds = start &+ UInt64(i) &* 1_000
            exporter.record(span)
        }
        let recordCPU = threadCPUSeconds() - threadStart
        while exporter.bufferStats.delivered + exporter.bufferStats.dropped < UInt64(count) { usleep(1_000) }
        let seconds = Double(MonotonicClock.now() - start) / 1e9
        let cpu = processCPUSeconds() - cpuStart
        let endpoint = try HTTPEndpoint(url: url, defaultPort: 8123)
        let rows = Int((try SinkHTTPClient.send("POST", to: endpoint, path: "/", body: Array("SELECT count() FROM kmon.\(table)".utf8)))
            .bodyText.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        return Result(spans: count, seconds: seconds, cpuSeconds: cpu, recordCPUSeconds: recordCPU, rows: rows)
    }

    static func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}
