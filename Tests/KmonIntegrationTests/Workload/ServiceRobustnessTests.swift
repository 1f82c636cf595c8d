import Foundation
import Glibc
import KmonHTTP
import KmonSystem
import KmonWorkload
import Testing

/// One live kmon-service under bad, odd and heavy input: it answers each with the right status
/// and goes on serving everyone else.
@Suite(Privileged.enabled)
struct ServiceRobustnessTests {
    static let get: [UInt8] = Array("GET / HTTP/1.1\r\nHost: t\r\n\r\n".utf8)

    @Test func malformedRequestGets400AndTheServiceKeepsServing() throws {
        try Privileged.check()
        let service = try StandaloneService()
        let answer = try StandaloneService.responses(service.rawExchange(Array("GARBAGE\r\n\r\n".utf8)))
        #expect(answer.map(\.status) == [400])
        #expect(answer.first?.keepAlive == false)
        #expect(try HTTPClient.get(service.endpoint).status == 200)
    }

    @Test func statusesForUnknownPathsOversizeAndUnsupportedInput() throws {
        try Privileged.check()
        let service = try StandaloneService()
        func status(_ text: String) throws -> [Int] {
            try StandaloneService.responses(service.rawExchange(Array(text.utf8))).map(\.status)
        }
        #expect(try status("GET /nope HTTP/1.1\r\nHost: t\r\n\r\n") == [404])
        #expect(try status("DELETE / HTTP/1.1\r\nHost: t\r\n\r\n") == [405])
        #expect(try status("GET / HTTP/1.1\r\nHost: t\r\nX: " + String(repeating: "a", count: 9000) + "\r\n\r\n") == [431])
        #expect(try status("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 2000000\r\n\r\n") == [413])
        #expect(try status("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n") == [501])
        #expect(try status("GET / HTTP/1.1\r\n\r\n") == [400])
        #expect(try HTTPClient.get(service.endpoint, path: "/health").status == 200)
    }

    @Test func downstreamFailureGives502WithTheReason() throws {
        try Privileged.check()
        // api of chain3, with its store at a port where nothing listens.
        let listener = try TCPSocket.listen(on: SocketEndpoint(address: .loopbackV4, port: 0))
        let closedPort = try #require(TCPSocket.localEndpoint(listener)).port
        close(listener)
        let service = try StandaloneService(spec: WorkloadFixtures.spec("chain3"), service: "api",
                                            extra: ["--peer", "store=127.0.0.1:\(closedPort)"])
        let answer = try HTTPClient.get(service.endpoint)
        #expect(answer.status == 502)
        let reason = String(decoding: answer.body ?? [], as: UTF8.self)
        #expect(reason.contains("store (127.0.0.1:\(closedPort))") && reason.contains("Connection refused"), "\(reason)")
        #expect(try HTTPClient.get(service.endpoint, path: "/health").status == 200)
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        try Privileged.check()
        let service = try StandaloneService()
        let burst = "GET / HTTP/1.1\r\nHost: t\r\n\r\nGET /x HTTP/1.1\r\nHost: t\r\n\r\n"
            + "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhelloGET /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
            + "GET / HTTP/1.1\r\nHost: t\r\n\r\n"
        let answer = try StandaloneService.responses(service.rawExchange(Array(burst.utf8)))
        // The request after "Connection: close" is not answered.
        #expect(answer.map(\.status) == [200, 404, 200, 200])
        #expect(answer.map(\.keepAlive) == [true, true, true, false])
        #expect(answer[0].bodyLength == 64)
    }

    @Test func stalledClientTimesOutWithoutBlockingOthers() throws {
        try Privileged.check()
        let service = try StandaloneService(extra: ["--read-timeout-ms", "300"])
        let stalled = try TCPSocket.connect(to: service.endpoint, timeoutMs: 3000)
        defer { close(stalled) }
        try TCPSocket.writeAll(stalled, Array("GET / HTTP/1.1\r\nHo".utf8))
        let started = Date()
        #expect(try HTTPClient.get(service.endpoint).status == 200)
        let answer = try HTTPClient.readResponse(stalled)
        #expect(answer.status == 408)
        let waited = Date().timeIntervalSince(started)
        #expect(waited > 0.25 && waited < 3)
    }

    @Test func tricklingClientTimesOutToo() throws {
        try Privileged.check()
        let service = try StandaloneService(extra: ["--read-timeout-ms", "300"])
        let fd = try TCPSocket.connect(to: service.endpoint, timeoutMs: 3000)
        defer { close(fd) }
        let started = Date()
        // One byte every 50 ms never completes the head; the deadline counts from the first byte.
        for byte in Array("GET / HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaa".utf8) {
            guard (try? TCPSocket.writeAll(fd, [byte])) != nil else { break }
            usleep(50_000)
            var probe = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&probe, 1, 0) > 0 { break }
        }
        #expect(try HTTPClient.readResponse(fd).status == 408)
        #expect(Date().timeIntervalSince(started) < 2)
    }

    @Test func servesMoreThanAThousandConcurrentConnections() throws {
        try Privileged.check()
        DescriptorLimit.raise(to: 4096)
        // Up to --max-connections every connection is served; past it idle ones are evicted
        // (ServiceLimitsTests).
        let service = try StandaloneService(extra: ["--max-connections", "1100"])
        var fds: [Int32] = []
        defer { fds.forEach { close($0) } }
        for _ in 0..<1100 { fds.append(try TCPSocket.connect(to: service.endpoint, timeoutMs: 5000)) }
        // All connections are open at once; each gets a request, then all answers are read.
        for fd in fds { try TCPSocket.writeAll(fd, Self.get) }
        var ok = 0
        for fd in fds where (try? HTTPClient.readResponse(fd))?.status == 200 { ok += 1 }
        #expect(ok == 1100)
    }
}
