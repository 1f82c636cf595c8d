import Foundation
import KmonExport
import KmonHTTP
import KmonSystem
import Logging
import Testing

/// `kmon monitor` with its exporters on, watching real loopback traffic through real BPF
/// programs, checked against real Prometheus and InfluxDB servers and the load's own count.
@Suite(Privileged.enabled)
struct MonitorExportTests {
    private static let scrapeInterval = 1
    /// How often the monitor reads its spans (`--interval`), which bounds the exporters' lag too.
    private static let monitorInterval = 0.2

    /// Runs `rounds` rounds of `requests` keep-alive requests on a new connection each, with a
    /// pause between rounds; returns how many requests completed.
    private func load(_ exchange: LoopbackExchange, rounds: Int, requests: Int, pause: UInt32 = 200_000) throws -> Int {
        var completed = 0
        for round in 0..<rounds {
            if round > 0 { usleep(pause) }
            completed += try exchange.runClient(requests: requests).count
        }
        return completed
    }

    private func promQuery(_ prometheus: SinkServer, _ expression: String) throws -> Double? {
        let q = expression.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let json = try prometheus.getJSON("/api/v1/query?query=\(q)")
        let result = (json["data"] as? [String: Any])?["result"] as? [[String: Any]]
        return ((result?.first?["value"] as? [Any])?.last as? String).flatMap(Double.init)
    }

    private func influxScalar(_ server: SinkServer, db: String, _ query: String) throws -> Double? {
        let q = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let json = try server.getJSON("/query?db=\(db)&q=\(q)")
        let series = (json["results"] as? [[String: Any]])?.first?["series"] as? [[String: Any]]
        return ((series?.first?["values"] as? [[Any]])?.first?.dropFirst().first as? NSNumber)?.doubleValue
    }

    @Test func prometheusScrapingTheMonitorCountsEveryRequestOfTheLoad() throws {
        try Privileged.check()
        let exchange = try LoopbackExchange(serverDelayMicroseconds: 100)
        exchange.start()
        defer { exchange.close() }
        let metricsPort = try SinkServer.freePort()
        let jsonl = FileManager.default.temporaryDirectory.appendingPathComponent("kmon-spans-\(UUID().uuidString.prefix(8)).jsonl")
        defer { try? FileManager.default.removeItem(at: jsonl) }
        let monitor = try MonitorProcess(arguments: ["--port", "\(exchange.port)", "--interval", "\(Self.monitorInterval)",
                                                     "--prometheus", "127.0.0.1:\(metricsPort)", "--jsonl", jsonl.path])
        defer { monitor.remove() }
        let metrics = HTTPEndpoint(host: "127.0.0.1", port: metricsPort)
        #expect(eventually(timeout: 30) { (try? SinkHTTPClient.send("GET", to: metrics, path: "/metrics", timeout: 1))?.status == 200 },
                "kmon monitor never served /metrics: \(monitor.stderr)")

        let prometheus = try SinkServer.prometheus(scraping: ListenAddress(host: "127.0.0.1", port: metricsPort), scrapeInterval: Self.scrapeInterval).started()
        defer { prometheus.remove() }
        #expect(try eventually(timeout: 20) { try promQuery(prometheus, #"up{job="kmon"}"#) == 1 })

