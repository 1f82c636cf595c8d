import Foundation
import KmonExport
import KmonSupport
import KmonSystem
import KmonTcpreq
import Testing

/// nginx answering a known mix of 200, 404 and 500, watched by `kmon monitor` in each variant
/// that reads status (kernel mode): exact counts per status class for the nginx service (server
/// vantage) and the client's edge, and ClickHouse rows with each span's exact status.
@Suite(Privileged.enabled)
struct NginxStatusTests {
    /// 40 GET /ok, 10 POST /ok with a body, 25 GET of a missing file, 15 GET /fail, in a fixed
    /// shuffled order: keep-alive connections carry mixed answers, and each 500 ends one.
    static func mix() -> [StatusClient.Request] {
        var requests = [StatusClient.Request](repeating: .init(path: "/ok"), count: 40)
        requests += [StatusClient.Request](repeating: .init(method: "POST", path: "/ok", body: String(repeating: "b", count: 300)), count: 10)
        requests += [StatusClient.Request](repeating: .init(path: "/missing.html"), count: 25)
        requests += [StatusClient.Request](repeating: .init(path: "/fail"), count: 15)
        var generator = SeededGenerator(seed: 26)
        requests.shuffle(using: &generator)
        return requests
    }

    private func rows(_ clickhouse: SinkServer, _ sql: String) throws -> [[String]] {
        try clickhouse.clickhouseQuery(sql + " FORMAT TabSeparated").split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
    }

    @Test(arguments: [ProbeVariant.sock, .syscall, .skb])
    func nginxsMixIsCountedExactlyPerStatusClassAndEverySpanHasItsStatus(variant: ProbeVariant) throws {
        try Privileged.check()
        let nginx = try SinkServer.nginxStatus().started()
        defer { nginx.remove() }
        let clickhouse = try SinkServer.clickhouse().started()
        defer { clickhouse.remove() }

        let monitor = try ChildMonitor(arguments: ["--json", "--variant", variant.rawValue, "--interval", "0.2", "--port", "\(nginx.port)", "--clickhouse", clickhouse.url])
        defer { monitor.kill() }
        try monitor.waitUntilWatching(timeout: 30)
        let answers = try StatusClient.run(Self.mix(), port: nginx.port)
        // The client's own view first: nginx answered the mix as configured.
        var expected = StatusClassCounts()
        for answer in answers { expected[HTTPStatusClass(status: answer.status)] += 1 }
        #expect(expected.success == 50 && expected.clientError == 25 && expected.serverError == 15 && expected.total == 90, "\(expected)")
        let summary = try monitor.interruptAndReadSummary()
        #expect(summary.lost == 0)

        let service = try #require(summary.services.first { $0.name == "nginx" }, "services: \(summary.services.map(\.name))")
        #expect(service.requests == 90 && service.status_classes == expected, "nginx (server side): \(service.status_classes)")
        #expect(service.errors_5xx == 15 && service.errors_4xx == 25)
        let edges = summary.edges.filter { $0.to == "nginx" }
        #expect(edges.count == 1, "edges to nginx: \(edges.map { "\($0.from)->\($0.to)" })")
        let edge = try #require(edges.first)
        #expect(edge.requests == 90 && edge.status_classes == expected, "\(edge.from) -> nginx (client side): \(edge.status_classes)")
        #expect(edge.errors_5xx == 15 && edge.errors_4xx == 25)

        // Each span's row, found by its connection and place on it, has the status the client got.
        #expect(monitor.stderr.contains("export clickhouse: delivered"), "\(monitor.stderr.suffix(2000))")
        let truth = Dictionary(uniqueKeysWithValues: answers.map { ("\($0.localPort) \($0.ordinal)", $0) })
        for (side, port) in [("client", "local_port"), ("server", "remote_port")] {
            let read = try rows(clickhouse, "SELECT \(port), ordinal, method, status FROM kmon.spans WHERE side = '\(side)'")
            #expect(read.count == answers.count, "\(side) rows: \(read.count), requests \(answers.count)")
            var wrong: [String] = []
            for row in read {
                let sent = truth["\(row[0]) \(row[1])"]
                if sent == nil || row[2] != sent!.method.name || row[3] != String(sent!.status) {
                    wrong.append("\(row) vs \(sent.map { "\($0.method.name) \($0.status)" } ?? "no such request")")
                }
            }
            #expect(wrong.isEmpty, "\(side) rows whose method or status differ from what was sent: \(wrong.prefix(10))")
        }
    }
}
