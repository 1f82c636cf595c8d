import BPF
import Testing

@Suite("online CPU lists")
struct OnlineCPUsTests {
    @Test func parsesRangesAndSingles() {
        #expect(OnlineCPUs.parse("0-1\n") == [0, 1])
        #expect(OnlineCPUs.parse("0-3,6,8-9") == [0, 1, 2, 3, 6, 8, 9])
        #expect(OnlineCPUs.parse("5") == [5])
    }

    @Test func refusesWhatIsNotACPUList() {
        #expect(OnlineCPUs.parse("") == nil)
        #expect(OnlineCPUs.parse("3-1") == nil)
        #expect(OnlineCPUs.parse("0-") == nil)
        #expect(OnlineCPUs.parse("a,b") == nil)
    }

    @Test func thisMachineHasAtLeastOneCPUOnline() throws {
        #expect(try !OnlineCPUs.current().isEmpty)
    }
}
