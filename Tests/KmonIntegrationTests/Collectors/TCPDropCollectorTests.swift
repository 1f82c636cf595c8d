import BPF
import Foundation
import Glibc
import Kmon
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

        let port = try LoopbackSockets.closedPort()
        let fd = try LoopbackSockets.tcpSocket()
        defer { close(fd) }
        #expect(LoopbackSockets.bind(fd) == 0)
        let clientPort = LoopbackSockets.localPort(fd)
        #expect(LoopbackSockets.connect(fd, port: port) == -1 && errno == ECONNREFUSED)

        let isDrop = { (r: TCPDropRecord) in r.kind == .drop && r.destinationPort == port && r.sourcePort == clientPort }
        let recent = try events(collector) { isDrop($0) }
        let drop = try #require(recent.first(where: isDrop), "events seen: \(recent)")
        #expect(drop.reason == "NO_SOCKET")
        #expect(drop.sourceAddress == "127.0.0.1" && drop.destinationAddress == "127.0.0.1")
        #expect(drop.pid == getpid())
        #expect(drop.userStack == nil && drop.kernelStack == nil)

        // The refused client socket then receives the RST.
        let reset = recent.first { $0.kind == .receiveReset && $0.sourcePort == clientPort && $0.destinationPort == port }
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

        let listener = try LoopbackSockets.tcpSocket()
        defer { close(listener) }
        #expect(LoopbackSockets.bind(listener) == 0 && listen(listener, 4) == 0)
        let serverPort = LoopbackSockets.localPort(listener)
        let client = try LoopbackSockets.tcpSocket()
        #expect(LoopbackSockets.connect(client, port: serverPort) == 0)
        let clientPort = LoopbackSockets.localPort(client)
        let accepted = accept(listener, nil, nil)
        defer { close(accepted) }
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        #expect(setsockopt(client, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size)) == 0)
        close(client)

        let isReset = { (r: TCPDropRecord) in
            r.kind == .sendReset && r.sourcePort == clientPort && r.destinationPort == serverPort
        }
        let recent = try events(collector) { isReset($0) }
        let reset = try #require(recent.first(where: isReset), "events seen: \(recent)")
        #expect(reset.pid == getpid() && reset.tid == kernelThreadID())
        #expect(reset.sourceAddress == "127.0.0.1" && reset.destinationAddress == "127.0.0.1")
        #expect(reset.state != nil && reset.reason != nil)
        #expect((reset.kernelStack ?? []).contains { $0.hasPrefix("tcp_") }, "kernel stack: \(reset.kernelStack ?? [])")
        #expect((reset.userStack ?? []).isEmpty == false)

        let received = recent.first { $0.kind == .receiveReset && $0.sourcePort == serverPort }
        #expect(received?.state == "ESTABLISHED", "events seen: \(recent)")
    }
}
