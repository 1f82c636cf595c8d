import Foundation
import KmonExport
import KmonSupport
import KmonSystem
import KmonTestSupport
import Logging
import Testing

/// The ClickHouse span exporter against a real clickhouse-server 18.16: every span a row with
/// its fields intact, an outage in the middle, and credentials it refuses.
@Suite(Privileged.enabled)
struct ClickHouseExporterTests {
    private static let logger = Logger(label: "kmon.test.clickhouse")

    private func span(_ i: Int) -> ExportedSpan {
        let service = ["front", "cart", "db"][i % 3]
        return ExportedSpan(service: service, peerName: i % 4 == 0 ? nil : "peer\(i % 2)", peerAddress: "127.0.0.1:\(9000 + i % 3)",
                            side: i % 2 == 0 ? .server : .client, startNanoseconds: MonotonicClock.now(),
                            durationNanoseconds: UInt64(1_000 + i), pid: Int32(100 + i % 5), ordinal: UInt64(i / 7), partial: i % 97 == 0,
                            tuple: ConnectionTuple(local: .at("127.0.0.1", UInt16(30_000 + i % 1000)), remote: .at(i % 5 == 0 ? "::1" : "127.0.0.2", 8080)),
                            requestBytes: UInt64(64 + i % 10), responseBytes: UInt64(256 + i % 3))
    }

