import CLibbpf

/// One in-kernel latency histogram (histogram mode), summed over CPUs. A server histogram is
/// keyed by the service's local endpoint; a client histogram by the remote endpoint it called.
public struct TcpreqHistogram: Hashable, Sendable {
    public var role: SpanRole
    public var tgid: Int32
    /// Server: the local endpoint that served; client: the remote endpoint that was called.
    public var endpoint: Endpoint
    public var count: UInt64
    public var totalNanoseconds: UInt64
    public var requestBytes: UInt64
    public var responseBytes: UInt64
    /// `slots[i]` counts spans of [2^i, 2^(i+1)) nanoseconds; partial spans are in `count`
    /// and the byte totals only (`totalNanoseconds` leaves them out too).
    public var slots: [UInt64]

    public var partial: UInt64 { count &- slots.reduce(0, &+) }

    public init(role: SpanRole, tgid: Int32, endpoint: Endpoint, count: UInt64, totalNanoseconds: UInt64,
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
        let address = ConnectionTuple.format(key.addr, family: Int32(key.family))
        self.init(role: role, tgid: Int32(bitPattern: key.tgid), endpoint: Endpoint(address: address, port: key.port),
                  count: count, totalNanoseconds: total, requestBytes: request, responseBytes: response, slots: slots)
    }

    /// A representative duration per slot: the geometric middle of [2^i, 2^(i+1)), so
    /// percentiles from these histograms are good to within a factor of √2.
    public static func slotMidpointNanoseconds(_ slot: Int) -> UInt64 {
        UInt64((Double(UInt64(1) << UInt64(slot)) * 2.0.squareRoot()).rounded())
    }
}
