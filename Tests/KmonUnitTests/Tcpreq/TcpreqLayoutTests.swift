import BPF
import CKmonEvents
import CLibbpf
import Glibc
import KmonSystem
import KmonTcpreq
import KmonTestSupport
import Testing

/// The C header pins these sizes with _Static_assert; Swift must see the same layouts.
@Suite("tcpreq shared layouts")
struct TcpreqLayoutTests {
    @Test func sizesMatchTheHeader() {
        #expect(MemoryLayout<tcpreq_tuple>.size == 40)
        #expect(MemoryLayout<tcpreq_event>.size == 88)
        #expect(MemoryLayout<tcpreq_span>.size == 112)
        #expect(MemoryLayout<tcpreq_conn>.size == 112)
        #expect(MemoryLayout<tcpreq_hist_key>.size == 32)
        #expect(MemoryLayout<tcpreq_hist>.size == 32 + 8 * Int(TCPREQ_HIST_SLOTS))
        #expect(MemoryLayout<tcpreq_port_key>.size == 4)
        #expect(MemoryLayout<tcpreq_listen_key>.size == 24)
        #expect(MemoryLayout<tcpreq_batch>.size == 8 + 112 * Int(TCPREQ_BATCH_SPANS))
        #expect(MemoryLayout<tcpreq_batch_slot>.size == 16 + MemoryLayout<tcpreq_batch>.size)
    }

    @Test func fieldOffsetsHaveNoHiddenPadding() {
        #expect(MemoryLayout<tcpreq_span>.offset(of: \.start_ns) == 8)
        #expect(MemoryLayout<tcpreq_span>.offset(of: \.comm) == 48)
        #expect(MemoryLayout<tcpreq_span>.offset(of: \.tuple) == 64)
        #expect(MemoryLayout<tcpreq_event>.offset(of: \.tuple) == 40)
        #expect(MemoryLayout<tcpreq_span>.offset(of: \.flags) == 6)
        #expect(MemoryLayout<tcpreq_event>.offset(of: \.flags) == 38)
        #expect(MemoryLayout<tcpreq_span>.offset(of: \.status) == 104)
        #expect(MemoryLayout<tcpreq_span>.offset(of: \.method) == 106)
        #expect(MemoryLayout<tcpreq_event>.offset(of: \.status) == 80)
        #expect(MemoryLayout<tcpreq_event>.offset(of: \.method) == 82)
        #expect(MemoryLayout<tcpreq_conn>.offset(of: \.status) == 104)
        #expect(MemoryLayout<tcpreq_conn>.offset(of: \.method) == 106)
        #expect(MemoryLayout<tcpreq_listen_key>.offset(of: \.netns) == 16)
        #expect(MemoryLayout<tcpreq_listen_key>.offset(of: \.family) == 22)
    }

    @Test func decodesASpanRecord() throws {
        var raw = tcpreq_span()
        raw.record = UInt32(TCPREQ_REC_SPAN)
        raw.role = UInt16(TCPREQ_ROLE_SERVER)
        raw.start_ns = 1_000
        raw.end_ns = 5_000
        raw.cookie = 42
        raw.request_bytes = 10
        raw.response_bytes = 20
        raw.ordinal = 3
        raw.flags = UInt16(TCPREQ_SPAN_PARTIAL)
        raw.method = UInt8(TCPREQ_HTTP_DELETE)
        raw.status = 503
        raw.tgid = 77
        withUnsafeMutableBytes(of: &raw.comm) { $0.copyBytes(from: Array("frontend".utf8)) }
        raw.tuple = .ipv4([127, 0, 0, 1], 8080, to: [127, 0, 0, 2], 40000)
        let record = try withUnsafeBytes(of: &raw) { try TcpreqRecord.decode($0) }
        guard case .span(let span) = record else {
            Issue.record("expected a span, got \(record)")
            return
        }
        #expect(span.role == .server)
        #expect(span.durationNanoseconds == 4_000)
        #expect(span.ordinal == 3 && span.tgid == 77 && span.comm == "frontend" && span.cookie == 42)
        #expect(span.tuple == ConnectionTuple(local: .at("127.0.0.1", 8080), remote: .at("127.0.0.2", 40000)))
        #expect(span.requestBytes == 10 && span.responseBytes == 20)
        #expect(span.partial)
        #expect(span.http == HTTPExchange(method: .delete, status: 503))
    }

    @Test func decodesAnIPv6Event() throws {
        var raw = tcpreq_event()
        raw.record = UInt32(TCPREQ_REC_EVENT)
        raw.kind = UInt32(TCPREQ_EV_SEND)
        raw.timestamp_ns = 9
        raw.bytes = 100
        raw.role = UInt16(TCPREQ_ROLE_UNKNOWN)
        raw.flags = UInt16(TCPREQ_EV_MIDWAY)
        raw.method = UInt8(TCPREQ_HTTP_NOT_HTTP)
        raw.tuple = .ipv6Loopback
        let record = try withUnsafeBytes(of: &raw) { try TcpreqRecord.decode($0) }
        guard case .event(let event) = record else {
            Issue.record("expected an event, got \(record)")
            return
        }
        #expect(event.kind == .send && event.bytes == 100 && event.role == nil && event.midway)
        #expect(event.http == HTTPExchange(method: .notHTTP, status: 0))
        #expect(event.tuple.local.address == IPAddress("::1"))
        #expect(event.tuple.local.description == "[::1]:0")
    }

