import Glibc

/// An IP address and TCP port: one end of a connection, or where a server listens.
/// Codable as its text, "a.b.c.d:port" or "[v6]:port".
public struct SocketEndpoint: Hashable, Sendable, CodableAsText {
    public static let textForm = "an address:port"

    public var address: IPAddress
    public var port: UInt16

    public init(address: IPAddress, port: UInt16) {
        self.address = address
        self.port = port
    }

    /// Parses "a.b.c.d:port" or "[v6]:port"; nil when malformed.
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else { return nil }
        var host = text[..<colon]
        if host.hasPrefix("[") && host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        guard let address = IPAddress(String(host)) else { return nil }
        self.init(address: address, port: port)
    }

    public var description: String {
        address.ipv4 != nil ? "\(address):\(port)" : "[\(address)]:\(port)"
    }

    /// Calls `body` with this endpoint as a `sockaddr_in` or `sockaddr_in6` and its length.
    public func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> R) rethrows -> R {
        if let v4 = address.ipv4 {
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            sa.sin_port = port.bigEndian
            sa.sin_addr.s_addr = v4.bigEndian
            return try withUnsafePointer(to: &sa) {
                try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        var sa = sockaddr_in6()
        sa.sin6_family = sa_family_t(AF_INET6)
        sa.sin6_port = port.bigEndian
        address.store(into: &sa.sin6_addr)
        return try withUnsafePointer(to: &sa) {
            try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        }
    }

    /// The endpoint a `sockaddr_in` or `sockaddr_in6` names; nil for another family.
    public init?(_ sa: UnsafePointer<sockaddr>) {
        switch Int32(sa.pointee.sa_family) {
        case AF_INET:
            let v4 = UnsafeRawPointer(sa).assumingMemoryBound(to: sockaddr_in.self).pointee
            self.init(address: IPAddress(ipv4: UInt32(bigEndian: v4.sin_addr.s_addr)), port: UInt16(bigEndian: v4.sin_port))
        case AF_INET6:
            var v6 = UnsafeRawPointer(sa).assumingMemoryBound(to: sockaddr_in6.self).pointee
            self.init(address: IPAddress(networkBytes: &v6.sin6_addr, family: AF_INET6), port: UInt16(bigEndian: v6.sin6_port))
        default:
            return nil
        }
    }
}
