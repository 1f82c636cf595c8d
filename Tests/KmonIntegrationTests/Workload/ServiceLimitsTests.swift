import Foundation
import Glibc
import KmonHTTP
import KmonSystem
import KmonWorkload
import Testing

/// A live kmon-service against clients that hold its resources: many idle connections, a
/// connection that never speaks, a client that pipelines but never reads. Its threads, time
/// and memory stay bounded, and it goes on answering everyone else.
@Suite(Privileged.enabled)
struct ServiceLimitsTests {
    static let get: [UInt8] = Array("GET / HTTP/1.1\r\nHost: t\r\n\r\n".utf8)

    /// The default --max-connections, and the threads a service has besides its connections'
    /// (main, accept) plus slack for evicted ones still closing (ConnectionTable.maxClosing, 64).
    static let defaultLimit = 1024
    static let threadSlack = 2 + 64

    @Test func twoThousandIdleConnectionsDoNotLockOutHealth() throws {
        try Privileged.check()
        let descriptors = DescriptorLimit.raise(to: 2_200)
        try #require(descriptors >= 2_100, "RLIMIT_NOFILE allows only \(descriptors) descriptors")
        let service = try StandaloneService()
        var idle: [Int32] = []
        defer { idle.forEach { close($0) } }
        for _ in 0..<2_000 { idle.append(try TCPSocket.connect(to: service.endpoint, timeoutMs: 5000)) }
        // 3 s, under the 5 s read limit: it is eviction of the longest idle connection that lets
        // /health in, not the read limit closing the idle ones.
        let started = Date()
        let health = try HTTPClient.get(service.endpoint, path: "/health", timeoutMs: 3000)
        #expect(health.status == 200)
        #expect(Date().timeIntervalSince(started) < 3)
        // Before the cap: a thread per connection, 2,003 threads.
        let threads = try #require(service.status("Threads"))
        #expect(threads <= Self.defaultLimit + Self.threadSlack, "\(threads) threads")
        // At least 2,001 - 1,024 connections were evicted, and the log says so (every 0.5 s).
        var evicted = 0
        for _ in 0..<30 where evicted < 2_001 - Self.defaultLimit {
            usleep(100_000)
            // "... at the limit of 1024 connections: 977 idle ones closed, 0 refused ..."
            let line = service.log.split(separator: "\n").last { $0.contains("idle ones closed") }
            evicted = line.flatMap { $0.split(separator: ":").last?.split(separator: " ").first }.flatMap { Int($0) } ?? 0
        }
        #expect(evicted >= 2_001 - Self.defaultLimit, "\(service.log)")
    }

    @Test func aConnectionThatSendsNothingIsClosedAtTheReadLimit() throws {
        try Privileged.check()
        let service = try StandaloneService(extra: ["--read-timeout-ms", "1000"])
        // Client side timeout 6 s: well past the 1 s read limit, far short of the 300 s idle limit
        // that applied before the first byte until now.
        let silent = try TCPSocket.connect(to: service.endpoint, timeoutMs: 6000)
        defer { close(silent) }
        let started = Date()
        var byte: UInt8 = 0
        let n = recv(silent, &byte, 1, 0)
        let waited = Date().timeIntervalSince(started)
        #expect(n == 0, "expected the service to close the connection, recv gave \(n) (errno \(errno))")
        #expect(waited > 0.9 && waited < 4, "closed after \(waited) s")

        // After a request the longer idle limit applies: 2 s of silence do not close it.
        let keptAlive = try TCPSocket.connect(to: service.endpoint, timeoutMs: 6000)
        defer { close(keptAlive) }
        try TCPSocket.writeAll(keptAlive, Self.get)
        #expect(try HTTPClient.readResponse(keptAlive).status == 200)
        usleep(2_000_000)
        try TCPSocket.writeAll(keptAlive, Self.get)
        #expect(try HTTPClient.readResponse(keptAlive).status == 200)
    }

