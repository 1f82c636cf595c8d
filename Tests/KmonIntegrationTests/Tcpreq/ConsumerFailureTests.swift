import BPF
import Foundation
import Glibc
@testable import KmonTcpreq
import Testing

/// The ring-buffer consumer thread failing for real: its epoll descriptor is swapped for
/// /dev/null under it, so `epoll_wait` answers EINVAL, as a kernel error would end the thread.
@Suite("tcpreq ring consumer failure", .serialized)
struct ConsumerFailureTests {
    @Test("a consumer error stops the monitor with that error, never a monitor running on with no data", Privileged.enabled)
    func consumerErrorIsFatal() throws {
        try Privileged.check()
        let monitor = try TcpreqMonitor(TcpreqConfiguration(variant: .sock, mode: .kernel,
                                                            filters: TcpreqFilters(ports: [1], excludeSelf: false)))
        defer { try? monitor.stop() }
        _ = try monitor.snapshot()
        #expect(monitor.session.consumerError == nil)

        let ring = try #require(monitor.session.ring)
        let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
        #expect(dup2(devNull, ring.epollFD) == ring.epollFD)
        close(devNull)
        // The thread polls at least every 100 ms: its next epoll_wait fails.
        let deadline = Date(timeIntervalSinceNow: 5)
        while monitor.session.consumerError == nil && Date() < deadline { usleep(10_000) }

        let error = try #require(monitor.session.consumerError)
        #expect("\(error)".contains("ring-buffer reader stopped"))
        #expect("\(error)".contains("ring_buffer__poll"))
        #expect(throws: TcpreqError.self) { try monitor.snapshot() }
        #expect(throws: TcpreqError.self) { try monitor.stop() }
        // Stopped, the monitor still gives its final snapshot, for the summary and the exporters.
        _ = try monitor.snapshot()
    }
}
