import Glibc

/// Thin throwing wrappers over the socket calls the exporters need: a listener for Prometheus and
/// short-lived client connections for InfluxDB. Blocking sockets with timeouts, no event loop:
/// each exporter owns one thread, so nothing here runs on the probe path.
enum Sockets {
    /// Resolves numeric or named hosts; the first address returned is used.
    static func resolve(host: String, port: UInt16, passive: Bool = false) throws -> (storage: sockaddr_storage, length: socklen_t, family: Int32) {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = passive ? AI_PASSIVE : 0
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &result)
        guard status == 0, let info = result else {
            throw ExportError("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(info) }
        var storage = sockaddr_storage()
        memcpy(&storage, info.pointee.ai_addr, Int(info.pointee.ai_addrlen))
        return (storage, info.pointee.ai_addrlen, info.pointee.ai_family)
    }

    /// Connects with a deadline, so a silent sink (a firewall dropping SYNs) costs seconds, not minutes.
    static func connect(host: String, port: UInt16, timeout: Double) throws -> Int32 {
        var (storage, length, family) = try resolve(host: host, port: port)
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw ExportError.system("socket", "connecting to \(host):\(port)") }
        do {
            let rc = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) }
            }
            if rc != 0 {
                guard errno == EINPROGRESS else { throw ExportError.system("connect", "connecting to \(host):\(port)") }
                try wait(fd, events: Int16(POLLOUT), timeout: timeout, what: "connecting to \(host):\(port)")
                var soError: Int32 = 0
                var soLength = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &soLength)
                if soError != 0 { throw ExportError.system("connect", "connecting to \(host):\(port)", errno: soError) }
            }
            let flags = fcntl(fd, F_GETFL)
            _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)
            setTimeouts(fd, seconds: timeout)
            return fd
        } catch {
            close(fd)
            throw error
        }
    }

    static func wait(_ fd: Int32, events: Int16, timeout: Double, what: String) throws {
        var pfd = pollfd(fd: fd, events: events, revents: 0)
        let rc = poll(&pfd, 1, Int32(timeout * 1000))
        if rc == 0 { throw ExportError("\(what): timed out after \(timeout) s") }
        if rc < 0 { throw ExportError.system("poll", what) }
    }

    static func setTimeouts(_ fd: Int32, seconds: Double) {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    static func sendAll(_ fd: Int32, _ bytes: [UInt8], what: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ExportError.system("send", what)
            }
            offset += n
        }
    }

    /// Reads until the peer closes, `limit` bytes arrive, or `isComplete` says the message is whole.
    static func receive(_ fd: Int32, limit: Int, what: String, isComplete: ([UInt8]) -> Bool) throws -> [UInt8] {
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while data.count < limit && !isComplete(data) {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN { throw ExportError("\(what): timed out waiting for data") }
                throw ExportError.system("recv", what)
            }
            if n == 0 { break }
            data.append(contentsOf: chunk[0..<n])
        }
        return data
    }
}
