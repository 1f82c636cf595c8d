import BPF
import CKmonEvents
import Glibc
import KmonSystem
@testable import KmonTcpreq
import Testing

/// The consumer's path: records decoded into one reused buffer with remembered names must give
/// exactly what decoding each record on its own gives, and pacing must keep the ring safe.
@Suite("tcpreq record reading")
struct RecordReadingTests {
    static func rawSpan(comm: String, port: UInt16, role: Int32 = TCPREQ_ROLE_SERVER, partial: Bool = false) -> tcpreq_span {
        var raw = tcpreq_span()
        raw.record = UInt32(TCPREQ_REC_SPAN)
        raw.role = UInt16(role)
        raw.start_ns = UInt64(port) * 1_000
        raw.end_ns = raw.start_ns + 500
        raw.ordinal = UInt32(port)
        raw.tgid = UInt32(port)
        raw.flags = partial ? UInt16(TCPREQ_SPAN_PARTIAL) : 0
        withUnsafeMutableBytes(of: &raw.comm) { $0.copyBytes(from: Array(comm.utf8.prefix(16))) }
        raw.tuple = .ipv4([127, 0, 0, 1], port)
        return raw
    }

    /// A batch record of `spans`, cut after its filled spans as the ring carries it.
    static func batch(_ spans: [tcpreq_span]) -> [UInt8] {
        var batch = tcpreq_batch()
        batch.record = UInt32(TCPREQ_REC_BATCH)
        batch.count = UInt32(spans.count)
        let header = MemoryLayout<tcpreq_batch>.offset(of: \.spans)!, stride = MemoryLayout<tcpreq_span>.size
        withUnsafeMutableBytes(of: &batch) { bytes in
            for (index, span) in spans.enumerated() { bytes.storeBytes(of: span, toByteOffset: header + index * stride, as: tcpreq_span.self) }
        }
        return withUnsafeBytes(of: &batch) { Array($0.prefix(header + spans.count * stride)) }
    }

    /// More names than are remembered, names equal up to their NUL but not after it, a 16-byte
    /// name with no NUL and bytes that are not UTF-8: each span as decoded alone.
    @Test func reusedBufferAndNamesMatchDecodingAlone() throws {
        var withTail = Self.rawSpan(comm: "api", port: 9)
        withUnsafeMutableBytes(of: &withTail.comm) { $0[5] = 0x41 } // "api\0\0A…" is still "api"
        var invalid = Self.rawSpan(comm: "bad", port: 10)
        withUnsafeMutableBytes(of: &invalid.comm) { $0[1] = 0xFF }
        let names = ["frontend", "api", "store", "kmon", "client-worker-1", "0123456789abcdef", "a", "b", "c", "d", "api", "frontend"]
        var raws = names.enumerated().map { Self.rawSpan(comm: $1, port: UInt16($0 + 1), partial: $0 == 2) }
        raws += [withTail, invalid, Self.rawSpan(comm: "store", port: 11, role: TCPREQ_ROLE_CLIENT)]
        let records = [Self.batch(Array(raws[0..<5])), Self.batch(Array(raws[5...])), Self.batch([raws[1]])]

        var buffer: [Span] = [], commNames = CommNames(), reused: [Span] = []
        for record in records {
            buffer.removeAll(keepingCapacity: true)
            let event = try record.withUnsafeBytes { try TcpreqRecord.decode($0, appendingSpansTo: &buffer, names: &commNames) }
            #expect(event == nil)
            reused += buffer
        }
        let alone = try records.flatMap { record in try record.withUnsafeBytes { try TcpreqRecord.decode($0) }.spans }
        #expect(reused == alone)
        #expect(reused.map(\.comm).prefix(12) == ArraySlice(names))
        #expect(reused[12].comm == "api" && reused[13].comm == String(decoding: [0x62, 0xFF, 0x64], as: UTF8.self))
        #expect(reused.filter(\.partial).map(\.ordinal) == [3])
    }

    /// A batch with a bad span anywhere is a decode error and leaves the buffer as it was.
    @Test func aBadSpanInABatchAppendsNothing() throws {
        var bad = Self.rawSpan(comm: "api", port: 2)
        bad.role = 9
        let record = Self.batch([Self.rawSpan(comm: "api", port: 1), bad])
        var buffer = [Span](), commNames = CommNames()
        _ = try Self.batch([Self.rawSpan(comm: "x", port: 7)]).withUnsafeBytes {
            try TcpreqRecord.decode($0, appendingSpansTo: &buffer, names: &commNames)
        }
        #expect(throws: RecordDecodeError.self) {
            try record.withUnsafeBytes { try TcpreqRecord.decode($0, appendingSpansTo: &buffer, names: &commNames) }
        }
        #expect(buffer.map(\.tuple.local.port) == [7])
    }

    /// Quiet rings are drained once per flush period; one filling past a quarter of its bytes
    /// at that pace is drained at the configured interval until it calms down.
    @Test func pacingFollowsTheRingsFill() {
        var pacing = PollPacing(busyMilliseconds: 20, quietMilliseconds: 100, ringBytes: 8 << 20)
        #expect(pacing.next(drained: 0) == 100)
        #expect(pacing.next(drained: 1 << 20) == 100)            // 1 MiB per 100 ms: an eighth
        #expect(pacing.next(drained: 3 << 20) == 20)             // 3 MiB per 100 ms: over a quarter
        #expect(pacing.next(drained: 1 << 19) == 20)             // 0.5 MiB per 20 ms: 2.5 MiB per 100 ms
        #expect(pacing.next(drained: 1 << 18) == 100)            // 0.25 MiB per 20 ms: 1.25 MiB per 100 ms
        let slow = PollPacing(busyMilliseconds: 500, quietMilliseconds: 100, ringBytes: 8 << 20)
        #expect(slow.quietMilliseconds == 500) // a longer interval asked for is kept
    }
}
