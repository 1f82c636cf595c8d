import Glibc
import KmonSystem

/// A connected TCP pair on 127.0.0.1 with an ephemeral port: real kernel sockets for probes to see.
struct LoopbackPair {
    let client: Int32
    let server: Int32

    init() throws {
        let listener = try TCPSocket.listen(on: SocketEndpoint(address: .loopbackV4, port: 0), backlog: 1)
        defer { Glibc.close(listener) }
        guard let bound = TCPSocket.localEndpoint(listener) else { throw SystemCallError("getsockname") }
        client = try TCPSocket.connect(to: bound)
        server = try TCPSocket.accept(listener)
    }

    /// The kernel's cookie for a socket, as bpf_get_socket_cookie() reports it.
    static func cookie(of fd: Int32) -> UInt64 {
        var cookie: UInt64 = 0
        var size = socklen_t(MemoryLayout<UInt64>.size)
        getsockopt(fd, SOL_SOCKET, SO_COOKIE, &cookie, &size)
        return cookie
    }

    func close() {
        Glibc.close(client)
        Glibc.close(server)
    }
}