    private func count(_ server: SinkServer, _ whereClause: String = "1", table: String = "kmon.spans") throws -> Int {
        Int(try server.clickhouseQuery("SELECT count() FROM \(table) WHERE \(whereClause)").trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    @Test func everySpanBecomesOneRowWithItsFields() throws {
        try Privileged.check()
        let clickhouse = try SinkServer.clickhouse().started()
        defer { clickhouse.remove() }

        var settings = ClickHouseExporter.Settings(endpoint: clickhouse.endpoint, table: "spans_it")
        settings.delivery.batchSize = 3_000 // several inserts
        settings.delivery.flushInterval = 0.1
        let exporter = try ClickHouseExporter(settings: settings, logger: Self.logger)
        try exporter.checkAtStart()
        let spans = (0..<10_000).map(span)
        let before = WallClock.nowNanoseconds()
        for s in spans { exporter.record(s) }
        exporter.close(timeout: 30)
        let stats = exporter.bufferStats
        #expect(stats.delivered == 10_000 && stats.buffered == 0 && stats.dropped == 0 && stats.rejected == 0)

        #expect(try count(clickhouse, table: "kmon.spans_it") == 10_000)
        let perSeries = try clickhouse.clickhouseQuery("SELECT service, side, count() FROM kmon.spans_it GROUP BY service, side ORDER BY service, side FORMAT TabSeparated")
        var expected: [String: Int] = [:]
        for s in spans { expected["\(s.service)\t\(s.side.rawValue)", default: 0] += 1 }
        let rows = perSeries.split(separator: "\n").map { $0.split(separator: "\t") }
        #expect(rows.count == expected.count)
        for row in rows { #expect(expected["\(row[0])\t\(row[1])"] == Int(row[2]), "\(row)") }

        // One row read back whole: every column as the span had it.
        let probe = spans[1234]
        let line = try clickhouse.clickhouseQuery("""
            SELECT service, peer, peer_address, side, local_address, local_port, remote_address, remote_port, ordinal, start_ns,
                   duration_ns, request_bytes, response_bytes, pid, partial, time_unix_ns, toUnixTimestamp(time), node
            FROM kmon.spans_it WHERE start_ns = \(probe.startNanoseconds) AND duration_ns = \(probe.durationNanoseconds) FORMAT TabSeparated
            """).trimmingCharacters(in: .newlines).split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        #expect(Array(line.prefix(15)) == [probe.service, probe.peerName ?? probe.peerAddress, probe.peerAddress, probe.side.rawValue,
                                           "127.0.0.1", String(probe.tuple!.local.port), "127.0.0.2", "8080", "\(probe.ordinal)",
                                           "\(probe.startNanoseconds)", "\(probe.durationNanoseconds)", "\(probe.requestBytes)",
                                           "\(probe.responseBytes)", "\(probe.pid)", "0"])
        let wall = UInt64(line[15]) ?? 0
        #expect(wall >= before - 2_000_000_000 && wall <= WallClock.nowNanoseconds(), "wall time \(wall), test began at \(before)")
        #expect(UInt64(line[16]) == wall / 1_000_000_000)
        #expect(!line[17].isEmpty)
        #expect(try count(clickhouse, "partial = 1", table: "kmon.spans_it") == spans.filter(\.partial).count)
        #expect(try count(clickhouse, "remote_address = '::1'", table: "kmon.spans_it") == 2_000)
    }

    @Test func anOutageLosesNothingTheBufferCouldHoldAndCountsTheRest() throws {
        try Privileged.check()
        let clickhouse = try SinkServer.clickhouse().started()
        defer { clickhouse.remove() }

        var settings = ClickHouseExporter.Settings(endpoint: clickhouse.endpoint)
        settings.delivery.bufferCapacity = 1_000
        settings.delivery.flushInterval = 0.1
        settings.delivery.initialBackoff = 0.05
        settings.delivery.maxBackoff = 0.4
        settings.delivery.requestTimeout = 2
        let exporter = try ClickHouseExporter(settings: settings, logger: Self.logger)
        defer { exporter.close(timeout: 5) }
        try exporter.checkAtStart()
        for i in 0..<100 { exporter.record(span(i)) }
        #expect(eventually(timeout: 10) { exporter.bufferStats.delivered == 100 })

        clickhouse.stop()
        var slowest = 0.0
        for i in 0..<1_500 {
            let start = Date()
            exporter.record(span(100 + i))
            slowest = max(slowest, Date().timeIntervalSince(start))
        }
        #expect(eventually(timeout: 5) { exporter.bufferStats.failedAttempts >= 1 })
        let down = exporter.bufferStats
        #expect(down.buffered == 1_000, "the buffer holds what it can")
        #expect(down.dropped == 500, "and counts the rest")
        #expect(slowest < 0.05, "recording must not wait on the dead sink (slowest: \(slowest) s)")

        try clickhouse.start()
        #expect(eventually(timeout: 20) { exporter.bufferStats.buffered == 0 })
        let back = exporter.bufferStats
        #expect(back.delivered == 1_100 && back.dropped == 500 && back.rejected == 0)
        #expect(try count(clickhouse) == 1_100)
        // The first 1,000 spans of the outage were kept, the last 500 dropped.
        #expect(try count(clickhouse, "ordinal >= \(1_100 / 7 + 1)") == 0)
    }

    @Test func refusedCredentialsFailAtStartNamingTheSink() throws {
        try Privileged.check()
        let clickhouse = try SinkServer.clickhouse(kmonPassword: "right").started()
        defer { clickhouse.remove() }

        var wrong = ClickHouseExporter.Settings(endpoint: clickhouse.endpoint, auth: .basic(user: "kmon", password: "wrong"))
        wrong.delivery.requestTimeout = 2
        let refused = try ClickHouseExporter(settings: wrong, logger: Self.logger)
        defer { refused.close(timeout: 0) }
        let error = #expect(throws: ExportError.self) { try refused.checkAtStart() }
        #expect(error?.isBadCredentials == true)
        #expect(error?.description.hasPrefix("clickhouse: POST \(clickhouse.url)/") == true, "\(String(describing: error))")
        #expect(error?.description.contains("HTTP 401") == true)
        #expect(error?.description.contains("wrong") == false || error?.description.contains("(wrong user") == true)

        let right = try ClickHouseExporter(settings: .init(endpoint: clickhouse.endpoint, auth: .basic(user: "kmon", password: "right")), logger: Self.logger)
        try right.checkAtStart()
        right.record(span(1))
        right.close(timeout: 10)
        #expect(right.bufferStats.delivered == 1)
        #expect(try count(clickhouse) == 1)
    }
}
