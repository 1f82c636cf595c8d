import KmonCollectors
import KmonTcpreq

/// `kmon monitor --json`: tcpreq's summary at the top level (when it ran) and every other
/// collector under `collectors.<name>`. The coder stays hand-written because the JSON is flat
/// where the type nests: tcpreq's keys sit beside `collectors`, and no `tcpreq` key is written.
struct MonitorJSONSummary: Encodable {
    let tcpreq: TcpreqSummary?
    let collectors: [String: CollectorSummary]

    enum CodingKeys: String, CodingKey { case collectors }

    func encode(to encoder: Encoder) throws {
        try tcpreq?.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(collectors, forKey: .collectors)
    }
}
