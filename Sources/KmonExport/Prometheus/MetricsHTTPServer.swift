import Foundation
import Glibc
import KmonSupport
import KmonSystem
import Logging

/// A minimal HTTP/1.1 listener for Prometheus scrapes: `GET /metrics` answers with the body the
/// owner renders, anything else gets 404 or 405.
///
/// One thread polls every connection without blocking on any, so clients cannot hold each other
/// up: a client that sends a byte every second holds only its own slot. Each exchange has one
/// deadline for the whole of it (`requestDeadlineSeconds` from accept to the last byte sent,
/// not per read), at most `maxConnections` are open at once (more wait in the backlog until a
/// slot frees), and `close()` returns within about `pollMilliseconds` whatever the clients do.
public final class MetricsHTTPServer: @unchecked Sendable {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
    /// Seconds from accept to the last byte of the response; a slower exchange is cut.
    public static let requestDeadlineSeconds = 2.0
    /// Connections served at once; a scrape every few seconds needs one.
    public static let maxConnections = 16
    /// How often the loop checks for a stop, deadlines aside.
    static let pollMilliseconds: Int32 = 100

    /// The address actually bound (the port is filled in when 0 was asked for).
    public let boundAddress: ListenAddress
    private let listenFD: Int32
    private let render: @Sendable () -> [UInt8]
    private let logger: Logger
    private let stopToken = StopToken()
    private let lock = NSLock()
    private var closed = false
    private let finished = DispatchSemaphore(value: 0)
    /// Connections open now, for tests of the cap.
    private var open = 0
    var openConnections: Int { lock.withLock { open } }

    public init(address: ListenAddress, logger: Logger, render: @escaping @Sendable () -> [UInt8]) throws {
        let fd: Int32
        do {
            fd = try TCPSocket.listen(on: try TCPSocket.resolve(address.host, port: address.port), backlog: 64)
        } catch let error as SystemCallError {
            let problem = "listening for Prometheus scrapes on \(address): \(error)"
            throw ExportError(error.errno == EADDRINUSE ? "\(problem); pick another port with --prometheus HOST:PORT" : problem)
        }
        // Non-blocking, so a client that resets between poll and accept cannot stall the loop.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let port = TCPSocket.localEndpoint(fd)?.port ?? address.port
        self.boundAddress = ListenAddress(host: address.host, port: port)
        self.listenFD = fd
        self.render = render
        self.logger = logger
        let thread = Thread { [self] in serve() }
        thread.name = "kmon-prometheus"
        thread.start()
    }

    /// Stops accepting, cuts every open connection and waits for the loop to end: at most one
    /// poll period plus one render, whatever the clients are doing.
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
        var connections: [ScrapeConnection] = []
        defer {
            connections.forEach { $0.close() }
            finished.signal()
        }
        while !stopToken.isStopped {
            let now = MonotonicClock.now()
            connections.removeAll { connection in
                guard connection.isDone || now >= connection.deadline else { return false }
                if !connection.isDone { logger.debug("prometheus scrape cut at its deadline", metadata: ["fd": "\(connection.fd)"]) }
                connection.close()
                return true
            }
            lock.withLock { open = connections.count }
            var fds = connections.map { pollfd(fd: $0.fd, events: $0.events, revents: 0) }
            let accepting = connections.count < Self.maxConnections
            if accepting { fds.append(pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)) }
            let nearest = connections.map(\.deadline).min().map { $0 > now ? Int32(min(($0 - now) / 1_000_000 + 1, 1000)) : 0 }
            guard poll(&fds, nfds_t(fds.count), min(Self.pollMilliseconds, nearest ?? Self.pollMilliseconds)) > 0 else { continue }
            for (connection, pfd) in zip(connections, fds) where pfd.revents != 0 {
                connection.handle(revents: pfd.revents, render: render)
            }
            if accepting, let listener = fds.last, listener.revents & Int16(POLLIN) != 0, let client = try? TCPSocket.accept(listenFD) {
                let deadline = MonotonicClock.now() + UInt64(Self.requestDeadlineSeconds * 1e9)
                connections.append(ScrapeConnection(fd: client, deadline: deadline))
            }
        }
    }
}
