import Foundation
import Glibc
@testable import KmonExport
import KmonSupport
import KmonSystem
import Logging
import Testing

/// The Prometheus listener with hostile clients on real loopback sockets: a client that sends a
/// byte at a time, clients that connect and say nothing, more of them than the cap.
@Suite("Prometheus listener under slow clients", .serialized)
struct MetricsListenerTests {
    static func server() throws -> MetricsHTTPServer {
        try MetricsHTTPServer(address: ListenAddress(host: "127.0.0.1", port: 0), logger: Logger(label: "test")) {
            Array("kmon_up 1\n".utf8)
        }
    }

    static func endpoint(_ server: MetricsHTTPServer) -> SocketEndpoint {
        SocketEndpoint(address: .loopbackV4, port: server.boundAddress.port)
    }

    /// A normal scrape: the status line and how long the whole exchange took, in seconds.
    static func scrape(_ server: MetricsHTTPServer, timeoutMs: Int = 5000) throws -> (status: String, seconds: Double) {
        let start = MonotonicClock.now()
        let fd = try TCPSocket.connect(to: endpoint(server), timeoutMs: timeoutMs)
        defer { close(fd) }
        try TCPSocket.writeAll(fd, Array("GET /metrics HTTP/1.1\r\nHost: kmon\r\n\r\n".utf8))
        let answer = readToEnd(fd)
        let status = String(decoding: answer.prefix { $0 != 13 }, as: UTF8.self)
        return (status, Double(MonotonicClock.now() - start) / 1e9)
    }

    static func readToEnd(_ fd: Int32) -> [UInt8] {
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while let n = try? buffer.withUnsafeMutableBytes({ try TCPSocket.read(fd, into: $0.baseAddress!, capacity: $0.count) }), n > 0 {
            answer += buffer[0..<n]
        }
        return answer
    }

    @Test("a client sending a byte every 300 ms does not delay a normal scrape, and is cut at the 2 s deadline")
    func slowLoris() throws {
        let server = try Self.server()
        defer { server.close() }
        let slow = try TrickleClient(to: Self.endpoint(server), everyMilliseconds: 300)
        defer { slow.stop() }
        usleep(500_000) // the slow client is in, mid-request
        let scrape = try Self.scrape(server)
        #expect(scrape.status == "HTTP/1.1 200 OK")
        #expect(scrape.seconds < 0.5, "a scrape beside a slow client took \(scrape.seconds) s")
        // One deadline for the whole request, not per read: cut about 2 s after accept.
        let cut = slow.secondsUntilClosed(timeout: 5)
        #expect(cut.map { $0 >= 1.8 && $0 < 3 } == true, "the slow client was cut after \(cut.map { "\($0) s" } ?? "never")")
    }

    @Test("more idle clients than the cap: at most 16 held, and a scrape is answered once a deadline frees a slot")
    func connectionCap() throws {
        let server = try Self.server()
        defer { server.close() }
        let idle = try (0..<(MetricsHTTPServer.maxConnections + 8)).map { _ in try TCPSocket.connect(to: Self.endpoint(server), timeoutMs: 2000) }
        defer { idle.forEach { close($0) } }
        usleep(500_000)
        #expect(server.openConnections == MetricsHTTPServer.maxConnections)
        let scrape = try Self.scrape(server, timeoutMs: 10_000)
        #expect(scrape.status == "HTTP/1.1 200 OK")
        #expect(scrape.seconds < MetricsHTTPServer.requestDeadlineSeconds + 1.5, "took \(scrape.seconds) s")
        #expect(server.openConnections <= MetricsHTTPServer.maxConnections)
    }

