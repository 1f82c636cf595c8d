import Glibc

/// Thin throwing wrappers over the socket calls Prometheus' scrape listener needs (the pushed
/// sinks speak HTTP through libcurl, see `SinkHTTPClient`). Blocking sockets with timeouts, no
/// event loop: the listener owns one thread, so nothing here runs on the probe path.
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
