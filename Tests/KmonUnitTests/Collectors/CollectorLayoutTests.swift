import CKmonEvents
import CLibbpf
import Testing

/// The sizes bpf/include/*.h asserts with _Static_assert, seen from Swift: a layout that drifts
/// on one side only fails here.
@Suite("collector event layouts")
struct CollectorLayoutTests {
    @Test func tcpdropEvent() {
        #expect(MemoryLayout<tcpdrop_event>.size == 88)
        #expect(MemoryLayout<tcpdrop_event>.offset(of: \.sport) == 28)
        #expect(MemoryLayout<tcpdrop_event>.offset(of: \.saddr) == 36)
        #expect(MemoryLayout<tcpdrop_event>.offset(of: \.comm) == 68)
    }

    @Test func offcpuMaps() {
        #expect(MemoryLayout<offcpu_thread_key>.size == 8)
        #expect(MemoryLayout<offcpu_hist>.size == 288)
        #expect(MemoryLayout<offcpu_hist>.offset(of: \.count) == 256)
        #expect(MemoryLayout<offcpu_stack_key>.size == 16)
        #expect(MemoryLayout<offcpu_stack_value>.size == 16)
    }

    @Test func biostatMaps() {
        #expect(MemoryLayout<biostat_dev_key>.size == 8)
        #expect(MemoryLayout<biostat_pid_key>.size == 16)
        #expect(MemoryLayout<biostat_stats>.size == 304)
        #expect(MemoryLayout<biostat_stats>.offset(of: \.comm) == 288)
    }

    @Test func sharedConstants() {
        #expect(KMON_LOG2_SLOTS == 32)
        #expect(KMON_STACK_DEPTH == 64)
        #expect(FCOUNT_MAX_EVENTS == 256)
    }
}
