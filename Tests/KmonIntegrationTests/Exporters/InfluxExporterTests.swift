import Foundation
import KmonExport
import KmonSupport
import KmonSystem
import Logging
import Testing

/// The InfluxDB exporter against a real influxd 1.6: points written, read back through /query,
/// and an outage in the middle of a run.
@Suite(Privileged.enabled)
struct InfluxExporterTests {
    private static let logger = Logger(label: "kmon.test.influx")

    private func span(_ service: String, peer: String, side: SpanRole, micros: UInt64) -> ExportedSpan {
        ExportedSpan(service: service, peerAddress: peer, side: side, startNanoseconds: MonotonicClock.now(), durationNanoseconds: micros * 1_000)
    }

    /// The first value of the first series an InfluxQL query returns.
    private func scalar(_ server: SinkServer, db: String, _ query: String) throws -> Double? {
        let q = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let json = try server.getJSON("/query?db=\(db)&q=\(q)")
        let results = json["results"] as? [[String: Any]]
        if let error = results?.first?["error"] as? String { throw SinkServerError("InfluxQL error: \(error)") }
        let series = results?.first?["series"] as? [[String: Any]]
        let values = series?.first?["values"] as? [[Any]]
        return (values?.first?.dropFirst().first as? NSNumber)?.doubleValue
    }

    @Test func pointsWrittenEachPeriodAreReadBackWithTheRightCounts() throws {
        try Privileged.check()
        let influxd = try SinkServer.influxd().started()
        defer { influxd.remove() }

        var settings = InfluxExporter.Settings(endpoint: influxd.endpoint, database: "kmon_it")
        settings.delivery.batchSize = 7 // several batches per period, so batching is exercised
        let exporters = ExporterSet(sinks: [try InfluxExporter(settings: settings, logger: Self.logger)], period: 0.3)
        let runs = RunCounter()
        exporters.start {
            ExportSnapshot(lostEvents: ["tcpreq": 3],
                           programs: [ProgramRunStats(name: "tcpreq_recv", runCount: runs.next(), runTimeNanoseconds: 1_000)])
        }
        // 1_200 spans over ~1.2 s, on 6 series, so they fall into several periods.
        var expected: [String: Int] = [:]
        for i in 0..<1_200 {
            let service = ["front", "cart", "db"][i % 3]
            let side: SpanRole = i % 2 == 0 ? .server : .client
            exporters.record(span(service, peer: "127.0.0.1:\(9000 + i % 3)", side: side, micros: UInt64(50 + i % 200)))
            expected[service, default: 0] += 1
            if i % 100 == 99 { usleep(100_000) }
        }
        let final = exporters.close(timeout: 10)
        let stats = try #require(final.first)
        #expect(stats.buffered == 0)
        #expect(stats.dropped == 0 && stats.rejected == 0)
        #expect(stats.delivered > 0)

        #expect(try scalar(influxd, db: "kmon_it", #"SELECT sum("count") FROM kmon_requests"#) == 1_200)
        for (service, count) in expected {
            #expect(try scalar(influxd, db: "kmon_it", #"SELECT sum("count") FROM kmon_requests WHERE service='\#(service)'"#) == Double(count))
        }
        let periods = try #require(try scalar(influxd, db: "kmon_it", #"SELECT count("total") FROM kmon_events_lost"#))
        #expect(periods >= 4, "one lost-events point per period over ~1.2 s at 0.3 s periods")
        #expect(try scalar(influxd, db: "kmon_it", #"SELECT last("total") FROM kmon_events_lost WHERE collector='tcpreq'"#) == 3)
        #expect(try scalar(influxd, db: "kmon_it", #"SELECT last("runs") FROM kmon_bpf_program"#) == Double(runs.value))
        let p99 = try #require(try scalar(influxd, db: "kmon_it", #"SELECT max("duration_p99_seconds") FROM kmon_requests"#))
        #expect(p99 > 0.000_2 && p99 < 0.000_26)
    }

    @Test func anOutageBuffersPointsCountsDropsAndDeliversOnceBack() throws {
        try Privileged.check()
        let influxd = try SinkServer.influxd().started()
        defer { influxd.remove() }

        var settings = InfluxExporter.Settings(endpoint: influxd.endpoint, database: "kmon_outage")
        settings.delivery.bufferCapacity = 20
        settings.delivery.initialBackoff = 0.05
        settings.delivery.maxBackoff = 0.4
        settings.delivery.requestTimeout = 2
        let exporter = try InfluxExporter(settings: settings, logger: Self.logger)
        defer { exporter.close(timeout: 5) }
        // Each period here is 2 points: one request summary and one lost-events point.
        func period(spans: Int) -> Double {
            let start = Date()
            for _ in 0..<spans { exporter.record(span("front", peer: "127.0.0.1:9000", side: .server, micros: 100)) }
            exporter.publish(ExportSnapshot(lostEvents: ["tcpreq": 0]))
            return Date().timeIntervalSince(start)
        }

        _ = period(spans: 100)
        #expect(eventually(timeout: 10) { exporter.bufferStats.delivered == 2 })

        influxd.stop()
        var slowest = 0.0
        for _ in 0..<15 { slowest = max(slowest, period(spans: 10)) }
        // 30 points offered to a 20-point buffer while the sink is down: the first 20 wait,
        // the last 10 are dropped and counted.
        #expect(eventually(timeout: 5) { exporter.bufferStats.failedAttempts >= 1 })
        let down = exporter.bufferStats
        #expect(down.buffered == 20)
        #expect(down.dropped == 10)
        #expect(down.delivered == 2)
        #expect(slowest < 0.05, "recording and publishing must not wait on the dead sink (slowest period: \(slowest) s)")

        try influxd.start()
        #expect(eventually(timeout: 15) { exporter.bufferStats.buffered == 0 })
        let back = exporter.bufferStats
        #expect(back.delivered == 22)
        #expect(back.dropped == 10)

        // 100 spans before the outage, and 10 in each of the 10 periods the buffer kept.
        #expect(try scalar(influxd, db: "kmon_outage", #"SELECT sum("count") FROM kmon_requests"#) == 200)
        #expect(try scalar(influxd, db: "kmon_outage", #"SELECT count("count") FROM kmon_requests"#) == 11)

        // The exporter's own account reaches the sink too.
        exporter.publish(ExportSnapshot(sinks: [exporter.bufferStats]))
        #expect(eventually(timeout: 10) { exporter.bufferStats.buffered == 0 })
        #expect(try scalar(influxd, db: "kmon_outage", #"SELECT last("dropped") FROM kmon_export WHERE sink='influx'"#) == 10)
    }
}

/// Cumulative program runs that grow each period, as the kernel's counters do.
final class RunCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var runs: UInt64 = 0
    func next() -> UInt64 { lock.withLock { runs += 10; return runs } }
    var value: UInt64 { lock.withLock { runs } }
}
