import Glibc
import KmonSystem
import KmonTcpreq
import Testing

/// A node with more connections than a variant's state hash holds: the syscall variant's LRU
/// map evicts its oldest connections silently, so Kmon counts what it evicted (issue 23).
@Suite("tcpreq state tables that fill up", .serialized)
struct StateTableLimitTests {
    /// 150 connection pairs in this process, each with one request and response, all left
    /// open (so no close deletes an entry): 300 sockets the syscall variant tracks by fd.
    /// A 64-entry map must evict at least 300 − 64 of them; the default map none.
    @Test(Privileged.enabled, arguments: [UInt32(64), nil])
    func evictionsAreCounted(entries: UInt32?) throws {
        try Privileged.check()
        var configuration = TcpreqConfiguration(variant: .syscall, mode: .kernel,
                                                filters: TcpreqFilters(pids: [getpid()], excludeSelf: false))
        configuration.stateTableEntries = entries
        let session = try TcpreqSession.start(configuration)
        defer { try? session.stop() }
        var pairs: [LoopbackPair] = []
        defer { pairs.forEach { $0.close() } }
        for _ in 0..<150 {
            let pair = try LoopbackPair()
            pairs.append(pair)
            try exchange(on: pair)
        }
        try session.stop()
        let lost = try session.counters().lost
        print("syscall variant, state table of \(entries.map(String.init) ?? "65536 (default)") entries, 300 sockets: \(lost.evicted) evicted")
        if let entries {
            #expect(lost.evicted >= 300 - UInt64(entries), "300 sockets in \(entries) entries")
            // The variant also caches every other fd this process reads or writes while watched
            // (the test runner's output, the session's own /proc reads): a few dozen, not 100.
            #expect(lost.evicted <= 300 + 100, "evictions cannot outnumber the fds the process used")
        } else {
            #expect(lost.evicted == 0)
        }
    }

    /// The `listeners` map follows listeners opening and closing after the attach, so a busy
    /// node's churn of listeners neither fills it nor leaves stale roles behind.
    @Test(Privileged.enabled, arguments: [ProbeVariant.sock, .syscall])
    func listenersMapFollowsListenersOpeningAndClosing(variant: ProbeVariant) throws {
        try Privileged.check()
        let session = try TcpreqSession.start(TcpreqConfiguration(variant: variant, mode: .kernel))
        defer { try? session.stop() }
        func listeners() throws -> Int { try session.mapFill().first { $0.map == "listeners" }?.entries ?? -1 }
        let before = try listeners()
        let extra = try ExtraListeners(count: 500)
        let opened = try listeners()
        extra.close()
        let closed = try listeners()
        print("\(variant.rawValue): listeners map \(before) entries, \(opened) with 500 more listeners, \(closed) after they closed")
        // Other tests' listeners may come and go meanwhile: a little slack either way.
        #expect(opened - before >= 490)
        #expect(abs(closed - before) <= 10)
    }

    private func exchange(on pair: LoopbackPair) throws {
        var byte: UInt8 = 0
        try TCPSocket.writeAll(pair.client, [UInt8(ascii: "q")])
        guard read(pair.server, &byte, 1) == 1 else { throw SystemCallError("read") }
        try TCPSocket.writeAll(pair.server, [UInt8(ascii: "a")])
        guard read(pair.client, &byte, 1) == 1 else { throw SystemCallError("read") }
    }
}
