@testable import KmonCollectors
@testable import KmonExport
@testable import KmonExportAdapters
import Logging
import Testing

@Suite struct CollectorSamplesTests {
    private let empty = Log2Histogram(unit: "us", slots: [])

    @Test func eachCollectorBecomesNamedCounters() {
        let mapper = CollectorSamples()
        let drops = mapper.samples(TCPDropReport(verbosity: 1, total: 5, byKind: ["drop": 3, "send_reset": 2],
                                                 byReason: ["NO_SOCKET": 3], recent: [], lost: CollectorLosses()))
        #expect(drops.contains { $0.name == "kmon_tcp_events_total" && $0.labels == ["kind": "drop"] && $0.value == 3 })
        #expect(drops.contains { $0.name == "kmon_tcp_drop_reasons_total" && $0.labels == ["reason": "NO_SOCKET"] && $0.value == 3 })

        let io = mapper.samples(BioStatReport(verbosity: 1, devices: [
            .init(pid: nil, comm: nil, device: "254:0", deviceName: "vda", operation: "write", count: 4, bytes: 16_384,
                  totalNanoseconds: 2_000_000, maxNanoseconds: 900_000, histogram: nil),
        ], processes: [], lost: CollectorLosses()))
        #expect(io.map(\.name) == ["kmon_block_io_requests_total", "kmon_block_io_bytes_total", "kmon_block_io_seconds_total"])
        #expect(io.allSatisfy { $0.labels == ["device": "vda", "operation": "write"] })
        #expect(io[2].value == 0.002)

        let events = mapper.samples(FCountReport(counts: [.init(event: "syscalls:sys_enter_write", count: 100)], unavailable: [], lost: CollectorLosses()))
        #expect(events == [CollectorSample(name: "kmon_function_events_total", help: events[0].help, kind: .counter,
                                           labels: ["event": "syscalls:sys_enter_write"], value: 100)])
    }

    @Test func offCPUThreadsAddUpPerProcessWithinTheLabelBudget() {
        let mapper = CollectorSamples(processLimit: 1)
        let threads: [OffCPUReport.Thread] = [
            .init(pid: 1, tid: 1, comm: "db", count: 2, totalNanoseconds: 1_000_000_000, histogram: empty),
            .init(pid: 1, tid: 2, comm: "db", count: 3, totalNanoseconds: 500_000_000, histogram: empty),
            .init(pid: 2, tid: 2, comm: "web", count: 1, totalNanoseconds: 250_000_000, histogram: empty),
            .init(pid: 3, tid: 3, comm: "cron", count: 1, totalNanoseconds: 250_000_000, histogram: empty),
        ]
        let samples = mapper.samples(OffCPUReport(verbosity: 1, threads: threads, stacks: [], lost: CollectorLosses()))
        func value(_ name: String, _ comm: String) -> Double? { samples.first { $0.name == name && $0.labels["comm"] == comm }?.value }
        #expect(value("kmon_offcpu_seconds_total", "db") == 1.5)
        #expect(value("kmon_offcpu_switches_total", "db") == 5)
        #expect(value("kmon_offcpu_seconds_total", "other") == 0.5)
        #expect(samples.count == 4)
    }

    @Test func samplesRenderAsPrometheusCounters() throws {
        let exporter = try PrometheusExporter(address: nil, logger: Logger(label: "test"))
        defer { exporter.close(timeout: 0) }
        let samples = CollectorSamples().samples(FCountReport(counts: [.init(event: "sched:sched_switch", count: 7)], unavailable: [], lost: CollectorLosses()))
        exporter.publish(ExportSnapshot(samples: samples))
        let text = exporter.render()
        #expect(text.contains("# TYPE kmon_function_events_total counter\n"))
        #expect(text.contains("kmon_function_events_total{event=\"sched:sched_switch\"} 7.0\n"))
    }
}
