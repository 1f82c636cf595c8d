import Foundation
import Glibc
import KmonHTTP
import KmonSupport
import KmonSystem
import Logging

/// A minimal HTTP/1.1 listener for Prometheus scrapes: `GET /metrics` answers with the body the
/// owner renders, anything else gets 404 or 405. One thread, one connection at a time: a scrape
/// every few seconds does not need more, and a stuck client is cut off by a 2 s socket timeout.
public final class MetricsHTTPServer: @unchecked Sendable {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The address actually bound (the port is filled in when 0 was asked for).
    public let boundAddress: ListenAddress
    private let listenFD: Int32
    private let render: @Sendable () -> [UInt8]
    private let logger: Logger
    private let stopToken = StopToken()
    private let lock = NSLock()
    private var closed = false
    private let finished = DispatchSemaphore(value: 0)

    public init(address: ListenAddress, logger: Logger, render: @escaping @Sendable () -> [UInt8]) throws {
        let fd: Int32
        do {
            fd = try TCPSocket.listen(on: try TCPSocket.resolve(address.host, port: address.port), backlog: 16)
        } catch let error as SystemCallError {
            let problem = "listening for Prometheus scrapes on \(address): \(error)"
            throw ExportError(error.errno == EADDRINUSE ? "\(problem); pick another port with --prometheus HOST:PORT" : problem)
        }
        let port = TCPSocket.localEndpoint(fd)?.port ?? address.port
        self.boundAddress = ListenAddress(host: address.host, port: port)
        self.listenFD = fd
        self.render = render
        self.logger = logger
        let thread = Thread { [self] in serve() }
        thread.name = "kmon-prometheus"
        thread.start()
    }

    /// Stops accepting and waits for the serving thread to finish its current scrape.
    public func close() {
        let first = lock.withLock {
            defer { closed = true }
            return !closed
        }
        guard first else { return }
        stopToken.stop(reason: "closing")
        finished.wait()
        Glibc.close(listenFD)
    }

    deinit {
        assert(lock.withLock { closed }, "MetricsHTTPServer on \(boundAddress) was not closed")
    }

    private func serve() {
        defer { finished.signal() }
        while !stopToken.isStopped {
            var pfd = pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 100) > 0 else { continue }
            guard let client = try? TCPSocket.accept(listenFD) else { continue }
            TCPSocket.setTimeouts(client, receiveMs: 2000, sendMs: 2000)
            do {
                try answer(client)
            } catch {
                logger.debug("prometheus scrape failed", metadata: ["error": "\(error)"])
            }
            Glibc.close(client)
        }
    }

    private func answer(_ client: Int32) throws {
        var request = [UInt8](repeating: 0, count: 16 << 10)
        var received = 0
        var parsed = HTTPRequestParseResult.incomplete
        while case .incomplete = parsed, received < request.count {
            let n = try request.withUnsafeMutableBytes { try TCPSocket.read(client, into: $0.baseAddress! + received, capacity: $0.count - received) }
            guard n > 0 else { return }
            received += n
            parsed = request.withUnsafeBytes { HTTPRequestParser().parse(UnsafeRawBufferPointer(rebasing: $0[0..<received])) }
        }
        let response: (status: Int, contentType: String, body: [UInt8])
        var method = HTTPMethod.other
        switch parsed {
        case .head(let head):
            method = head.method
            let target = String(decoding: request[head.target], as: UTF8.self)
            let path = target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? target
            switch (method, path) {
            case (.get, "/metrics"), (.head, "/metrics"):
                response = (200, Self.contentType, render())
            case (_, "/metrics"):
                response = (405, "text/plain", Array("only GET /metrics is served\n".utf8))
            default:
                response = (404, "text/plain", Array("kmon serves its metrics at /metrics\n".utf8))
            }
        case .invalid(let error):
            response = (error.status, "text/plain", Array("\(error.reason)\n".utf8))
        case .incomplete:
            response = (431, "text/plain", Array("request head exceeds 16 KiB\n".utf8))
        }
        let head = HTTPStatus.head(response.status, contentType: response.contentType, contentLength: response.body.count, connection: "close")
        try TCPSocket.writeAll(client, Array(head.utf8) + (method == .head ? [] : response.body))
    }
}
