import KmonExport
import KmonSystem
import Logging
import Testing

@Suite struct PrometheusExporterTests {
    private func span(_ service: String, _ peer: String, _ side: SpanRole, micros: UInt64) -> ExportedSpan {
        ExportedSpan(service: service, peerAddress: peer, side: side, startNanoseconds: 0, durationNanoseconds: micros * 1_000)
    }

    @Test func rendersHistogramAndCountersWithHelpAndType() throws {
        let exporter = try PrometheusExporter(address: nil, logger: Logger(label: "test"))
        defer { exporter.close(timeout: 0) }
        for _ in 0..<3 { exporter.record(span("api", "127.0.0.1:9000", .client, micros: 80)) }
        exporter.record(span("api", "127.0.0.1:9000", .client, micros: 3_000))
        let text = exporter.render()
        let labels = #"service="api",peer="127.0.0.1:9000",side="client",method="unknown",status_class="none""#
        #expect(text.contains("# HELP kmon_request_duration_seconds "))
        #expect(text.contains("# TYPE kmon_request_duration_seconds histogram\n"))
        #expect(text.contains("# TYPE kmon_requests_total counter\n"))
        #expect(text.contains("kmon_requests_total{\(labels)} 4\n"))
        #expect(text.contains("kmon_request_duration_seconds_bucket{\(labels),le=\"0.0001\"} 3\n"))
        #expect(text.contains("kmon_request_duration_seconds_bucket{\(labels),le=\"0.0025\"} 3\n"))
        #expect(text.contains("kmon_request_duration_seconds_bucket{\(labels),le=\"0.005\"} 4\n"))
        #expect(text.contains("kmon_request_duration_seconds_count{\(labels)} 4\n"))
    }

    @Test func cumulativeReadingsBecomeMonotonicCounters() throws {
        let exporter = try PrometheusExporter(address: nil, logger: Logger(label: "test"))
        defer { exporter.close(timeout: 0) }
        exporter.publish(ExportSnapshot(lostEvents: ["tcpreq": 5],
                                        programs: [ProgramRunStats(name: "send", runCount: 100, runTimeNanoseconds: 2_000_000_000)]))
        exporter.publish(ExportSnapshot(lostEvents: ["tcpreq": 8],
                                        programs: [ProgramRunStats(name: "send", runCount: 150, runTimeNanoseconds: 3_000_000_000)],
                                        sinks: [SinkStats(sink: "influx", buffered: 7, delivered: 1, dropped: 2)]))
        let text = exporter.render()
        #expect(text.contains("# TYPE kmon_events_lost_total counter\nkmon_events_lost_total{collector=\"tcpreq\"} 8\n"))
        #expect(text.contains("kmon_bpf_program_runs_total{program=\"send\"} 150\n"))
        #expect(text.contains("kmon_bpf_program_run_seconds_total{program=\"send\"} 3.0\n"))
        #expect(text.contains("# HELP kmon_bpf_program_run_seconds_total "))
        #expect(text.contains("kmon_export_points_dropped_total{sink=\"influx\"} 2\n"))
        #expect(text.contains("kmon_export_points_buffered{sink=\"influx\"} 7.0\n"))
    }

    @Test func peerCardinalityIsBoundedInTheExposition() throws {
        let exporter = try PrometheusExporter(address: nil, labelLimits: .init(services: 4, peerNames: 4, peerAddresses: 5),
                                              logger: Logger(label: "test"))
        defer { exporter.close(timeout: 0) }
        for port in 40_000..<40_100 { exporter.record(span("api", "127.0.0.1:\(port)", .server, micros: 50)) }
        let lines = exporter.render().split(separator: "\n").filter { $0.hasPrefix("kmon_requests_total{") }
        #expect(lines.count == 6)
        #expect(lines.contains { $0.contains(#"peer="other""#) && $0.hasSuffix(" 95") })
    }

    @Test func inconsistentCollectorSamplesAreSkippedNotFatal() throws {
        let exporter = try PrometheusExporter(address: nil, logger: Logger(label: "test"))
        defer { exporter.close(timeout: 0) }
        exporter.publish(ExportSnapshot(samples: [
            CollectorSample(name: "kmon_offcpu_seconds_total", help: "Off-CPU time.", kind: .counter, labels: ["pid": "1"], value: 2),
            CollectorSample(name: "kmon_offcpu_seconds_total", help: "Off-CPU time.", kind: .counter, value: 3),
            CollectorSample(name: "kmon_offcpu_seconds_total", help: "Off-CPU time.", kind: .gauge, labels: ["pid": "1"], value: 3),
        ]))
        let text = exporter.render()
        #expect(text.contains("kmon_offcpu_seconds_total{pid=\"1\"} 2.0\n"))
        #expect(!text.contains("kmon_offcpu_seconds_total 3"))
    }
}
