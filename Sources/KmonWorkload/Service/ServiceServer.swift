import Glibc
import KmonHTTP
import KmonSupport
import KmonSystem
import Logging

/// Accepts connections and serves each on its own thread until the process ends, holding at
/// most `--max-connections` open (see `ConnectionTable`). A connection refused at the limit
/// gets a 503 and is closed at once: left in the listen backlog its client would hang until
/// its own timeout, and kept open it would cost the thread the limit is there to save.
public final class ServiceServer: @unchecked Sendable {
    public let endpoint: SocketEndpoint
    let connections: ConnectionTable
    private let listenFD: Int32
    private let runtime: ServiceRuntime
    private let arguments: ServiceArguments
    private let logger: Logger
    private let tooBusy: [UInt8]

    public init(runtime: ServiceRuntime, bind: SocketEndpoint, arguments: ServiceArguments, logger: Logger) throws {
        self.runtime = runtime
        self.arguments = arguments
        self.logger = logger
        connections = ConnectionTable(limit: arguments.maxConnections)
        tooBusy = CannedResponses.status(503, reason: "too many connections (\(arguments.maxConnections), all busy)", close: true)
        listenFD = try TCPSocket.listen(on: bind)
        endpoint = TCPSocket.localEndpoint(listenFD) ?? bind
    }

    public func start() throws {
        try DetachedThread.start { [self] in acceptLoop() }
    }

    private func acceptLoop() {
        let parser = HTTPRequestParser()
        while true {
            // Evicted connections still closing: let their threads go before adding more.
            var waits = 0
            while connections.isDraining && waits < 1000 {
                usleep(1000)
                waits += 1
            }
            let fd: Int32
            do {
                fd = try TCPSocket.accept(listenFD)
            } catch let error as SystemCallError {
                switch error.errno {
                case ECONNABORTED:
                    continue
                case EMFILE, ENFILE, ENOMEM, ENOBUFS:
                    // Out of descriptors or memory: back off instead of spinning; existing connections go on.
                    logger.warning("\(error); retrying")
                    usleep(10_000)
                    continue
                default:
                    logger.error("accept stopped: \(error)")
                    return
                }
            } catch {
                return
            }
            guard let open = connections.admit(fd, now: MonotonicClock.now()) else {
                // Best effort, never blocking: the send buffer of a new socket is empty.
                _ = tooBusy.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL)) }
                close(fd)
                continue
            }
            TCPSocket.setNoDelay(fd)
            TCPSocket.setTimeouts(fd, receiveMs: arguments.readTimeoutMs, sendMs: arguments.readTimeoutMs)
            let connection = ServerConnection(open: open, table: connections, runtime: runtime, parser: parser,
                                              readTimeoutMs: arguments.readTimeoutMs, idleTimeoutMs: arguments.idleTimeoutMs)
            do {
                try DetachedThread.start { connection.run() }
            } catch {
                logger.warning("no thread for a new connection (\(error)); closing it")
                connections.remove(open)
                close(fd)
            }
        }
    }
}
