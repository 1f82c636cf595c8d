import BPF
import CKmonEvents
import CLibbpf
import Testing

/// The C side asserts the same sizes with _Static_assert in bpf/include; a change on one side
/// fails here.
@Suite struct EventLayoutTests {
    @Test func selftestEventLayout() {
        #expect(MemoryLayout<selftest_event>.size == 32)
        #expect(MemoryLayout<selftest_event>.alignment == 8)
        #expect(MemoryLayout<selftest_event>.offset(of: \.timestamp_ns) == 0)
        #expect(MemoryLayout<selftest_event>.offset(of: \.cookie) == 8)
        #expect(MemoryLayout<selftest_event>.offset(of: \.tgid) == 16)
        #expect(MemoryLayout<selftest_event>.offset(of: \.tid) == 20)
        #expect(MemoryLayout<selftest_event>.offset(of: \.bytes) == 24)
        #expect(MemoryLayout<selftest_event>.offset(of: \.flags) == 28)
    }

    @Test func decodesARecordFromRawBytes() throws {
        var bytes = [UInt8](repeating: 0, count: 32)
        func put<T: FixedWidthInteger>(_ value: T, at offset: Int) {
            withUnsafeBytes(of: value.littleEndian) { bytes.replaceSubrange(offset..<offset + $0.count, with: $0) }
        }
        put(UInt64(123_456_789), at: 0)
        put(UInt64(42), at: 8)
        put(UInt32(1000), at: 16)
        put(UInt32(1001), at: 20)
        put(Int32(-32), at: 24)
        let event = try bytes.withUnsafeBytes { try EventDecoder(ring: "selftest").load($0, as: selftest_event.self, "event") }
        #expect(event.timestamp_ns == 123_456_789)
        #expect(event.cookie == 42)
        #expect(event.tgid == 1000)
        #expect(event.tid == 1001)
        #expect(event.bytes == -32)
    }

    @Test func refusesShortSamples() {
        let bytes = [UInt8](repeating: 0, count: 31)
        let error = #expect(throws: RecordDecodeError.self) {
            try bytes.withUnsafeBytes { try EventDecoder(ring: "selftest").load($0, as: selftest_event.self, "event") }
        }
        #expect(error?.description == "cannot decode selftest record: event record of 31 bytes, expected 32")
    }
}
