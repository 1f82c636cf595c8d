import Foundation
import Glibc

/// Plain IPv4 loopback sockets for causing TCP events on purpose.
enum LoopbackSockets {
    static func tcpSocket() throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        return fd
    }

    static func address(port: UInt16) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return addr
    }

    static func bind(_ fd: Int32, port: UInt16 = 0) -> Int32 {
        var addr = address(port: port)
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }

    static func connect(_ fd: Int32, port: UInt16) -> Int32 {
        var addr = address(port: port)
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }

    static func localPort(_ fd: Int32) -> UInt16 {
        var addr = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return UInt16(bigEndian: addr.sin_port)
    }

    /// A port with nothing listening: bound once to get it from the kernel, then closed.
    static func closedPort() throws -> UInt16 {
        let fd = try tcpSocket()
        defer { close(fd) }
        guard bind(fd, port: 0) == 0 else { throw POSIXError(.EADDRINUSE) }
        return localPort(fd)
    }
}
