import Glibc

/// Thin throwing wrappers over the TCP socket calls the services, the controller, the load
/// generator, the Prometheus listener and the tests make, on plain descriptors. Every
/// descriptor is close-on-exec, so spawned services inherit none of them.
public enum TCPSocket {
    /// A TCP socket for `family`; non-blocking when asked (the load generator's event loop).
    public static func make(family: Int32 = AF_INET, nonBlocking: Bool = false) throws -> Int32 {
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | (nonBlocking ? Int32(SOCK_NONBLOCK.rawValue) : 0)
        return try SystemCall.retrying("socket") { socket(family, type, 0) }
    }

    /// A listening socket bound to `endpoint` (port 0 picks a free port).
    public static func listen(on endpoint: SocketEndpoint, backlog: Int32 = 4096) throws -> Int32 {
        let fd = try make(family: endpoint.address.family)
        do {
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            try bind(fd, to: endpoint)
            try SystemCall.retrying("listen(\(endpoint))") { Glibc.listen(fd, backlog) }
            return fd
        } catch {
            close(fd)
            throw error
        }
    }

    /// Binds `fd` to `endpoint` (port 0 picks a free port).
    public static func bind(_ fd: Int32, to endpoint: SocketEndpoint) throws {
        try SystemCall.retrying("bind(\(endpoint))") { endpoint.withSockAddr { Glibc.bind(fd, $0, $1) } }
    }

    /// A loopback port the kernel just handed out as free, for a server that cannot be told to
    /// bind port 0 (Prometheus, ClickHouse) and is started right after.
    public static func freeLoopbackPort() throws -> UInt16 {
        let fd = try make()
        defer { close(fd) }
        try bind(fd, to: SocketEndpoint(address: .loopbackV4, port: 0))
        guard let local = localEndpoint(fd) else { throw SystemCallError("getsockname") }
        return local.port
    }

    /// A connected blocking socket with TCP_NODELAY, and send/receive timeouts when given.
    public static func connect(to endpoint: SocketEndpoint, timeoutMs: Int = 0) throws -> Int32 {
        let fd = try make(family: endpoint.address.family)
        if timeoutMs > 0 { setTimeouts(fd, receiveMs: timeoutMs, sendMs: timeoutMs) }
        guard endpoint.withSockAddr({ Glibc.connect(fd, $0, $1) }) == 0 else {
            let error = SystemCallError("connect(\(endpoint))")
            close(fd)
            throw error
        }
        setNoDelay(fd)
        return fd
    }

    /// Starts a non-blocking connect: 0 when connected at once, EINPROGRESS, or the errno.
    public static func startConnect(_ fd: Int32, to endpoint: SocketEndpoint) -> Int32 {
        endpoint.withSockAddr { Glibc.connect(fd, $0, $1) } == 0 ? 0 : errno
    }

    /// The pending error of a non-blocking connect (0 once connected).
    public static func pendingError(_ fd: Int32) -> Int32 {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length) == 0 else { return errno }
        return code
    }

    /// Connects the non-blocking `fd` and waits at most `timeoutMs` for the handshake.
    /// Returns 0 or the errno (ETIMEDOUT when nothing answered in time).
    public static func connect(_ fd: Int32, to endpoint: SocketEndpoint, timeoutMs: Int32) -> Int32 {
        var code = startConnect(fd, to: endpoint)
        if code == EINPROGRESS {
            var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&pfd, 1, timeoutMs)
            code = ready == 0 ? ETIMEDOUT : (ready < 0 ? errno : pendingError(fd))
        }
        return code
    }

    /// Connects within `timeoutMs` and closes again: is anything listening there? 0 or the errno.
    public static func reachability(of endpoint: SocketEndpoint, timeoutMs: Int32) throws -> Int32 {
        let fd = try make(family: endpoint.address.family, nonBlocking: true)
        defer { close(fd) }
        return connect(fd, to: endpoint, timeoutMs: timeoutMs)
    }

    /// The next connection on a listening socket, close-on-exec (Glibc's module has no accept4).
    public static func accept(_ fd: Int32) throws -> Int32 {
        let client = try SystemCall.retrying("accept") { Glibc.accept(fd, nil, nil) }
        _ = fcntl(client, F_SETFD, FD_CLOEXEC)
        return client
    }

    public static func setNoDelay(_ fd: Int32) {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// SO_RCVTIMEO / SO_SNDTIMEO: a blocked read or write fails with EAGAIN after this long.
    public static func setTimeouts(_ fd: Int32, receiveMs: Int, sendMs: Int) {
        for (option, ms) in [(SO_RCVTIMEO, receiveMs), (SO_SNDTIMEO, sendMs)] where ms > 0 {
            var tv = timeval(tv_sec: ms / 1000, tv_usec: (ms % 1000) * 1000)
            setsockopt(fd, SOL_SOCKET, option, &tv, socklen_t(MemoryLayout<timeval>.size))
        }
    }

    /// This socket's end and the peer's: the connection as this side sees it. Ends that cannot
    /// be read (the socket is not connected) are all zeros.
    public static func connection(_ fd: Int32) -> ConnectionTuple {
        ConnectionTuple(local: localEndpoint(fd) ?? ConnectionTuple.none.local, remote: remoteEndpoint(fd) ?? ConnectionTuple.none.remote)
    }

    public static func localEndpoint(_ fd: Int32) -> SocketEndpoint? {
        endpoint(fd, getsockname)
    }

    public static func remoteEndpoint(_ fd: Int32) -> SocketEndpoint? {
        endpoint(fd, getpeername)
    }

    private static func endpoint(_ fd: Int32, _ call: (Int32, UnsafeMutablePointer<sockaddr>?, UnsafeMutablePointer<socklen_t>?) -> Int32) -> SocketEndpoint? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        return withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                call(fd, sa, &length) == 0 ? SocketEndpoint(UnsafePointer(sa)) : nil
            }
        }
    }

    /// Resolves a numeric or named host (getaddrinfo); the first address of `family` wins.
    public static func resolve(_ host: String, port: UInt16 = 0, family: Int32 = AF_UNSPEC) throws -> SocketEndpoint {
        var hints = addrinfo()
        hints.ai_family = family
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &result)
        guard status == 0, let info = result else {
            throw SystemCallError("getaddrinfo(\(host))", reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(info) }
        guard let sa = info.pointee.ai_addr, let endpoint = SocketEndpoint(UnsafePointer(sa)) else {
            throw SystemCallError("getaddrinfo(\(host))", reason: "no IPv4 or IPv6 address")
        }
        return endpoint
    }

    /// Writes all `count` bytes, retrying short writes and EINTR.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) throws {
        var offset = 0
        while offset < count {
            offset += try SystemCall.retrying("send") { send(fd, bytes + offset, count - offset, Int32(MSG_NOSIGNAL)) }
        }
    }

    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try writeAll(fd, $0.baseAddress!, $0.count) }
    }

    /// One recv(2), retrying EINTR. Returns 0 at end of stream; throws on errors and timeouts
    /// (a timeout is errno EAGAIN).
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawPointer, capacity: Int) throws -> Int {
        try SystemCall.retrying("recv") { recv(fd, buffer, capacity, 0) }
    }
}