    @Test func aPipeliningClientThatNeverReadsKeepsMemoryBounded() throws {
        try Privileged.check()
        let directory = try WorkloadFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let spec = directory + "/big.yaml"
        try "name: big\ningress: app\nservices:\n  - name: app\n    port: 18080\n    work: { response_bytes: 16777216 }\n"
            .write(toFile: spec, atomically: false, encoding: .utf8)
        let service = try StandaloneService(spec: spec, extra: ["--read-timeout-ms", "2000"])
        let baseline = try #require(service.status("VmRSS"))
        let fd = try TCPSocket.connect(to: service.endpoint, timeoutMs: 3000)
        defer { close(fd) }
        var small: Int32 = 4096
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        // 64 requests for 16 MiB each, all in one send, and never a read.
        try TCPSocket.writeAll(fd, Array((0..<64).map { _ in Self.get }.joined()))
        var peak = baseline
        for _ in 0..<30 {
            usleep(100_000)
            peak = max(peak, service.status("VmRSS") ?? 0)
        }
        // Before the bound the service built all 64 answers at once (39 MB → 1,063 MB measured).
        // Now it holds at most 64 KiB of queued answers and writes the one shared 16 MiB body,
        // so growth is allocator noise; 32 MiB is two bodies' worth, failing if even two were copied.
        #expect(peak - baseline < 32 << 10, "RSS grew from \(baseline) kB to \(peak) kB")
        #expect(try HTTPClient.get(service.endpoint, path: "/health").status == 200)
    }

    @Test func aNewConnectionIsRefusedWith503OnlyWhenEveryConnectionIsBusy() throws {
        try Privileged.check()
        let service = try StandaloneService(extra: ["--max-connections", "2", "--read-timeout-ms", "4000"])
        // Two connections inside a request (a head not yet complete): busy, so not evictable.
        let busy = try (0..<2).map { _ in try TCPSocket.connect(to: service.endpoint, timeoutMs: 6000) }
        defer { busy.forEach { close($0) } }
        for fd in busy { try TCPSocket.writeAll(fd, Array("GET / HTTP/1.1\r\n".utf8)) }
        usleep(500_000)
        // It sends nothing: bytes the service never reads would turn its close into a reset.
        let third = try TCPSocket.connect(to: service.endpoint, timeoutMs: 3000)
        defer { close(third) }
        #expect(try HTTPClient.readResponse(third).status == 503)
        #expect(logLine(service, containing: "0 idle ones closed, 1 refused") != nil, "\(service.log)")
        // The busy connections were not disturbed.
        for fd in busy {
            try TCPSocket.writeAll(fd, Array("Host: t\r\n\r\n".utf8))
            #expect(try HTTPClient.readResponse(fd).status == 200)
        }
    }

    @Test func atTheLimitTheLongestIdleConnectionIsEvicted() throws {
        try Privileged.check()
        let service = try StandaloneService(extra: ["--max-connections", "2"])
        let silent = try TCPSocket.connect(to: service.endpoint, timeoutMs: 3000)
        defer { close(silent) }
        usleep(100_000)
        let keptAlive = try TCPSocket.connect(to: service.endpoint, timeoutMs: 3000)
        defer { close(keptAlive) }
        try TCPSocket.writeAll(keptAlive, Self.get)
        #expect(try HTTPClient.readResponse(keptAlive).status == 200)
        // A third connection: the silent one has waited longest, so it goes, well before the
        // 5 s read limit would close it.
        let started = Date()
        #expect(try HTTPClient.get(service.endpoint, path: "/health").status == 200)
        var byte: UInt8 = 0
        #expect(recv(silent, &byte, 1, 0) == 0)
        #expect(Date().timeIntervalSince(started) < 2)
        try TCPSocket.writeAll(keptAlive, Self.get)
        #expect(try HTTPClient.readResponse(keptAlive).status == 200)
    }

    /// The last log line containing `text`, waiting up to 3 s: the service logs its counts every 0.5 s.
    private func logLine(_ service: StandaloneService, containing text: String) -> Substring? {
        for _ in 0..<30 {
            if let line = service.log.split(separator: "\n").last(where: { $0.contains(text) }) { return line }
            usleep(100_000)
        }
        return nil
    }
}
