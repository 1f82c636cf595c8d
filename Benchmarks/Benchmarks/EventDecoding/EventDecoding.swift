import BPF
import Benchmark
import CKmonEvents

/// Ring-buffer records decoded per second: the agent must keep up with millions of events/s.
/// The samples are laid out as libbpf hands them over: back to back, each 8-byte aligned.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.throughput, .wallClock], scalingFactor: .mega, maxDuration: .seconds(3))

    Benchmark("Decode selftest_event from ring-buffer samples") { benchmark in
        let samples = SampleBuffer(count: 4096)
        let decoder = EventDecoder(ring: "selftest")
        var checksum: UInt64 = 0
        var index = 0
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            if let event = try? decoder.load(samples.sample(index), as: selftest_event.self, "selftest_event") {
                checksum &+= event.timestamp_ns &+ UInt64(event.bytes)
            }
            index = (index + 1) & 4095
        }
        benchmark.stopMeasurement()
        blackHole(checksum)
    }

    tcpreqBatchBenchmarks()
    spanStreamBenchmarks()
}

/// `count` records of 32 bytes, each behind libbpf's 8-byte ring-buffer header.
struct SampleBuffer {
    static let stride = 8 + MemoryLayout<selftest_event>.size
    let bytes: UnsafeMutableRawBufferPointer

    init(count: Int) {
        bytes = .allocate(byteCount: count * Self.stride, alignment: 8)
        for i in 0..<count {
            var event = selftest_event(timestamp_ns: UInt64(i) * 1_000, cookie: UInt64(i), tgid: 4242, tid: 4243,
                                       bytes: Int32(i % 1500), flags: 0)
            withUnsafeBytes(of: &event) {
                UnsafeMutableRawBufferPointer(rebasing: bytes[(i * Self.stride + 8)...]).copyMemory(from: $0)
            }
        }
    }

    @inline(__always)
    func sample(_ i: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[(i * Self.stride + 8)..<((i + 1) * Self.stride)])
    }
}
