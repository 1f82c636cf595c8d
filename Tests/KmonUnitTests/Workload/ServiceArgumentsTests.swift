import KmonSystem
@testable import KmonWorkload
import Testing

@Suite struct ServiceArgumentsTests {
    @Test func roundTripsThroughItsCommandLine() throws {
        let arguments = try ServiceArguments(["--spec", "w.yaml", "--service", "api", "--bind", "198.18.3.11:8080",
                                              "--peer", "store=198.18.3.10:8081", "--records", "r", "--read-timeout-ms", "250"])
        #expect(arguments.bind == SocketEndpoint("198.18.3.11:8080"))
        #expect(arguments.peers == ["store": SocketEndpoint(address: IPAddress(ipv4: 0xC612_030A), port: 8081)])
        #expect(arguments.readTimeoutMs == 250)
        #expect(try ServiceArguments(arguments.commandLine) == arguments)
        let capped = try ServiceArguments(["--spec", "w.yaml", "--service", "api", "--max-connections", "64"])
        #expect(capped.maxConnections == 64 && arguments.maxConnections == 1024)
        #expect(try ServiceArguments(capped.commandLine) == capped)
    }

    @Test func refusesBadArgumentsByName() {
        func message(_ args: [String]) -> String? {
            do { _ = try ServiceArguments(args); return nil } catch { return "\(error)" }
        }
        #expect(message(["--service", "a"])?.contains("--spec") == true)
        #expect(message(["--spec", "s", "--service", "a", "--bind", "localhost:80"])?.contains("--bind") == true)
        #expect(message(["--spec", "s", "--service", "a", "--peer", "store"])?.contains("NAME=ADDR:PORT") == true)
        #expect(message(["--spec", "s", "--service", "a", "--read-timeout-ms", "-1"])?.contains("--read-timeout-ms") == true)
        #expect(message(["--spec", "s", "--service", "a", "--bogus"])?.contains("--bogus") == true)
        // Beyond a day the timeout overflowed nanoseconds or poll(2)'s Int32 milliseconds.
        #expect(message(["--spec", "s", "--service", "a", "--call-timeout-ms", "99999999999999"])
            == "--call-timeout-ms must be from 1 to 86400000 milliseconds (got \"99999999999999\")")
        #expect(message(["--spec", "s", "--service", "a", "--idle-timeout-ms", "86400000"]) == nil)
        for bad in ["0", "-5", "many", "2000000"] {
            #expect(message(["--spec", "s", "--service", "a", "--max-connections", bad])
                == "--max-connections must be from 1 to 1048576 connections (got \"\(bad)\")")
        }
    }

    @Test func endpointsParseStrictly() {
        #expect(SocketEndpoint("127.0.0.1:0") == SocketEndpoint(address: .loopbackV4, port: 0))
        #expect(SocketEndpoint("256.0.0.1:80") == nil)
        #expect(SocketEndpoint("1.2.3:80") == nil)
        #expect(SocketEndpoint("1.2.3.4:65536") == nil)
        #expect(SocketEndpoint("localhost:80") == nil)
        #expect(SocketEndpoint("198.19.255.1:9").map(\.description) == "198.19.255.1:9")
        #expect(SocketEndpoint("[2001:db8::1]:443").map(\.description) == "[2001:db8::1]:443")
    }

    @Test func cpuTimeFromProcStatCountsUserAndSystemTicks() {
        // comm with spaces and parentheses; utime 150, stime 50 ticks.
        let stat = Array("42 (a (b) c) S 1 42 42 0 -1 4194560 100 0 0 0 150 50 0 0 20 0 3 0 12345 0 0".utf8)
        #expect(ProcessCPUTime.parse(stat) == 200 * 1_000_000_000 / ProcessCPUTime.ticksPerSecond)
        #expect(ProcessCPUTime.parse(Array("garbage".utf8)) == nil)
    }
}
