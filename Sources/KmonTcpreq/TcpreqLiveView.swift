import KmonSupport

/// The text `kmon monitor` shows while it runs: per service and per edge, the request rate over
/// the last interval, the total, p50/p99 and the 5xx share so far; then losses and program costs.
public enum TcpreqLiveView {
    public static func render(_ snapshot: TcpreqSnapshot, previous: TcpreqSnapshot?) -> [String] {
        let interval = max(snapshot.elapsedSeconds - (previous?.elapsedSeconds ?? 0), 1e-9)
        func rate(_ now: UInt64, _ before: UInt64?) -> String {
            String(Int(saturating: (Double(now - min(before ?? 0, now)) / interval).rounded()))
        }
        func micros(_ t: TrafficSummary, _ p: Double) -> String {
            t.microseconds(atPercentile: p).map { String(Int($0.rounded())) } ?? "-"
        }
        /// The share of requests so far answered 5xx, in percent; "-" while none carried a status
        /// (not HTTP, or a variant or mode that reads none), where 0.0 would claim a clean record.
        func errors(_ t: TrafficSummary) -> String {
            guard t.statusClasses.withStatus > 0, t.requests > 0 else { return "-" }
            return String((Double(t.statusClasses.serverError) / Double(t.requests) * 1000).rounded() / 10)
        }
        let before = previous?.topology
        var lines = ["kmon monitor — \(snapshot.variant.rawValue)/\(snapshot.mode.rawValue), \(Int(snapshot.elapsedSeconds)) s", ""]
        lines += TextTable.render(
            header: ["service", "pids", "req/s", "requests", "p50 µs", "p99 µs", "5xx %"],
            rows: snapshot.topology.services.map { s in
                [s.name, s.pids.map(String.init).joined(separator: ","),
                 rate(s.traffic.requests, before?.service(named: s.name)?.traffic.requests),
                 String(s.traffic.requests), micros(s.traffic, 50), micros(s.traffic, 99), errors(s.traffic)]
            })
        lines.append("")
        lines += TextTable.render(
            header: ["edge", "req/s", "requests", "p50 µs", "p99 µs", "5xx %"],
            rows: snapshot.topology.edges.map { e in
                ["\(e.from) -> \(e.to)", rate(e.traffic.requests, before?.edge(from: e.from, to: e.to)?.traffic.requests),
                 String(e.traffic.requests), micros(e.traffic, 50), micros(e.traffic, 99), errors(e.traffic)]
            })
        lines.append("")
        let lost = snapshot.counters.lost
        lines.append("lost \(lost.total) (ring buffer \(lost.ringBuffer), storage \(lost.storage), evicted \(lost.evicted), listeners \(lost.listeners), unindexed \(lost.unindexed)), records \(snapshot.counters.records), spans \(snapshot.counters.spans)")
        let costs = snapshot.programs.map { p in
            "\(p.name) \(p.nanosecondsPerRun.map { String(Int($0.rounded())) } ?? "-") ns × \(p.runCount)"
        }
        lines.append("programs: " + costs.joined(separator: ", "))
        return lines
    }
}

/// Receives monitor snapshots: exporters (Prometheus, InfluxDB, JSON lines) implement it and
/// `kmon monitor` feeds every registered sink once per interval and once at the end.
public protocol TcpreqSnapshotSink: AnyObject {
    func publish(_ snapshot: TcpreqSnapshot) throws
    /// The last snapshot, after the probes are detached. Flush and close here.
    func finish(_ snapshot: TcpreqSnapshot) throws
}