        usleep(UInt32.random(in: 0..<1_000_000)) // end the load at a random phase of the scrape cycle
        let sent = try load(exchange, rounds: 12, requests: 100)
        let loadEnd = Date()
        var seen: (server: Double?, client: Double?)
        let matched = try eventually(timeout: 10) {
            seen = (try promQuery(prometheus, #"sum(kmon_requests_total{side="server"})"#),
                    try promQuery(prometheus, #"sum(kmon_requests_total{side="client"})"#))
            return seen.server == Double(sent) && seen.client == Double(sent)
        }
        let lag = Date().timeIntervalSince(loadEnd)
        #expect(matched, "Prometheus shows \(seen) requests (server, client); the load completed \(sent)")
        // The monitor reads spans every interval; then one scrape interval; plus slack for queries.
        #expect(lag <= Self.monitorInterval + Double(Self.scrapeInterval) + 0.5, "caught up \(lag) s after the load ended")
        #expect(try promQuery(prometheus, #"sum(kmon_request_duration_seconds_count)"#) == Double(2 * sent))
        #expect(try promQuery(prometheus, #"sum(kmon_events_lost_total)"#) == 0)
        #expect(try promQuery(prometheus, #"count(kmon_bpf_program_runs_total > 0)"#) ?? 0 >= 2)

        // The monitor's own exposition, BPF program statistics included, passes promtool.
        let body = try SinkHTTPClient.send("GET", to: metrics, path: "/metrics").body
        #expect(try SinkServer.promtoolFindings(String(decoding: body, as: UTF8.self)) == "", "promtool check metrics")

        let status = monitor.stop()
        #expect(status == 0 || status == 130, "kmon monitor exited with \(status): \(monitor.stderr)")

        // The JSON lines file has one span line per request and side, each a valid object.
        let lines = try String(contentsOf: jsonl, encoding: .utf8).split(separator: "\n")
        let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(objects.count == lines.count)
        let spans = objects.filter { $0["type"] as? String == "span" }
        #expect(spans.filter { $0["side"] as? String == "server" }.count == sent)
        #expect(spans.filter { $0["side"] as? String == "client" }.count == sent)
        #expect(spans.allSatisfy { ($0["duration_ns"] as? NSNumber)?.uint64Value ?? 0 >= 100_000 || $0["side"] as? String == "client" })
        #expect(objects.contains { $0["type"] as? String == "period" })
    }

    @Test func influxOutageMidRunLosesNothingTheBufferCouldHold() throws {
        try Privileged.check()
        let influxd = try SinkServer.influxd().started()
        defer { influxd.remove() }
        let exchange = try LoopbackExchange(serverDelayMicroseconds: 100)
        exchange.start()
        defer { exchange.close() }
        let metricsPort = try SinkServer.freePort()
        let monitor = try MonitorProcess(arguments: [
            "--port", "\(exchange.port)", "--interval", "\(Self.monitorInterval)",
            "--influx", "http://127.0.0.1:\(influxd.port)", "--influx-db", "kmon_e2e", "--export-period", "0.5",
            "--prometheus", "127.0.0.1:\(metricsPort)",
        ])
        defer { monitor.remove() }
        let metrics = HTTPEndpoint(host: "127.0.0.1", port: metricsPort)
        func exposition() -> String { (try? SinkHTTPClient.send("GET", to: metrics, path: "/metrics", timeout: 1))?.bodyText ?? "" }
        func sinkValue(_ name: String) -> Double? {
            exposition().split(separator: "\n").first { $0.hasPrefix(#"\#(name){sink="influx"} "#) }
                .flatMap { Double($0.split(separator: " ").last ?? "") }
        }
        #expect(eventually(timeout: 30) { !exposition().isEmpty }, "kmon monitor never served /metrics: \(monitor.stderr)")

        var sent = try load(exchange, rounds: 3, requests: 100)
        #expect(try eventually(timeout: 10) { try influxScalar(influxd, db: "kmon_e2e", #"SELECT sum("count") FROM kmon_requests WHERE side='server'"#) == Double(sent) })

        influxd.stop()
        sent += try load(exchange, rounds: 3, requests: 100)
        // The monitor keeps running and says, through its own metrics, that points are waiting.
        #expect(eventually(timeout: 10) { (sinkValue("kmon_export_points_buffered") ?? 0) > 0 }, "no buffered points reported: \(exposition())")
        #expect(monitor.isRunning)

        try influxd.start()
        sent += try load(exchange, rounds: 3, requests: 100)
        #expect(eventually(timeout: 15) { sinkValue("kmon_export_points_buffered") == 0 })
        let status = monitor.stop()
        #expect(status == 0 || status == 130, "kmon monitor exited with \(status): \(monitor.stderr)")
        #expect(monitor.stderr.contains("export influx: delivered"), "\(monitor.stderr)")
        #expect(monitor.stderr.contains("dropped 0 (buffer full)"), "\(monitor.stderr)")
        #expect(monitor.stderr.contains("failed sends retried"), "the outage left no trace: \(monitor.stderr)")

        #expect(try influxScalar(influxd, db: "kmon_e2e", #"SELECT sum("count") FROM kmon_requests WHERE side='server'"#) == Double(sent))
        #expect(try influxScalar(influxd, db: "kmon_e2e", #"SELECT sum("count") FROM kmon_requests WHERE side='client'"#) == Double(sent))
        #expect(try influxScalar(influxd, db: "kmon_e2e", #"SELECT last("total") FROM kmon_events_lost"#) == 0)
    }
}

/// The other collectors reach the exporters too: fcount counts a child's writes exactly, and the
/// count shows on `/metrics` and in the JSON lines period records.
@Suite(Privileged.enabled)
struct MonitorCollectorExportTests {
    @Test func fcountWritesReachPrometheusAndJSONLines() throws {
        try Privileged.check()
        let writes = 500
        // The shell waits for a line, then becomes dd (same pid), which makes exactly `writes` writes.
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/sh")
        child.arguments = ["-c", "read go; exec dd if=/dev/zero of=/dev/null bs=1 count=\(writes) status=none"]
        let stdin = Pipe()
        child.standardInput = stdin
        try child.run()
        defer { if child.isRunning { child.terminate() }; child.waitUntilExit() }

        let metricsPort = try SinkServer.freePort()
        let jsonl = FileManager.default.temporaryDirectory.appendingPathComponent("kmon-fcount-\(UUID().uuidString.prefix(8)).jsonl")
        defer { try? FileManager.default.removeItem(at: jsonl) }
        let monitor = try MonitorProcess(arguments: [
            "--collect", "fcount", "--fcount", "syscalls:sys_enter_write", "--pid", "\(child.processIdentifier)",
            "--interval", "0.2", "--export-period", "0.5", "--prometheus", "127.0.0.1:\(metricsPort)", "--jsonl", jsonl.path,
        ])
        defer { monitor.remove() }
        let metrics = HTTPEndpoint(host: "127.0.0.1", port: metricsPort)
        func exposition() -> String { (try? SinkHTTPClient.send("GET", to: metrics, path: "/metrics", timeout: 1))?.bodyText ?? "" }
        #expect(eventually(timeout: 30) { exposition().contains("kmon_bpf_program_runs_total{program=\"fcount_tracepoint\"}") },
                "kmon monitor never exported fcount: \(monitor.stderr)")

        stdin.fileHandleForWriting.write(Data("go\n".utf8))
        child.waitUntilExit()
        #expect(child.terminationStatus == 0)
        let line = "kmon_function_events_total{event=\"syscalls:sys_enter_write\"} \(Double(writes))"
        #expect(eventually(timeout: 5) { exposition().contains(line) }, "\(exposition())")
        #expect(exposition().contains("kmon_events_lost_total{collector=\"fcount\"} 0"))

        let status = monitor.stop()
        #expect(status == 0 || status == 130, "kmon monitor exited with \(status): \(monitor.stderr)")
        let periods = try String(contentsOf: jsonl, encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["type"] as? String == "period" }
        let samples = try #require(periods.last?["samples"] as? [[String: Any]])
        let counted = samples.first { $0["name"] as? String == "kmon_function_events_total" }?["value"] as? Int
        #expect(counted == writes)
    }
}
