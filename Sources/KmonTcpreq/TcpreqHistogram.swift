import CKmonEvents
import KmonSystem

/// One in-kernel latency histogram (histogram mode), summed over CPUs. A server histogram is
/// keyed by the service's local endpoint; a client histogram by the remote endpoint it called.
public struct TcpreqHistogram: Hashable, Sendable {
    public var role: SpanRole
    public var tgid: Int32
    /// Server: the local endpoint that served; client: the remote endpoint that was called.
    public var endpoint: SocketEndpoint
    public var count: UInt64
    public var totalNanoseconds: UInt64
    public var requestBytes: UInt64
    public var responseBytes: UInt64
    /// `slots[i]` counts spans of [2^i, 2^(i+1)) nanoseconds; partial spans are in `count`
    /// and the byte totals only (`totalNanoseconds` leaves them out too).
    public var slots: [UInt64]

    public var partial: UInt64 { count &- slots.reduce(0, &+) }

    public init(role: SpanRole, tgid: Int32, endpoint: SocketEndpoint, count: UInt64, totalNanoseconds: UInt64,
                requestBytes: UInt64, responseBytes: UInt64, slots: [UInt64]) {
        self.role = role
        self.tgid = tgid
        self.endpoint = endpoint
        self.count = count
        self.totalNanoseconds = totalNanoseconds
        self.requestBytes = requestBytes
        self.responseBytes = responseBytes
        self.slots = slots
    }

    /// Sums one key's per-CPU values as the kernel's map holds them.
    init?(key: tcpreq_hist_key, perCPU: [tcpreq_hist]) {
        guard let role = TcpreqRecord.role(key.role) else { return nil }
        var slots = [UInt64](repeating: 0, count: Int(TCPREQ_HIST_SLOTS))
        var count: UInt64 = 0, total: UInt64 = 0, request: UInt64 = 0, response: UInt64 = 0
        for value in perCPU {
            count &+= value.count
            total &+= value.total_ns
            request &+= value.request_bytes
            response &+= value.response_bytes
            var copy = value.slots
            withUnsafeBytes(of: &copy) { raw in
                for i in slots.indices { slots[i] &+= raw.load(fromByteOffset: i * 8, as: UInt64.self) }
            }
        }
        var bytes = key.addr
        let address = IPAddress(networkBytes: &bytes, family: Int32(key.family))
        self.init(role: role, tgid: Int32(bitPattern: key.tgid), endpoint: SocketEndpoint(address: address, port: key.port),
                  count: count, totalNanoseconds: total, requestBytes: request, responseBytes: response, slots: slots)
    }

    /// A representative duration per slot: the geometric middle of [2^i, 2^(i+1)), so
    /// percentiles from these histograms are good to within a factor of √2.
    public static func slotMidpointNanoseconds(_ slot: Int) -> UInt64 {
        UInt64((Double(UInt64(1) << UInt64(slot)) * 2.0.squareRoot()).rounded())
    }
}

extension [TcpreqHistogram] {
    /// These histograms with `spans` counted in, each in its connection's row (as the kernel's
    /// `record_histogram` would have): for spans user space closed at stop.
    func adding(_ spans: [Span]) -> [TcpreqHistogram] {
        var rows = self
        for span in spans {
            let endpoint = span.role == .server ? span.tuple.local : span.tuple.remote
            var index = rows.firstIndex { $0.role == span.role && $0.tgid == span.tgid && $0.endpoint == endpoint }
            if index == nil {
                rows.append(TcpreqHistogram(role: span.role, tgid: span.tgid, endpoint: endpoint, count: 0, totalNanoseconds: 0,
                                            requestBytes: 0, responseBytes: 0, slots: [UInt64](repeating: 0, count: Int(TCPREQ_HIST_SLOTS))))
                index = rows.count - 1
            }
            rows[index!].count += 1
            rows[index!].requestBytes += span.requestBytes
            rows[index!].responseBytes += span.responseBytes
            guard !span.partial else { continue } // a request, but no latency: as the kernel does
            rows[index!].totalNanoseconds += span.durationNanoseconds
            rows[index!].slots[TcpreqHistogram.slot(of: span.durationNanoseconds)] += 1
        }
        return rows
    }
}

extension TcpreqHistogram {
    /// The kernel's log2 slot for a duration (bpf/tcpreq.bpf.h `log2_slot`).
    static func slot(of nanoseconds: UInt64) -> Int {
        let log2 = nanoseconds == 0 ? 0 : 63 - nanoseconds.leadingZeroBitCount
        return Swift.min(log2, Int(TCPREQ_HIST_SLOTS) - 1)
    }
}
