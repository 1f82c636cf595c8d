import Glibc

/// Thin wrappers over the socket calls the generator makes, each naming the failing call.
enum Sockets {
    static func address(_ ip: UInt32, _ port: UInt16) -> sockaddr_in {
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_port = port.bigEndian
        sa.sin_addr.s_addr = ip.bigEndian
        return sa
    }

    /// A non-blocking TCP socket with Nagle off (requests are small and must leave at once).
    static func tcpSocket() -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if fd >= 0 {
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        return fd
    }

    /// Starts a non-blocking connect: 0 when connected at once, EINPROGRESS, or the errno.
    static func startConnect(_ fd: Int32, to target: LoadTarget) -> Int32 {
        var sa = address(target.address, target.port)
        let rc = withUnsafePointer(to: &sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return rc == 0 ? 0 : errno
    }

    /// The pending error of a non-blocking connect (0 once connected).
    static func pendingError(_ fd: Int32) -> Int32 {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length) == 0 else { return errno }
        return code
    }

    /// (address, port) of either end, host byte order.
    static func endpoint(_ fd: Int32, peer: Bool) -> (UInt32, UInt16) {
        var sa = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let rc = withUnsafeMutablePointer(to: &sa) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                peer ? getpeername(fd, $0, &length) : getsockname(fd, $0, &length)
            }
        }
        guard rc == 0 else { return (0, 0) }
        return (UInt32(bigEndian: sa.sin_addr.s_addr), UInt16(bigEndian: sa.sin_port))
    }

    /// Connects with a blocking wait of at most `timeoutMs`: the reachability check before a run.
    static func probe(_ target: LoadTarget, timeoutMs: Int32) throws {
        let fd = tcpSocket()
        guard fd >= 0 else { throw LoadError.system("socket", errno: errno) }
        defer { close(fd) }
        var code = startConnect(fd, to: target)
        if code == EINPROGRESS {
            var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&pfd, 1, timeoutMs)
            code = ready == 0 ? ETIMEDOUT : (ready < 0 ? errno : pendingError(fd))
        }
        guard code == 0 else { throw LoadError.unreachable(target.description, errno: code) }
    }
}
