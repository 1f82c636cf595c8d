import Glibc
import KmonFeatures
import KmonSystem
import KmonTcpreq
import Testing

/// sock and skb keep per-connection state in socket-local storage whatever the iterator's
/// availability, and close the responses in flight at stop from the in-flight index
/// (bpf/tcpreq_inflight.bpf.h): a connection it has no room for is counted, never left open
/// silently (issue 25).
@Suite("tcpreq in-flight index and state home", .serialized)
struct InFlightIndexTests {
    @Test("socket storage with and without iterators; a response in flight at stop gets its span",
          Privileged.enabled, arguments: [ProbeVariant.sock, .skb], ["", "iter"])
    func storageOnEveryKernel(variant: ProbeVariant, disabled: String) throws {
        try Privileged.check()
        try withDisabledFeatures(disabled) {
            let connections = try KeepAliveConnections(count: 3)
            defer { connections.close() }
            let session = try TcpreqSession.start(Self.configuration(variant, connections))
            defer { try? session.stop() }
            #expect(session.stateHome == .socketStorage)
            #expect(!session.degradations.contains { $0.feature == "sk_storage" || $0.feature == "iter" })
            try connections.connect()
            try connections.exchange()
            try connections.exchange() // the first spans close at these requests, the second stay in flight
            try session.stop()
            let spans = session.takeSpans()
            for role in [SpanRole.server, .client] {
                #expect(spans.filter { $0.role == role }.map(\.ordinal).sorted() == [0, 0, 0, 1, 1, 1], "\(role)")
            }
            #expect(try session.counters().lost.total == 0)
        }
    }

    /// 12 keep-alive pairs, each exchanged twice, in an index of 4 slots: the first 24 spans
    /// close at the second requests whether they had a slot or not, and of the 24 left in flight
    /// at stop 4 are closed from the index and 20 counted.
    @Test("more responses in flight than index slots: the excess is counted, the rest closed",
          Privileged.enabled, arguments: [UInt32(4), nil])
    func excessIsCounted(slots: UInt32?) throws {
        try Privileged.check()
        let connections = try KeepAliveConnections(count: 12)
        defer { connections.close() }
        var configuration = Self.configuration(.sock, connections)
        configuration.inFlightSlots = slots
        let session = try TcpreqSession.start(configuration)
        defer { try? session.stop() }
        try connections.connect()
        try connections.exchange()
        try connections.exchange()
        let running = try session.counters().lost.unindexed
        try session.stop()
        let spans = session.takeSpans()
        let closedAtStop = spans.count { $0.ordinal == 1 }
        let lost = try session.counters().lost
        print("in-flight index of \(slots.map(String.init) ?? "16384 (default)") slots, 24 responses in flight: \(closedAtStop) closed at stop, \(lost.unindexed) counted (\(running) while running)")
        #expect(spans.count { $0.ordinal == 0 } == 24, "spans closed by the next request, slot or none")
        #expect(UInt64(closedAtStop) + lost.unindexed == 24)
        #expect(running == lost.unindexed)
        #expect(lost.total == lost.unindexed)
        if slots == 4 {
            #expect(closedAtStop == 4, "4 probes reach every slot of 4")
        } else {
            #expect(lost.unindexed == 0)
        }
    }

    /// skb sees no socket close, only packets: a reset must free the slot as a FIN does, or a
    /// connection reset mid-response would hold its slot until stop. With one slot: pair A's
    /// server span takes it (its client span is counted), A is reset, and pair B's server span
    /// must find it free.
    @Test("skb: a connection reset mid-response frees its slot", Privileged.enabled)
    func resetFreesTheSlot() throws {
        try Privileged.check()
        let connections = try KeepAliveConnections(count: 2)
        defer { connections.close() }
        var configuration = Self.configuration(.skb, connections)
        configuration.inFlightSlots = 1
        let session = try TcpreqSession.start(configuration)
        defer { try? session.stop() }
        try connections.connect()
        try connections.exchange(pair: 0)
        try connections.reset(pair: 0)
        usleep(50_000) // the peer's side of the reset
        try connections.exchange(pair: 1)
        try session.stop()
        let spans = session.takeSpans()
        let lost = try session.counters().lost
        #expect(spans.count == 3, "A's two spans at the reset, B's server span from the index at stop")
        #expect(lost.unindexed == 1, "B's client span: no room")
    }

