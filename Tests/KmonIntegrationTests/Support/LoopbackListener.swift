import Foundation
import Glibc
import KmonSystem

/// A test server's listening socket on 127.0.0.1 (an ephemeral port) that hands each accepted
/// connection to a thread of its own, until `close()`.
final class LoopbackListener: @unchecked Sendable {
    let port: UInt16
    private let fd: Int32

    init(backlog: Int32) throws {
        fd = try TCPSocket.listen(on: SocketEndpoint(address: .loopbackV4, port: 0), backlog: backlog)
        port = TCPSocket.localEndpoint(fd)?.port ?? 0
    }

    /// Accepts in the background: connection `index` (from 0, in accept order) goes to
    /// `serve(fd, index)` on its own thread, which closes it. Stops after `limit` connections.
    func accept(limit: Int = .max, _ serve: @escaping @Sendable (Int32, Int) -> Void) {
        Thread { [self] in
            for index in 0..<limit {
                guard let connection = try? TCPSocket.accept(fd) else { return }
                Thread { serve(connection, index) }.start()
            }
        }.start()
    }

    /// Stops accepting; connections already served end when their clients close.
    func close() {
        shutdown(fd, Int32(SHUT_RDWR))
        Glibc.close(fd)
    }
}
