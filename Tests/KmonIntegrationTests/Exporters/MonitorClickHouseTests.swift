import Foundation
import KmonExport
import KmonHTTP
import KmonLoad
import KmonSystem
import KmonWorkload
import Testing

/// `kmon monitor --clickhouse` as a user runs it, against a real clickhouse-server: every span
/// of a chain3 load a row, and an outage in the middle of a run.
@Suite(Privileged.enabled)
struct MonitorClickHouseTests {
    private func rows(_ clickhouse: SinkServer, _ sql: String) throws -> [[String]] {
        try clickhouse.clickhouseQuery(sql + " FORMAT TabSeparated").split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
    }

    private func count(_ clickhouse: SinkServer, _ whereClause: String = "1") throws -> Int {
        Int(try rows(clickhouse, "SELECT count() FROM kmon.spans WHERE \(whereClause)").first?.first ?? "") ?? -1
    }

    @Test func chain3RowsMatchTheLoadGeneratorTheServicesAndTheMonitorsOwnSummary() throws {
        try Privileged.check()
        let clickhouse = try SinkServer.clickhouse().started()
        defer { clickhouse.remove() }
        let recorded = try RecordedWorkload("chain3")
        defer { recorded.remove() }
        let spec = recorded.spec, workload = recorded.running

        let monitor = try ChildMonitor(arguments: ["--json", "--interval", "0.2", "--clickhouse", clickhouse.url]
                                       + recorded.pidArguments)
        defer { monitor.kill() }
        try monitor.waitUntilWatching(timeout: 30)

        let truth = try SteadyLoad.run(on: workload).count

        // Stopping flushes the spans still open on keep-alive connections, then the exporter
        // delivers before the monitor exits.
        let summary = try monitor.interruptAndReadSummary()
        #expect(monitor.stderr.contains("export clickhouse: delivered"), "\(monitor.stderr)")
        #expect(monitor.stderr.contains("dropped 0 (buffer full)"), "\(monitor.stderr)")
        #expect(!monitor.stderr.contains("undelivered at exit"), "\(monitor.stderr)")
        #expect(workload.stop().isEmpty)
        #expect(summary.lost == 0)

        let served = try recorded.servedOnWorkRoute()
        // Series (service, side, peer). A server row's peer is its caller, named when kmon saw
        // the caller's end too (every hop but the ingress, which the load generator calls).
        var table: [String: Int] = [:]
        for row in try rows(clickhouse, "SELECT service, side, peer, count() FROM kmon.spans GROUP BY service, side, peer") {
            table["\(row[0]) \(row[1]) \(row[2])", default: 0] += Int(row[3]) ?? -1
        }
        let callers = Dictionary(uniqueKeysWithValues: spec.edges.map { ($0.callee, $0.caller) })
        let ingressRows = table.filter { $0.key.hasPrefix("\(spec.ingress) server ") }
        #expect(ingressRows.count == 1, "the ingress's callers: \(ingressRows)")
        #expect(ingressRows.values.first == truth, "ingress: ClickHouse \(ingressRows), load generator \(truth)")
        for service in spec.services {
            let key = callers[service.name].map { "\(service.name) server \($0)" } ?? ingressRows.keys.first ?? ""
            let exported = table[key] ?? 0
            #expect(exported == served[service.name], "\(key): ClickHouse \(exported) rows, service records \(served[service.name] ?? -1); all series \(table)")
            let summarised = summary.services.filter { $0.name == service.name }.map { Int($0.requests) }.reduce(0, +)
            #expect(exported == summarised, "\(key): ClickHouse \(exported) rows, kmon monitor --json \(summarised)")
        }
        // Client rows per edge: the callee's own records of what it served.
        for edge in spec.edges {
            let exported = table["\(edge.caller) client \(edge.callee)"] ?? 0
            #expect(exported == served[edge.callee], "\(edge.caller)->\(edge.callee): ClickHouse \(exported) client rows, \(edge.callee)'s records \(served[edge.callee] ?? -1)")
        }
        #expect(table.count == spec.services.count + spec.edges.count, "unexpected series: \(table)")

        // The median per service, computed by ClickHouse from the rows, against the monitor's own
        // (HdrHistogram at 2 significant digits, partial spans left out as they are here).
        for row in try rows(clickhouse, "SELECT service, quantile(0.5)(duration_ns) FROM kmon.spans WHERE side = 'server' AND partial = 0 GROUP BY service") {
            let fromRows = Double(row[1]) ?? -1
            let reported = try #require(summary.services.first { $0.name == row[0] }?.p50_us) * 1_000
            #expect(abs(fromRows - reported) <= 0.01 * reported, "\(row[0]): ClickHouse p50 \(fromRows) ns, kmon monitor --json \(reported) ns")
        }
        // The 4-tuples are whole: each server row's local port is its service's port.
        #expect(try count(clickhouse, "side = 'server' AND local_port = 0") == 0)
        #expect(try count(clickhouse, "request_bytes = 0 OR response_bytes = 0") == 0)
    }

