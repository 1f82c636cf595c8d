import BPF
import Foundation
import Glibc
import KmonCollectors
import KmonSystem
import KmonTestSupport
import Testing

@Suite("tcpdrop collector", Privileged.enabled)
struct TCPDropCollectorTests {
    func events(_ collector: TCPDropCollector, until match: (TCPDropRecord) -> Bool) throws -> [TCPDropRecord] {
        var found: [TCPDropRecord] = []
        _ = try CollectorTestSupport.waitUntil {
            found = try collector.snapshot().recent
            return found.contains(where: match)
        }
        return found
    }

    @Test("a SYN to a closed loopback port is a NO_SOCKET drop with its 4-tuple and pid")
    func closedPort() throws {
        try Privileged.check()
        let collector = try TCPDropCollector(settings: CollectorSettings(filter: CollectorTestSupport.thisProcess))
        try collector.start()
        let programs = try CollectorTestSupport.programIDs(collector)
        defer { try? collector.stop() }

        let port = try Self.closedPort()
        let fd = try TCPSocket.make()
        defer { close(fd) }
        try TCPSocket.bind(fd, to: .at("127.0.0.1", 0))
        let clientPort = try #require(TCPSocket.localEndpoint(fd)).port
        #expect(TCPSocket.startConnect(fd, to: .at("127.0.0.1", port)) == ECONNREFUSED)

        let isDrop = { (r: TCPDropRecord) in r.kind == .drop && r.destination.port == port && r.source.port == clientPort }
        let recent = try events(collector) { isDrop($0) }
        let drop = try #require(recent.first(where: isDrop), "events seen: \(recent)")
        #expect(drop.reason == "NO_SOCKET")
        #expect(drop.source.address == .loopbackV4 && drop.destination.address == .loopbackV4)
        #expect(drop.pid == getpid())
        #expect(drop.userStack == nil && drop.kernelStack == nil)

        // The refused client socket then receives the RST.
        let reset = recent.first { $0.kind == .receiveReset && $0.source.port == clientPort && $0.destination.port == port }
        #expect(reset?.state == "SYN_SENT", "events seen: \(recent)")
        let report = try collector.snapshot()
        #expect((report.byReason["NO_SOCKET"] ?? 0) >= 1)

        try collector.stop()
        #expect(CollectorTestSupport.linksLeft(for: programs).isEmpty)
    }

    @Test("close with SO_LINGER 0 sends a reset, reported with both stacks at verbosity 3")
    func lingerZeroReset() throws {
        try Privileged.check()
        let collector = try TCPDropCollector(settings: CollectorSettings(verbosity: 3, filter: CollectorTestSupport.thisProcess))
        try collector.start()
        defer { try? collector.stop() }

        let listener = try TCPSocket.listen(on: .at("127.0.0.1", 0), backlog: 4)
        defer { close(listener) }
        let serverPort = try #require(TCPSocket.localEndpoint(listener)).port
        let client = try TCPSocket.connect(to: .at("127.0.0.1", serverPort))
        let clientPort = try #require(TCPSocket.localEndpoint(client)).port
        let accepted = try TCPSocket.accept(listener)
        defer { close(accepted) }
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        #expect(setsockopt(client, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size)) == 0)
        close(client)

        let isReset = { (r: TCPDropRecord) in
            r.kind == .sendReset && r.source.port == clientPort && r.destination.port == serverPort
        }
        let recent = try events(collector) { isReset($0) }
        let reset = try #require(recent.first(where: isReset), "events seen: \(recent)")
        #expect(reset.pid == getpid() && reset.tid == kernelThreadID())
        #expect(reset.source.address == .loopbackV4 && reset.destination.address == .loopbackV4)
        #expect(reset.state != nil && reset.reason != nil)
        #expect((reset.kernelStack ?? []).contains { $0.hasPrefix("tcp_") }, "kernel stack: \(reset.kernelStack ?? [])")
        #expect((reset.userStack ?? []).isEmpty == false)

        let received = recent.first { $0.kind == .receiveReset && $0.source.port == serverPort }
        #expect(received?.state == "ESTABLISHED", "events seen: \(recent)")
    }

    /// A port with nothing listening: taken from the kernel by a listener that then closes.
    static func closedPort() throws -> UInt16 {
        let fd = try TCPSocket.listen(on: .at("127.0.0.1", 0))
        defer { close(fd) }
        return try #require(TCPSocket.localEndpoint(fd)).port
    }
}
