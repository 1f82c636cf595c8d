import Foundation
import KmonContainers
import KmonExport
import KmonSupport
import KmonSystem
import Logging
import Testing

/// Method and exact status in ClickHouse rows, against a real clickhouse-server 18.16: read back
/// span by span, and added to a table an older kmon created without them.
@Suite(Privileged.enabled)
struct ClickHouseStatusTests {
    private static let logger = Logger(label: "kmon.test.clickhouse")
    private static let statuses: [UInt16] = [200, 201, 204, 301, 304, 400, 404, 418, 500, 502, 503, 0, 101, 999]

    private func span(_ i: Int) -> ExportedSpan {
        ExportedSpan(service: "api", peerAddress: "127.0.0.1", side: i % 2 == 0 ? .server : .client, startNanoseconds: MonotonicClock.now(),
                     durationNanoseconds: 1_000, ordinal: UInt64(i),
                     http: HTTPExchange(method: HTTPMethod.allCases[i % HTTPMethod.allCases.count], status: Self.statuses[i % Self.statuses.count]))
    }

    /// Every third span from a container: a pod's on containerd, or a Podman container's (no pod).
    private func containerized(_ i: Int) -> ExportedSpan {
        var s = span(i)
        switch i % 3 {
        case 1: s.container = ContainerInfo(runtime: .containerd, id: String(repeating: "ab", count: 32), name: "api",
                                            pod: "api-7d4b9c6f58-x2kqp", namespace: "shop", podUID: "0f1e2d3c", workload: "api")
        case 2: s.container = ContainerInfo(runtime: .podman, id: String(repeating: "cd", count: 32), name: "store")
        default: break
        }
        return s
    }

    /// A table as the first release made it: without the columns added since.
    private func createFirstReleaseTable(in clickhouse: SinkServer, named table: String, engine: String) throws {
        let old = ClickHouseSpanRows.columns.dropLast(ClickHouseSpanRows.addedColumns.count).map { "`\($0.name)` \($0.type)" }
        _ = try clickhouse.clickhouseQuery("CREATE DATABASE kmon")
        _ = try clickhouse.clickhouseQuery("CREATE TABLE kmon.\(table) (\(old.joined(separator: ", "))) ENGINE = \(engine)")
    }

    private func rows(_ clickhouse: SinkServer, _ sql: String) throws -> [[String]] {
        try clickhouse.clickhouseQuery(sql + " FORMAT TabSeparated").split(separator: "\n")
            .map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    private func export(_ spans: [ExportedSpan], to clickhouse: SinkServer, table: String) throws {
        var settings = ClickHouseExporter.Settings(endpoint: clickhouse.endpoint, table: table)
        settings.delivery.flushInterval = 0.1
        let exporter = try ClickHouseExporter(settings: settings, logger: Self.logger)
        try exporter.checkAtStart()
        for s in spans { exporter.record(s) }
        exporter.close(timeout: 30)
        let stats = exporter.bufferStats
        #expect(stats.delivered == UInt64(spans.count) && stats.rejected == 0 && stats.dropped == 0, "\(stats)")
    }

    @Test func everyRowHasItsSpansMethodAndExactStatus() throws {
        try Privileged.check()
        let clickhouse = try SinkServer.clickhouse().started()
        defer { clickhouse.remove() }
        let spans = (0..<1_000).map(span)
        try export(spans, to: clickhouse, table: "spans_http")

        let read = try rows(clickhouse, "SELECT ordinal, method, status FROM kmon.spans_http ORDER BY ordinal")
        #expect(read.count == spans.count)
        for (row, span) in zip(read, spans) {
            #expect(row == [String(span.ordinal), span.http.method.name, String(span.http.status)], "row \(row), span \(span.http)")
        }
        // The error count a user would query: exact statuses, so any grouping works.
        let errors = try rows(clickhouse, "SELECT count() FROM kmon.spans_http WHERE status >= 500 AND status < 600")
        #expect(errors.first?.first == String(spans.filter { (500..<600).contains($0.http.status) }.count))
    }

    /// The container columns: a span's container id, name, pod and namespace, '' on the host.
    @Test func everyRowHasItsSpansContainerAndPod() throws {
        try Privileged.check()
        let clickhouse = try SinkServer.clickhouse().started()
        defer { clickhouse.remove() }
        let spans = (0..<30).map(containerized)
        try export(spans, to: clickhouse, table: "spans_containers")
        let read = try rows(clickhouse, "SELECT ordinal, container_id, container, pod, namespace FROM kmon.spans_containers ORDER BY ordinal")
        #expect(read.count == spans.count)
        for (row, span) in zip(read, spans) {
            let c = span.container
            #expect(row == [String(span.ordinal), c?.id ?? "", c?.name ?? "", c?.pod ?? "", c?.namespace ?? ""], "row \(row)")
        }
    }

    /// A table from before method and status existed: kmon adds both columns, old rows read
    /// 'unknown' and 0, and new rows carry theirs.
    @Test func anOlderTableGetsTheColumnsAndKeepsItsRows() throws {
        try Privileged.check()
        let clickhouse = try SinkServer.clickhouse().started()
        defer { clickhouse.remove() }
        try createFirstReleaseTable(in: clickhouse, named: "spans_v1",
                                    engine: "MergeTree() PARTITION BY toYYYYMMDD(time) ORDER BY (service, time)")
        _ = try clickhouse.clickhouseQuery("INSERT INTO kmon.spans_v1 (service, ordinal) VALUES ('older', 7)")

        try export([span(8), span(9)], to: clickhouse, table: "spans_v1")
        let read = try rows(clickhouse, "SELECT service, ordinal, method, status, pod FROM kmon.spans_v1 ORDER BY ordinal")
        #expect(read == [["older", "7", "unknown", "0", ""],
                         ["api", "8", span(8).http.method.name, String(span(8).http.status), ""],
                         ["api", "9", span(9).http.method.name, String(span(9).http.status), ""]])
        // A second agent finds the columns there and alters nothing.
        try export([containerized(10)], to: clickhouse, table: "spans_v1")
        #expect(try rows(clickhouse, "SELECT count() FROM kmon.spans_v1").first?.first == "4")
        #expect(try rows(clickhouse, "SELECT pod FROM kmon.spans_v1 WHERE ordinal = 10") == [["api-7d4b9c6f58-x2kqp"]])
    }

    /// A table that cannot take the columns (a Memory table: 18.16 cannot ALTER it) still gets
    /// every span, without method and status, rather than every insert being rejected.
    @Test func aTableThatCannotBeAlteredGetsRowsWithoutTheColumns() throws {
        try Privileged.check()
        let clickhouse = try SinkServer.clickhouse().started()
        defer { clickhouse.remove() }
        try createFirstReleaseTable(in: clickhouse, named: "spans_memory", engine: "Memory")

        try export((0..<20).map(span), to: clickhouse, table: "spans_memory")
        #expect(try rows(clickhouse, "SELECT count() FROM kmon.spans_memory").first?.first == "20")
        #expect(try rows(clickhouse, "SELECT count() FROM system.columns WHERE database = 'kmon' AND table = 'spans_memory' AND name IN ('method', 'status')")
                    .first?.first == "0")
    }
}