    @Test func anOutageMidRunLosesNothingTheBufferCouldHoldAndCountsWhatItCouldNot() throws {
        try Privileged.check()
        let clickhouse = try SinkServer.clickhouse().started()
        defer { clickhouse.remove() }
        let exchange = try LoopbackExchange(serverDelayMicroseconds: 100)
        exchange.start()
        defer { exchange.close() }
        let metricsPort = try SinkServer.freePort()
        let buffer = 300
        let monitor = try MonitorProcess(arguments: [
            "--port", "\(exchange.port)", "--interval", "0.2", "--export-period", "0.5",
            "--clickhouse", clickhouse.url, "--clickhouse-buffer", "\(buffer)", "--prometheus", "127.0.0.1:\(metricsPort)",
        ])
        defer { monitor.remove() }
        let metrics = HTTPEndpoint(host: "127.0.0.1", port: metricsPort)
        func exposition() -> String { (try? SinkHTTPClient.send("GET", to: metrics, path: "/metrics", timeout: 1))?.bodyText ?? "" }
        func sinkValue(_ name: String) -> Double? {
            exposition().split(separator: "\n").first { $0.hasPrefix(#"\#(name){sink="clickhouse"} "#) }
                .flatMap { Double($0.split(separator: " ").last ?? "") }
        }
        #expect(eventually(timeout: 30) { sinkValue("kmon_export_points_buffered") != nil }, "kmon monitor never served /metrics: \(monitor.stderr)")

        // 100 requests at a time are 200 spans, which the 300-span buffer holds until the next insert.
        var sent = try exchange.runClient(requests: 100).count
        #expect(try eventually(timeout: 15) { try count(clickhouse) == 2 * sent }, "rows before the outage: \((try? count(clickhouse)) ?? -1)")

        clickhouse.stop()
        var during = 0
        for _ in 0..<2 { during += try exchange.runClient(requests: 100).count }
        sent += during
        // Two spans per request (server and client side) offered to a 300-span buffer.
        let overflow = 2 * during - buffer
        #expect(eventually(timeout: 10) { sinkValue("kmon_export_points_buffered") == Double(buffer) }, "\(exposition())")
        #expect(eventually(timeout: 5) { sinkValue("kmon_export_points_dropped_total") == Double(overflow) }, "\(exposition())")
        #expect(monitor.isRunning)

        try clickhouse.start()
        #expect(eventually(timeout: 30) { sinkValue("kmon_export_points_buffered") == 0 }, "\(exposition())")
        sent += try exchange.runClient(requests: 100).count
        let status = monitor.stop()
        #expect(status == 0 || status == 130, "kmon monitor exited with \(status): \(monitor.stderr)")
        #expect(monitor.stderr.contains("export clickhouse: delivered \(2 * sent - overflow), dropped \(overflow) (buffer full)"), "\(monitor.stderr)")
        #expect(monitor.stderr.contains("failed sends retried"), "the outage left no trace: \(monitor.stderr)")
        #expect(try count(clickhouse) == 2 * sent - overflow)
        let (servers, clients) = (try count(clickhouse, "side = 'server'"), try count(clickhouse, "side = 'client'"))
        #expect(servers + clients == 2 * sent - overflow)
    }
}
