import Glibc
import KmonHTTP
import KmonSystem
import Logging

/// Accepts connections and serves each on its own thread until the process ends.
public final class ServiceServer: @unchecked Sendable {
    public let endpoint: SocketEndpoint
    private let listenFD: Int32
    private let runtime: ServiceRuntime
    private let arguments: ServiceArguments
    private let logger: Logger

    public init(runtime: ServiceRuntime, bind: SocketEndpoint, arguments: ServiceArguments, logger: Logger) throws {
        self.runtime = runtime
        self.arguments = arguments
        self.logger = logger
        listenFD = try TCPSocket.listen(on: bind)
        endpoint = TCPSocket.localEndpoint(listenFD) ?? bind
    }

    public func start() throws {
        try DetachedThread.start { [self] in acceptLoop() }
    }

    private func acceptLoop() {
        let parser = HTTPRequestParser()
        while true {
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
            TCPSocket.setNoDelay(fd)
            TCPSocket.setTimeouts(fd, receiveMs: arguments.readTimeoutMs, sendMs: arguments.readTimeoutMs)
            let connection = ServerConnection(fd: fd, runtime: runtime, parser: parser,
                                              readTimeoutMs: arguments.readTimeoutMs, idleTimeoutMs: arguments.idleTimeoutMs)
            do {
                try DetachedThread.start { connection.run() }
            } catch {
                logger.warning("no thread for a new connection (\(error)); closing it")
                close(fd)
            }
        }
    }
}
