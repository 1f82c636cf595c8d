import Benchmark
import CKmonEvents
import Glibc
import KmonTcpreq

/// tcpreq kernel-mode records as the agent reads them: batches of 16 spans, each span decoded
/// into a `Span` (16 connections, as under `wrk -c16`): binary tuples, names kept inline.
/// One iteration decodes one batch.
func tcpreqBatchBenchmarks() {
    Benchmark("Decode tcpreq batch records (16 spans each)",
              configuration: .init(metrics: [.throughput, .wallClock], scalingFactor: .kilo, maxDuration: .seconds(3))) { benchmark in
        let batches = BatchBuffer(count: 256)
        var checksum: UInt64 = 0
        var index = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            if let record = try? TcpreqRecord.decode(batches.record(index)) {
                for span in record.spans { checksum &+= span.endNanoseconds &- span.startNanoseconds }
            }
            index = (index + 1) & 255
        }
        benchmark.stopMeasurement()
        blackHole(checksum)
    }
}

/// `count` full batches of IPv4 loopback spans, as the ring hands them over.
struct BatchBuffer {
    static let size = MemoryLayout<tcpreq_batch>.size
    let bytes: UnsafeMutableRawBufferPointer

    init(count: Int) {
        bytes = .allocate(byteCount: count * Self.size, alignment: 8)
        let header = MemoryLayout<tcpreq_batch>.offset(of: \.spans)!
        for b in 0..<count {
            let base = b * Self.size
            bytes.storeBytes(of: UInt32(TCPREQ_REC_BATCH), toByteOffset: base, as: UInt32.self)
            bytes.storeBytes(of: UInt32(TCPREQ_BATCH_SPANS), toByteOffset: base + 4, as: UInt32.self)
            for i in 0..<Int(TCPREQ_BATCH_SPANS) {
                var span = tcpreq_span()
                span.record = UInt32(TCPREQ_REC_SPAN)
                span.role = UInt16(i % 2 == 0 ? TCPREQ_ROLE_SERVER : TCPREQ_ROLE_CLIENT)
                span.start_ns = UInt64(b * 1_000_000 + i * 1_000)
                span.end_ns = span.start_ns + 250_000
                span.ordinal = UInt32(b)
                span.tgid = 4242
                withUnsafeMutableBytes(of: &span.comm) { $0.copyBytes(from: Array("frontend".utf8)) }
                span.tuple.family = UInt16(AF_INET)
                span.tuple.sport = 8080
                span.tuple.dport = UInt16(40000 + i)
                withUnsafeMutableBytes(of: &span.tuple.saddr) { $0.copyBytes(from: [127, 0, 0, 1]) }
                withUnsafeMutableBytes(of: &span.tuple.daddr) { $0.copyBytes(from: [127, 0, 0, 1]) }
                bytes.storeBytes(of: span, toByteOffset: base + header + i * MemoryLayout<tcpreq_span>.size, as: tcpreq_span.self)
            }
        }
    }

    func record(_ i: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[(i * Self.size)..<((i + 1) * Self.size)])
    }
}
