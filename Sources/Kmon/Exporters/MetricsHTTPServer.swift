import Foundation
import Glibc
import KmonSupport
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
        let what = "listening for Prometheus scrapes on \(address)"
        var (storage, length, family) = try Sockets.resolve(host: address.host, port: address.port, passive: true)
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ExportError.system("socket", what) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let code = errno
            let error = ExportError.system(bound == 0 ? "listen" : "bind", what, errno: code)
            Glibc.close(fd)
            throw code == EADDRINUSE ? ExportError("\(error.description); pick another port with --prometheus HOST:PORT") : error
        }
        var actual = sockaddr_storage()
        var actualLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &actualLength) }
        }
        let port = family == AF_INET6
            ? withUnsafePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) } }
            : withUnsafePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) } }
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
            let client = accept(listenFD, nil, nil)
            guard client >= 0 else { continue }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            Sockets.setTimeouts(client, seconds: 2)
            do {
                try answer(client)
            } catch {
                logger.debug("prometheus scrape failed", metadata: ["error": "\(error)"])
            }
            Glibc.close(client)
        }
    }

    private func answer(_ client: Int32) throws {
        let request = try Sockets.receive(client, limit: 16 << 10, what: "reading a scrape request") { data in
            data.count >= 4 && data.suffix(4).elementsEqual("\r\n\r\n".utf8)
        }
        let line = String(decoding: request.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self).split(separator: " ")
        let method = line.first.map(String.init) ?? ""
        let target = line.count > 1 ? String(line[1]) : ""
        let path = target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? target
        let response: (Int, String, String, [UInt8])
        switch (method, path) {
        case ("GET", "/metrics"), ("HEAD", "/metrics"):
            response = (200, "OK", Self.contentType, render())
        case (_, "/metrics"):
            response = (405, "Method Not Allowed", "text/plain", Array("only GET /metrics is served\n".utf8))
        default:
            response = (404, "Not Found", "text/plain", Array("kmon serves its metrics at /metrics\n".utf8))
        }
        let head = "HTTP/1.1 \(response.0) \(response.1)\r\nContent-Type: \(response.2)\r\n"
            + "Content-Length: \(response.3.count)\r\nConnection: close\r\n\r\n"
        try Sockets.sendAll(client, Array(head.utf8) + (method == "HEAD" ? [] : response.3), what: "answering a scrape")
    }
}