    @Test("a kernel refusing socket storage: state in conn_table, with the reason stated",
          Privileged.enabled, arguments: [ProbeVariant.sock, .skb])
    func tableWhereStorageIsRefused(variant: ProbeVariant) throws {
        try Privileged.check()
        try withDisabledFeatures("sk_storage") {
            let connections = try KeepAliveConnections(count: 2)
            defer { connections.close() }
            let session = try TcpreqSession.start(Self.configuration(variant, connections))
            defer { try? session.stop() }
            #expect(session.stateHome == .table)
            let degradation = session.degradations.first { $0.feature == "sk_storage" }
            #expect(degradation?.reason == "disabled by KMON_DISABLE_FEATURES")
            #expect(degradation?.effect == KernelFeature.socketStorage.effectWithout)
            try connections.connect()
            try connections.exchange()
            try session.stop()
            #expect(session.takeSpans().count == 4, "2 server and 2 client spans in flight, closed at stop")

            setenv("KMON_TCPREQ_STATE", "storage", 1)
            defer { unsetenv("KMON_TCPREQ_STATE") }
            #expect(throws: TcpreqError.self) { _ = try TcpreqSession.start(Self.configuration(variant, connections)) }
        }
    }

    static func configuration(_ variant: ProbeVariant, _ connections: KeepAliveConnections) -> TcpreqConfiguration {
        TcpreqConfiguration(variant: variant, mode: .kernel, filters: TcpreqFilters(ports: [connections.port], excludeSelf: false))
    }

    private func withDisabledFeatures(_ names: String, _ body: () throws -> Void) throws {
        setenv(DisabledFeatures.variable, names, 1)
        defer { unsetenv(DisabledFeatures.variable) }
        try body()
    }
}

/// `count` loopback connections to one listener, opened by `connect()` once the session runs
/// (so it sees their handshakes) and kept open: each exchange is one request and its response on
/// every connection, which leaves both ends' spans with a response in flight.
final class KeepAliveConnections {
    let port: UInt16
    let count: Int
    private let listener: Int32
    private(set) var pairs: [(client: Int32, server: Int32)] = []

    init(count: Int) throws {
        self.count = count
        listener = try TCPSocket.listen(on: SocketEndpoint(address: .loopbackV4, port: 0), backlog: Int32(count))
        guard let bound = TCPSocket.localEndpoint(listener) else {
            Glibc.close(listener)
            throw SystemCallError("getsockname")
        }
        port = bound.port
    }

    func connect() throws {
        for _ in 0..<count {
            let client = try TCPSocket.connect(to: SocketEndpoint(address: .loopbackV4, port: port))
            pairs.append((client, try TCPSocket.accept(listener)))
        }
    }

    func exchange() throws {
        for index in pairs.indices { try exchange(pair: index) }
    }

    func exchange(pair index: Int) throws {
        var byte: UInt8 = 0
        let pair = pairs[index]
        try TCPSocket.writeAll(pair.client, [UInt8(ascii: "q")])
        guard read(pair.server, &byte, 1) == 1 else { throw SystemCallError("read") }
        try TCPSocket.writeAll(pair.server, [UInt8(ascii: "a")])
        guard read(pair.client, &byte, 1) == 1 else { throw SystemCallError("read") }
    }

    /// Closes the pair's client with SO_LINGER 0: a RST instead of a FIN.
    func reset(pair index: Int) throws {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        guard setsockopt(pairs[index].client, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size)) == 0 else {
            throw SystemCallError("setsockopt(SO_LINGER)")
        }
        Glibc.close(pairs[index].client)
        pairs[index].client = -1
    }

    func close() {
        for pair in pairs {
            if pair.client >= 0 { Glibc.close(pair.client) }
            Glibc.close(pair.server)
        }
        pairs = []
        Glibc.close(listener)
    }
}
