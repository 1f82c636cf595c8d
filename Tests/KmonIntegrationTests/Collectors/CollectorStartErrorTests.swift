import Foundation
import KmonCollectors
import Testing

@Suite("collector settings from the command line", Privileged.enabled)
struct CollectorStartErrorTests {
    @Test("a missing cgroup directory is an error naming it")
    func missingCgroup() throws {
        try Privileged.check()
        let collector = try OffCPUCollector(settings: CollectorSettings(filter: ListenFilter(cgroup: "kmon-no-such-cgroup")))
        let error = #expect(throws: CollectorError.self) { try collector.start() }
        #expect(error?.description.contains("kmon-no-such-cgroup") == true)
    }
}
