import Glibc

/// One byte over a fresh loopback TCP connection, read `pauseMicroseconds` after it was
/// written: by then the data waits in the socket, so TCP's clock was last refreshed by its
/// arrival, unless the read refreshes it (the `readClock` feature probe).
enum PausedRead {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func run(pauseMicroseconds: UInt32) throws {
        var descriptors: [Int32] = []
        defer { descriptors.forEach { close($0) } }
        func open() throws -> Int32 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
            descriptors.append(fd)
            return fd
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = in_addr_t(0x7f00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listener = try open()
        try withSocketAddress(&address) { bind(listener, $0, length) == 0 && listen(listener, 1) == 0 && getsockname(listener, $0, &length) == 0 }
        let client = try open()
        try withSocketAddress(&address) { connect(client, $0, length) == 0 }
        let server = accept(listener, nil, nil)
        guard server >= 0 else { throw Failure(description: "accept: errno \(errno)") }
        descriptors.append(server)
        var byte: UInt8 = 1
        guard write(client, &byte, 1) == 1 else { throw Failure(description: "write: errno \(errno)") }
        usleep(pauseMicroseconds)
        guard read(server, &byte, 1) == 1 else { throw Failure(description: "read: errno \(errno)") }
    }

    private static func withSocketAddress(_ address: inout sockaddr_in, _ body: (UnsafeMutablePointer<sockaddr>) -> Bool) throws {
        let ok = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1, body) }
        guard ok else { throw Failure(description: "loopback socket setup: errno \(errno)") }
    }
}