    @Test("close() returns within 1 s with a slow client connected and an idle one")
    func closeIsPrompt() throws {
        let server = try Self.server()
        let slow = try TrickleClient(to: Self.endpoint(server), everyMilliseconds: 300)
        defer { slow.stop() }
        let idle = try TCPSocket.connect(to: Self.endpoint(server), timeoutMs: 2000)
        defer { close(idle) }
        usleep(400_000)
        let start = MonotonicClock.now()
        server.close()
        let seconds = Double(MonotonicClock.now() - start) / 1e9
        #expect(seconds < 1, "close() took \(seconds) s")
        // Closed means closed: the idle client sees the end of the stream.
        TCPSocket.setTimeouts(idle, receiveMs: 1000, sendMs: 1000)
        var byte: UInt8 = 0
        #expect(recv(idle, &byte, 1, 0) == 0)
    }
}

/// A client that sends one byte of a request head every interval, from its own thread, until
/// stopped, the server closes, or 60 bytes are sent.
final class TrickleClient: @unchecked Sendable {
    let fd: Int32
    private let stopToken = StopToken()
    private let lock = NSLock()
    private var closedAfter: Double?
    private let done = DispatchSemaphore(value: 0)

    init(to endpoint: SocketEndpoint, everyMilliseconds interval: UInt32) throws {
        fd = try TCPSocket.connect(to: endpoint, timeoutMs: 2000)
        let start = MonotonicClock.now()
        let thread = Thread { [self] in
            defer { done.signal() }
            let request = Array("GET /metrics HTTP/1.1\r\nHost: kmon\r\nX-Slow: ".utf8) + [UInt8](repeating: 0x61, count: 60)
            for byte in request.prefix(60) {
                if stopToken.wait(seconds: Double(interval) / 1000) { return }
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let closed = poll(&pfd, 1, 0) > 0 || send(fd, [byte], 1, Int32(MSG_NOSIGNAL)) != 1
                if closed {
                    lock.withLock { closedAfter = Double(MonotonicClock.now() - start) / 1e9 }
                    return
                }
            }
        }
        thread.start()
    }

    /// Seconds from connect until the server closed it, waiting at most `timeout` seconds.
    func secondsUntilClosed(timeout: Double) -> Double? {
        if done.wait(timeout: .now() + timeout) == .success { done.signal() } // for stop()
        return lock.withLock { closedAfter }
    }

    func stop() {
        stopToken.stop(reason: "test done")
        done.wait()
        close(fd)
    }
}

/// The real `kmon monitor --prometheus ... --duration`: a slow client on the listener must not
/// keep it alive (it took 28 s for `--duration 4` before).
@Suite("kmon monitor exits on time with a slow scrape client", Privileged.enabled)
struct MonitorPrometheusShutdownTests {
    @Test("--duration 3 with a client trickling a byte every 300 ms: exit 0 within 1.5 s of the duration")
    func exitsOnTime() throws {
        try Privileged.check()
        let port = try SinkServer.freePort()
        let duration = 3.0
        let monitor = try MonitorProcess(arguments: [
            "--collect", "fcount", "--fcount", "syscalls:sys_enter_getppid", "--pid", "\(getpid())",
            "--prometheus", "127.0.0.1:\(port)", "--duration", "\(duration)",
        ])
        defer { monitor.remove() }
        let endpoint = SocketEndpoint(address: .loopbackV4, port: port)
        // The listener is up just before the duration starts counting.
        let up = eventually(timeout: 30) {
            guard let fd = try? TCPSocket.connect(to: endpoint, timeoutMs: 500) else { return false }
            close(fd)
            return true
        }
        try #require(up, "kmon monitor never listened: \(monitor.stderr)")
        let start = MonotonicClock.now()
        let slow = try TrickleClient(to: endpoint, everyMilliseconds: 300)
        defer { slow.stop() }
        _ = eventually(timeout: 30) { !monitor.isRunning }
        let seconds = Double(MonotonicClock.now() - start) / 1e9
        let status = monitor.stop()
        #expect(status == 0, "kmon monitor exited \(status): \(monitor.stderr)")
        #expect(seconds < duration + 1.5, "kmon monitor --duration \(duration) exited \(seconds) s after its listener came up")
    }
}
