import Glibc

/// Thin throwing wrappers over the TCP socket calls the services, the controller and the load
/// generator need. Every descriptor is close-on-exec, so spawned services inherit none of them.
public enum TCPSocket {
    /// A listening socket bound to `endpoint` (port 0 picks a free port).
    public static func listen(on endpoint: IPv4Endpoint, backlog: Int32 = 4096) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemCallError("socket") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var sa = endpoint.sockaddr
        let bound = withUnsafePointer(to: &sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            let error = SystemCallError("bind(\(endpoint))")
            close(fd)
            throw error
        }
        guard Glibc.listen(fd, backlog) == 0 else {
            let error = SystemCallError("listen(\(endpoint))")
            close(fd)
            throw error
        }
        return fd
    }

    /// A connected socket with TCP_NODELAY, and send/receive timeouts when given.
    public static func connect(to endpoint: IPv4Endpoint, timeoutMs: Int = 0) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemCallError("socket") }
        if timeoutMs > 0 { setTimeouts(fd, receiveMs: timeoutMs, sendMs: timeoutMs) }
        var sa = endpoint.sockaddr
        let rc = withUnsafePointer(to: &sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let error = SystemCallError("connect(\(endpoint))")
            close(fd)
            throw error
        }
        setNoDelay(fd)
        return fd
    }

    public static func setNoDelay(_ fd: Int32) {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// SO_RCVTIMEO / SO_SNDTIMEO: a blocked read or write returns EAGAIN after this long.
    public static func setTimeouts(_ fd: Int32, receiveMs: Int, sendMs: Int) {
        for (option, ms) in [(SO_RCVTIMEO, receiveMs), (SO_SNDTIMEO, sendMs)] where ms > 0 {
            var tv = timeval(tv_sec: ms / 1000, tv_usec: (ms % 1000) * 1000)
            setsockopt(fd, SOL_SOCKET, option, &tv, socklen_t(MemoryLayout<timeval>.size))
        }
    }

    public static func localEndpoint(_ fd: Int32) -> IPv4Endpoint {
        endpoint(fd, getsockname)
    }

    public static func remoteEndpoint(_ fd: Int32) -> IPv4Endpoint {
        endpoint(fd, getpeername)
    }

    private static func endpoint(_ fd: Int32, _ call: (Int32, UnsafeMutablePointer<sockaddr>?, UnsafeMutablePointer<socklen_t>?) -> Int32) -> IPv4Endpoint {
        var sa = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { call(fd, $0, &length) }
        }
        return IPv4Endpoint(sa)
    }

    /// Writes all `count` bytes, retrying short writes and EINTR.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) throws {
        var offset = 0
        while offset < count {
            let n = send(fd, bytes + offset, count - offset, Int32(MSG_NOSIGNAL))
            if n > 0 {
                offset += n
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                throw SystemCallError("send")
            }
        }
    }

    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try writeAll(fd, $0.baseAddress!, $0.count) }
    }

    /// One read(2), retrying EINTR. Returns 0 at end of stream; throws on errors and timeouts
    /// (a timeout is errno EAGAIN).
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawPointer, capacity: Int) throws -> Int {
        while true {
            let n = recv(fd, buffer, capacity, 0)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw SystemCallError("recv")
        }
    }
}
