import Benchmark
import CKmonEvents
import Glibc
import KmonTcpreq

/// tcpreq kernel-mode records as a 3-hop chain at moderate load hands them to the agent:
/// batches of 1 to 16 spans (a batch leaves full, or at once after 10 ms without one), server
/// and client spans of three services and the load generator's threads, many connections.
/// One iteration decodes `SpanStream.spansPerPass` spans: divide its time by that for ns per span.
func spanStreamBenchmarks() {
    let configuration = Benchmark.Configuration(metrics: [.throughput, .wallClock, .mallocCountTotal],
                                                scalingFactor: .kilo, maxDuration: .seconds(3))
    Benchmark("Span stream: a record and an array per record (decode)", configuration: configuration) { benchmark in
        let stream = SpanStream()
        var checksum: UInt64 = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            for record in stream.records {
                guard let decoded = try? TcpreqRecord.decode(record) else { continue }
                for span in decoded.spans { checksum &+= span.durationNanoseconds &+ UInt64(span.comm.utf8.count) }
            }
        }
        benchmark.stopMeasurement()
        blackHole(checksum)
    }

    Benchmark("Span stream: one reused buffer, names remembered (the consumer's path)", configuration: configuration) { benchmark in
        let stream = SpanStream()
        var checksum: UInt64 = 0
        var buffer: [Span] = [], names = CommNames()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            for record in stream.records {
                buffer.removeAll(keepingCapacity: true)
                guard (try? TcpreqRecord.decode(record, appendingSpansTo: &buffer, names: &names)) != nil else { continue }
                for span in buffer { checksum &+= span.durationNanoseconds &+ UInt64(span.comm.utf8.count) }
            }
        }
        benchmark.stopMeasurement()
        blackHole(checksum)
    }
}

/// The records of one pass, back to back as the ring holds them (each 8-byte aligned).
struct SpanStream {
    /// Spans per record: mostly small batches at moderate load, full ones in bursts.
    static let batchSizes = [1, 3, 6, 2, 16, 5, 1, 12, 4, 16, 8, 2, 1, 7, 16, 9, 3, 6, 1, 16, 10, 2, 5, 1]
    static let spansPerPass = batchSizes.reduce(0, +)
    /// Thread names as a chain's services and generator carry them.
    static let comms = ["frontend", "api", "store", "kmon-load-0", "kmon-load-1"]

    let records: [UnsafeRawBufferPointer]

    init() {
        let header = MemoryLayout<tcpreq_batch>.offset(of: \.spans)!, stride = MemoryLayout<tcpreq_span>.size
        var records: [UnsafeRawBufferPointer] = []
        var serial = 0
        for size in Self.batchSizes {
            let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: header + size * stride, alignment: 8)
            bytes.storeBytes(of: UInt32(TCPREQ_REC_BATCH), toByteOffset: 0, as: UInt32.self)
            bytes.storeBytes(of: UInt32(size), toByteOffset: 4, as: UInt32.self)
            for i in 0..<size {
                var span = tcpreq_span()
                span.record = UInt32(TCPREQ_REC_SPAN)
                span.role = UInt16(serial % 2 == 0 ? TCPREQ_ROLE_SERVER : TCPREQ_ROLE_CLIENT)
                span.start_ns = UInt64(serial) * 400_000
                span.end_ns = span.start_ns + UInt64(150_000 + serial % 7 * 20_000)
                span.ordinal = UInt32(serial / 64)
                span.cookie = UInt64(serial % 64) + 1
                span.request_bytes = 120
                span.response_bytes = 256
                span.tgid = UInt32(4000 + serial % 4)
                withUnsafeMutableBytes(of: &span.comm) { $0.copyBytes(from: Array(Self.comms[serial % Self.comms.count].utf8)) }
                span.tuple.family = UInt16(AF_INET)
                span.tuple.sport = UInt16(8080 + serial % 3)
                span.tuple.dport = UInt16(40000 + serial % 64)
                withUnsafeMutableBytes(of: &span.tuple.saddr) { $0.copyBytes(from: [127, 0, 0, 1]) }
                withUnsafeMutableBytes(of: &span.tuple.daddr) { $0.copyBytes(from: [127, 0, 0, 1]) }
                bytes.storeBytes(of: span, toByteOffset: header + i * stride, as: tcpreq_span.self)
                serial += 1
            }
            records.append(UnsafeRawBufferPointer(bytes))
        }
        self.records = records
    }
}
