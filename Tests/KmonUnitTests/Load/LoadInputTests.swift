import KmonHTTP
@testable import KmonLoad
import KmonSystem
import Testing

@Suite struct LoadInputTests {
    @Test func parsesURLs() throws {
        let t = try LoadTarget(url: "http://127.0.0.1:18080/work?x=1")
        #expect(t.endpoint == SocketEndpoint(address: .loopbackV4, port: 18080) && t.path == "/work?x=1" && t.hostHeader == "127.0.0.1:18080")
        let bare = try LoadTarget(url: "http://198.18.0.2")
        #expect(bare.endpoint.port == 80 && bare.path == "/")
        #expect(try LoadTarget(url: "http://localhost:1/").endpoint.address == .loopbackV4)
    }

    @Test(arguments: ["127.0.0.1:80/", "https://127.0.0.1/", "http://", "http://127.0.0.1:0/", "http://127.0.0.1:99999/",
                      "http://127.0.0.1:x/", "http://[::1]:80/", "http://no-such-host.invalid/", "http://127.0.0.1/a b"])
    func rejectsBadURLs(_ url: String) {
        #expect(throws: LoadError.self) { try LoadTarget(url: url) }
    }

    @Test func parsesScenarios() {
        #expect(LoadScenario(argument: "keepalive") == .keepAlive)
        #expect(LoadScenario(argument: "close") == .connectionClose)
        #expect(LoadScenario(argument: "pipelined:8") == .pipelined(depth: 8))
        #expect(LoadScenario(argument: "slow-reader") == .slowReader)
        #expect(LoadScenario(argument: "pipelined:0") == nil)
        #expect(LoadScenario(argument: "pipelined") == nil)
        #expect(LoadScenario(argument: "fast") == nil)
    }

    @Test func rejectsBadConfigurations() {
        let target = LoadTarget(endpoint: SocketEndpoint(address: .loopbackV4, port: 1))
        func config(_ change: (inout LoadConfiguration) -> Void) -> LoadConfiguration {
            var c = LoadConfiguration(target: target, connections: 4, model: .openLoop(rate: 10, poisson: false), duration: 1)
            change(&c)
            return c
        }
        #expect(throws: Never.self) { try config { _ in }.validate() }
        #expect(throws: Never.self) {
            try config { $0.requests = RequestMix(shares: [.init(.get, basisPoints: 8000), .init(.post, basisPoints: 2000)], bodyBytes: 4096) }
                .validate()
        }
        for bad in [config { $0.model = .openLoop(rate: 0, poisson: false) }, config { $0.model = .openLoop(rate: -5, poisson: true) },
                    config { $0.duration = 0 }, config { $0.duration = -1 }, config { $0.connections = 0 },
                    config { $0.threads = 5 }, config { $0.warmUp = -1 },
                    // 10,000 connections × 64 in flight × 1 MiB POSTs of a mix: 625 GiB of request buffers.
                    config {
                        $0.connections = 10_000
                        $0.scenario = .pipelined(depth: 64)
                        $0.requests = RequestMix(shares: [.init(.get, basisPoints: 5000), .init(.post, basisPoints: 5000)], bodyBytes: 1 << 20)
                    }] {
            #expect(throws: LoadError.self) { try bad.validate() }
        }
        // Each of these trapped converting seconds or a rate to integers (exit 132).
        for (bad, message) in [(config { $0.duration = 1e11 }, "duration must be from 0.001 to 31536000 seconds (got 100000000000)"),
                               (config { $0.warmUp = 1e12 }, "warm-up must be from 0 to 31536000 seconds (got 1000000000000)"),
                               (config { $0.warmUp = .nan }, "warm-up must be from 0 to 31536000 seconds (got nan)"),
                               (config { $0.requestTimeout = .infinity }, "request timeout must be from 0.001 to 31536000 seconds (got inf)"),
                               (config { $0.model = .openLoop(rate: 1e300, poisson: false) },
                                "rate must be from 0.001 to 10000000 requests per second (got 1e+300)"),
                               (config { $0.connections = 1_000_000 }, "connections must be from 1 to 10000 connections (got 1000000)")] {
            let error = #expect(throws: LoadError.self) { try bad.validate() }
            #expect(error?.description.contains(message) == true, "\(String(describing: error))")
        }
    }

    /// `kmon load` checks its flags with the configuration's own check, named as the flags.
    @Test func messagesNameTheCallersSettings() {
        let target = LoadTarget(endpoint: SocketEndpoint(address: .loopbackV4, port: 1))
        var names = LoadConfiguration.SettingNames()
        (names.warmUp, names.threads, names.connections) = ("--warmup", "--threads", "--connections")
        let late = LoadConfiguration(target: target, connections: 4, model: .closedLoop, duration: 1, warmUp: 1e12)
        let error = #expect(throws: LoadError.self) { try late.validateSettings(naming: names) }
        #expect(error?.description == "--warmup must be from 0 to 31536000 seconds (got 1000000000000)")
        let crowded = LoadConfiguration(target: target, connections: 4, threads: 5, model: .closedLoop, duration: 1)
        let threads = #expect(throws: LoadError.self) { try crowded.validateSettings(naming: names) }
        #expect(threads?.description == "--threads (5) must not exceed --connections (4): each thread needs a connection")
    }

    /// A rate at the bottom of its range over a year-long run: intended send times stay in 64 bits.
    @Test func slowestScheduleStaysInRange() {
        var schedule = SendSchedule(start: 1, ratePerSecond: 0.001, poisson: false)
        #expect(schedule.next() == 1)
        #expect(schedule.next() == 1 + 1_000_000_000_000)
        var never = SendSchedule(start: 1, ratePerSecond: 1e-300, poisson: false)
        #expect(never.next() == 1)
        #expect(never.next() == .max, "a gap past 2^64 ns saturates instead of trapping or wrapping")
    }

    @Test func requestIsWrksDefaultGet() {
        let t = LoadTarget(endpoint: SocketEndpoint(address: .loopbackV4, port: 8080))
        #expect(String(decoding: LoadGenerator.requestBytes(for: t, close: false), as: UTF8.self)
                == "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n")
        #expect(String(decoding: LoadGenerator.requestBytes(for: t, close: true), as: UTF8.self)
                == "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nConnection: close\r\n\r\n")
    }

    @Test func readsWrkOutput() {
        let output = "Running 1s test\n  Thread Stats\nRequests/sec:  41234.56\nTransfer/sec:      5.79MB\n"
        #expect(WrkComparison.requestsPerSecond(inWrkOutput: output) == 41234.56)
        #expect(WrkComparison.requestsPerSecond(inWrkOutput: "garbage") == nil)
    }
}
