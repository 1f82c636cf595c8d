import Benchmark
import Foundation

/// The ClickHouse span sink must keep up with at least 200k spans/s from one agent thread:
/// spans recorded as fast as one thread can, inserted into a real clickhouse-server
/// (`KMON_CLICKHOUSE_URL`, else one started on loopback), and the clock stops only when the
/// server has them all. Throughput is spans per second end to end; CPU is the agent process's
/// (recording and sender threads), so cpuTotal / 1M is its CPU per span.
let benchmarks: @Sendable () -> Void = {
    nonisolated(unsafe) var server: ClickHouseSinkDriver.Server?
    Benchmark.setup = { server = try? ClickHouseSinkDriver.Server() }
    Benchmark.teardown = { server?.stop(); server = nil }

    Benchmark("ClickHouse sink: 1M spans recorded and inserted, end to end",
              configuration: .init(metrics: [.throughput, .wallClock, .cpuTotal], scalingFactor: .mega,
                                   maxDuration: .seconds(60), maxIterations: 5)) { benchmark in
        guard let url = server?.url else { fatalError("no clickhouse-server: install clickhouse-server or set KMON_CLICKHOUSE_URL") }
        benchmark.startMeasurement()
        let result = try ClickHouseSinkDriver.run(count: benchmark.scaledIterations.count, url: url, table: "bench_spans")
        benchmark.stopMeasurement()
        precondition(result.rows >= result.spans, "ClickHouse holds \(result.rows) rows for \(result.spans) spans")
    }
}
