import KmonCollectors
import KmonSupport
import KmonTcpreq

/// `kmon monitor --json`: tcpreq's summary at the top level (when it ran) and every other
/// collector under `collectors.<name>`; no `tcpreq` key is written.
struct MonitorJSONSummary: FlatEncodable {
    let tcpreq: TcpreqSummary?
    let collectors: [String: CollectorSummary]

    private struct Collectors: Encodable { let collectors: [String: CollectorSummary] }

    var flatParts: [any Encodable] {
        (tcpreq.map { [$0] } ?? []) + [Collectors(collectors: collectors)]
    }
}