    /// The ring carries a batch's filled spans only: the record ends after `count` of them.
    @Test func decodesABatchFromItsFilledSpans() throws {
        var batch = tcpreq_batch()
        batch.record = UInt32(TCPREQ_REC_BATCH)
        batch.count = 2
        let stride = MemoryLayout<tcpreq_span>.size
        let header = MemoryLayout<tcpreq_batch>.offset(of: \.spans)!
        withUnsafeMutableBytes(of: &batch) { bytes in
            for index in 0..<2 {
                var span = tcpreq_span()
                span.record = UInt32(TCPREQ_REC_SPAN)
                span.role = UInt16(index == 0 ? TCPREQ_ROLE_SERVER : TCPREQ_ROLE_CLIENT)
                span.ordinal = UInt32(index)
                span.end_ns = 100
                bytes.storeBytes(of: span, toByteOffset: header + index * stride, as: tcpreq_span.self)
            }
        }
        let record = try withUnsafeBytes(of: &batch) { try TcpreqRecord.decode(UnsafeRawBufferPointer(rebasing: $0[..<(header + 2 * stride)])) }
        #expect(record.spans.map(\.role) == [.server, .client])
        #expect(record.spans.map(\.ordinal) == [0, 1])

        batch.count = 3 // claims a span the record does not hold
        #expect(throws: RecordDecodeError.self) {
            try withUnsafeBytes(of: &batch) { try TcpreqRecord.decode(UnsafeRawBufferPointer(rebasing: $0[..<(header + 2 * stride)])) }
        }
        batch.count = UInt32(TCPREQ_BATCH_SPANS) + 1
        #expect(throws: RecordDecodeError.self) { try withUnsafeBytes(of: &batch) { try TcpreqRecord.decode($0) } }
    }

    /// Each span carries exactly its own raw tuple and name, however often they repeat.
    @Test func decodingKeepsConnectionsAndNamesApart() throws {
        var raw = tcpreq_span()
        raw.record = UInt32(TCPREQ_REC_SPAN)
        raw.role = UInt16(TCPREQ_ROLE_CLIENT)
        raw.tuple = .ipv4([10, 0, 0, 1])
        withUnsafeMutableBytes(of: &raw.comm) { $0.copyBytes(from: Array("api".utf8)) }
        var spans: [Span] = []
        for port in [UInt16(1), 2, 1, 3, 1] {
            raw.tuple.sport = port
            withUnsafeMutableBytes(of: &raw.comm) { $0[3] = UInt8(ascii: "0") + UInt8(port) }
            spans += try withUnsafeBytes(of: &raw) { try TcpreqRecord.decode($0) }.spans
        }
        #expect(spans.map(\.tuple.local.port) == [1, 2, 1, 3, 1])
        #expect(spans.map(\.comm) == ["api1", "api2", "api1", "api3", "api1"])
        #expect(Set(spans.map(\.tuple.local.address.description)) == ["10.0.0.1"])
    }

    @Test func rejectsShortAndUnknownRecords() {
        let short: [UInt8] = [2, 0, 0, 0, 1, 2]
        #expect(throws: RecordDecodeError.self) { try short.withUnsafeBytes { try TcpreqRecord.decode($0) } }
        let unknown: [UInt8] = [9, 0, 0, 0] + [UInt8](repeating: 0, count: 200)
        #expect(throws: RecordDecodeError.self) { try unknown.withUnsafeBytes { try TcpreqRecord.decode($0) } }
    }

    @Test func listenersFromProcNetTCP() {
        let text = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0
               1: 00000000:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3 1 0 100 0 0 10 0
               2: 0100007F:9C40 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0 20 4 30 10 -1
            """
        let found = ListeningSockets.parse(text, family: UInt16(AF_INET), netns: 4026531840)
        #expect(found == [
            ListeningSocket(family: UInt16(AF_INET), address: [127, 0, 0, 1] + Array(repeating: 0, count: 12), port: 8080, netns: 4026531840),
            ListeningSocket(family: UInt16(AF_INET), address: Array(repeating: 0, count: 16), port: 8081, netns: 4026531840),
        ])
    }

    /// tcp6 prints each 32-bit word of the address as a native integer (little-endian here):
    /// [::1], the wildcard [::], and an IPv4-mapped [::ffff:127.0.0.1] listener.
    @Test func listenersFromProcNetTCP6() {
        let text = """
              sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0
               1: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1 0 100 0 0 10 0
               2: 0000000000000000FFFF00000100007F:1F92 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3 1 0 100 0 0 10 0
               3: 00000000000000000000000001000000:1F90 00000000000000000000000001000000:D431 01 00000000:00000000 00:00000000 00000000     0        0 4 1 0 100 0 0 10 0
            """
        let found = ListeningSockets.parse(text, family: UInt16(AF_INET6), netns: 7)
        #expect(found.map(\.port) == [8080, 80, 8082])
        #expect(found[0].address == Array(repeating: 0, count: 15) + [1])
        #expect(found[1].address == Array(repeating: 0, count: 16))
        #expect(found[2].address == Array(repeating: 0, count: 10) + [0xFF, 0xFF, 127, 0, 0, 1])
        #expect(found.allSatisfy { $0.netns == 7 && $0.family == UInt16(AF_INET6) })
    }

    @Test func netnsInodeFromItsLink() {
        #expect(ListeningSockets.netnsInode("net:[4026531840]") == 4026531840)
        #expect(ListeningSockets.netnsInode("mnt:[4026531840]") == nil)
    }
}
