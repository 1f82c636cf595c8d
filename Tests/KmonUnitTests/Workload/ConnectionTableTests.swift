import Glibc
@testable import KmonWorkload
import Testing

/// The connection limit on socket pairs: which connection is evicted, when one is refused, and
/// that an eviction really wakes the connection's reader (shutdown, seen as end of stream).
@Suite struct ConnectionTableTests {
    /// A connected pair: the table holds `server`; `client` sees what the table does to it.
    final class Pair {
        let server: Int32
        let client: Int32
        init() throws {
            var fds: [Int32] = [0, 0]
            try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
            server = fds[0]
            client = fds[1]
        }
        deinit {
            close(server)
            close(client)
        }
        /// True once the table has shut the server side down: the client reads end of stream.
        var wasShutDown: Bool {
            var byte: UInt8 = 0
            return recv(client, &byte, 1, Int32(MSG_DONTWAIT)) == 0
        }
    }

    @Test func atTheLimitEvictsTheLongestIdleAndNeverABusyOne() throws {
        let table = ConnectionTable(limit: 3)
        let pairs = try (0..<4).map { _ in try Pair() }
        let oldestBusy = try #require(table.admit(pairs[0].server, now: 100))
        #expect(oldestBusy.beginRequest())
        _ = try #require(table.admit(pairs[1].server, now: 200))
        let third = try #require(table.admit(pairs[2].server, now: 300))
        #expect(third.beginRequest())
        third.endRequest(now: 150)   // answered, idle since before the second arrived
        _ = try #require(table.admit(pairs[3].server, now: 400))
        #expect(pairs.map(\.wasShutDown) == [false, false, true, false])
        #expect(table.counts == (evicted: 1, refused: 0))
        // Evicted while its bytes were in flight: its thread is told to close.
        #expect(third.beginRequest() == false)
    }

    @Test func refusesOnlyWhenEveryConnectionIsBusy() throws {
        let table = ConnectionTable(limit: 1)
        let first = try Pair(), second = try Pair(), third = try Pair()
        let busy = try #require(table.admit(first.server, now: 100))
        #expect(busy.beginRequest())
        #expect(table.admit(second.server, now: 200) == nil)
        #expect(table.counts == (evicted: 0, refused: 1))
        busy.endRequest(now: 300)
        #expect(table.admit(third.server, now: 400) != nil)
        #expect(first.wasShutDown && !third.wasShutDown)
        #expect(table.counts == (evicted: 1, refused: 1))
    }

    @Test func removingAConnectionFreesItsPlace() throws {
        let table = ConnectionTable(limit: 1)
        let first = try Pair(), second = try Pair()
        let connection = try #require(table.admit(first.server, now: 100))
        #expect(connection.beginRequest())
        table.remove(connection)
        #expect(table.admit(second.server, now: 200) != nil)
        #expect(table.counts == (evicted: 0, refused: 0))
        #expect(!first.wasShutDown)
    }

    @Test func drainsWhileManyEvictedConnectionsAreStillOpen() throws {
        let table = ConnectionTable(limit: 1)
        let pairs = try (0...ConnectionTable.maxClosing).map { _ in try Pair() }
        var admitted: [OpenConnection] = []
        for (i, pair) in pairs.enumerated() {
            admitted.append(try #require(table.admit(pair.server, now: UInt64(100 + i))))
        }
        // Every admission after the first evicted the one before; none has closed yet.
        #expect(table.counts.evicted == ConnectionTable.maxClosing)
        #expect(table.isDraining)
        table.remove(admitted[0])
        #expect(!table.isDraining)
    }
}
