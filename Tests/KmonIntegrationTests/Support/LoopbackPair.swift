import Glibc

/// A connected TCP pair on 127.0.0.1 with an ephemeral port: real kernel sockets for probes to see.
struct LoopbackPair {
    let client: Int32
    let server: Int32

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw SocketFailure(call: "socket") }
        defer { Glibc.close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                guard bind(listener, sa, length) == 0, listen(listener, 1) == 0,
                      getsockname(listener, sa, &length) == 0 else { throw SocketFailure(call: "bind/listen") }
            }
        }
        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, length) }
        }
        self.client = client
        guard connected == 0 else { throw SocketFailure(call: "connect") }
        server = accept(listener, nil, nil)
        guard server >= 0 else { throw SocketFailure(call: "accept") }
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

    struct SocketFailure: Error { let call: String }
}
