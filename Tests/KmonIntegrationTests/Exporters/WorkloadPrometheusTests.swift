import Foundation
import KmonExport
import KmonHTTP
import KmonLoad
import KmonSystem
import KmonWorkload
import Testing

/// The whole path a user runs: the chain3 workload (three `kmon-service` processes) under the
/// load generator, `kmon monitor` watching it, and Prometheus scraping the monitor every second.
@Suite(Privileged.enabled)
struct WorkloadPrometheusTests {
    private func query(_ prometheus: SinkServer, _ expression: String) throws -> Double? {
        let q = expression.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let json = try prometheus.getJSON("/api/v1/query?query=\(q)")
        let result = (json["data"] as? [String: Any])?["result"] as? [[String: Any]]
        return ((result?.first?["value"] as? [Any])?.last as? String).flatMap(Double.init)
    }

    @Test func prometheusCountsMatchTheLoadGeneratorAndTheServicesOwnRecords() throws {
        try Privileged.check()
        let recorded = try RecordedWorkload("chain3")
        defer { recorded.remove() }
        let spec = recorded.spec, workload = recorded.running

        let metricsPort = try SinkServer.freePort()
        let monitor = try MonitorProcess(arguments: ["--interval", "0.2", "--prometheus", "127.0.0.1:\(metricsPort)"]
                                         + recorded.pidArguments)
        defer { monitor.remove() }
        let metrics = HTTPEndpoint(host: "127.0.0.1", port: metricsPort)
        #expect(eventually(timeout: 30) { (try? SinkHTTPClient.send("GET", to: metrics, path: "/metrics", timeout: 1))?.status == 200 },
                "kmon monitor never served /metrics: \(monitor.stderr)")
        let prometheus = try SinkServer.prometheus(scraping: ListenAddress(host: "127.0.0.1", port: metricsPort), scrapeInterval: 1).started()
        defer { prometheus.remove() }
        #expect(try eventually(timeout: 20) { try query(prometheus, #"up{job="kmon"}"#) == 1 })

        let truth = try SteadyLoad.run(on: workload).count
        let connections = SteadyLoad.connections

        // One read interval of the monitor (0.2 s) and one scrape interval (1 s) after the load,
        // with 0.3 s for Prometheus to store the scrape, its counts must agree with the load
        // generator (ingress) and the services' own records (edges). The span model closes a span
        // on a keep-alive connection at that connection's next request or close (or when the
        // monitor stops), so while the monitor runs, up to one span per open connection, 4 per
        // hop here, has not been counted yet; never more, and never extra.
        usleep(1_500_000)
        func agrees(_ exported: Double?, _ expected: Int) -> Bool {
            exported.map { $0 <= Double(expected) && Double(expected) - $0 <= Double(connections) } ?? false
        }
        let seen = try query(prometheus, #"sum(kmon_requests_total{service="\#(spec.ingress)",side="server"})"#)
        #expect(agrees(seen, truth), "Prometheus \(String(describing: seen)), load generator \(truth)")
        var edges: [String: Double] = [:]
        for edge in spec.edges {
            edges[edge.callee] = try query(prometheus, #"sum(kmon_requests_total{service="\#(edge.caller)",peer="\#(edge.callee)",side="client"})"#)
        }
        #expect(try query(prometheus, "sum(kmon_events_lost_total)") == 0)

        let status = monitor.stop()
        #expect(status == 0 || status == 130, "kmon monitor exited with \(status): \(monitor.stderr)")
        #expect(workload.stop().isEmpty)
        let served = try recorded.servedOnWorkRoute()
        for edge in spec.edges {
            let exported = edges[edge.callee] ?? nil
            #expect(agrees(exported, served[edge.callee] ?? -1),
                    "\(edge.caller)->\(edge.callee): Prometheus \(String(describing: exported)), \(edge.callee)'s records \(served[edge.callee] ?? -1)")
        }
    }
}
