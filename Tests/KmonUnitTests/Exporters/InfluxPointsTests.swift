@testable import KmonExport
import KmonSystem
import Testing

@Suite struct InfluxPointsTests {
    @Test func periodPointsFollowTheSchema() {
        let aggregator = SpanAggregator()
        let labels = SpanLabels(service: "api", peer: "db", side: .client)
        for micros in [100, 200, 300, 400] as [UInt64] { aggregator.record(labels, durationNanoseconds: micros * 1_000) }
        let snapshot = ExportSnapshot(wallNanoseconds: 1_000, lostEvents: ["tcpreq": 2],
                                      programs: [ProgramRunStats(name: "recv", runCount: 9, runTimeNanoseconds: 500)],
                                      samples: [CollectorSample(name: "kmon_tcp_drops_total", help: "", kind: .counter, labels: ["reason": "RST"], value: 1)],
                                      sinks: [SinkStats(sink: "influx", buffered: 3, dropped: 1)])
        let lines = InfluxExporter.points(for: snapshot, summaries: aggregator.drain()).compactMap(\.line)
        #expect(lines.count == 5)
        #expect(lines[0].hasPrefix("kmon_requests,method=unknown,peer=db,service=api,side=client,status_class=none count=4i,duration_sum_seconds=0.001,"))
        #expect(lines[0].hasSuffix(" 1000"))
        #expect(lines[1] == "kmon_events_lost,collector=tcpreq total=2i 1000")
        #expect(lines[2] == "kmon_bpf_program,program=recv runs=9i,run_time_seconds=5e-07 1000")
        #expect(lines[3] == "kmon_export,sink=influx buffered=3i,delivered=0i,dropped=1i,rejected=0i,failed_attempts=0i 1000")
        #expect(lines[4] == "kmon_tcp_drops_total,reason=RST value=1.0 1000")
        #expect(aggregator.drain().isEmpty)
    }

    @Test func summaryPercentilesComeFromThePeriodsSpans() throws {
        let aggregator = SpanAggregator()
        let labels = SpanLabels(service: "a", peer: "b", side: .server)
        for i in 1...1_000 as ClosedRange<UInt64> { aggregator.record(labels, durationNanoseconds: i * 1_000) }
        let summary = try #require(aggregator.drain()[labels])
        #expect(summary.count == 1_000)
        #expect(summary.sumNanoseconds == 500_500_000)
        #expect(abs(Double(summary.p50Nanoseconds) - 500_000) / 500_000 < 0.01)
        #expect(abs(Double(summary.p99Nanoseconds) - 990_000) / 990_000 < 0.01)
        #expect(abs(Double(summary.maxNanoseconds) - 1_000_000) / 1_000_000 < 0.01)
    }
}
