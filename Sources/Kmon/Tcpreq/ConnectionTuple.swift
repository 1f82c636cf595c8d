import CKmonEvents
import Glibc

/// A TCP connection seen from one of its sockets: local and remote address and port.
/// The peer's socket sees the same connection `reversed`.
public struct ConnectionTuple: Hashable, Codable, Sendable, CustomStringConvertible {
    public var localAddress: String
    public var localPort: UInt16
    public var remoteAddress: String
    public var remotePort: UInt16

    public init(localAddress: String, localPort: UInt16, remoteAddress: String, remotePort: UInt16) {
        self.localAddress = localAddress
        self.localPort = localPort
        self.remoteAddress = remoteAddress
        self.remotePort = remotePort
    }

    public var reversed: ConnectionTuple {
        ConnectionTuple(localAddress: remoteAddress, localPort: remotePort, remoteAddress: localAddress, remotePort: localPort)
    }

    public var local: Endpoint { Endpoint(address: localAddress, port: localPort) }
    public var remote: Endpoint { Endpoint(address: remoteAddress, port: remotePort) }

    public var description: String { "\(local)->\(remote)" }

    enum CodingKeys: String, CodingKey {
        case localAddress = "local_address", localPort = "local_port"
        case remoteAddress = "remote_address", remotePort = "remote_port"
    }

    /// Decodes the kernel's `struct tcpreq_tuple`.
    init(_ raw: tcpreq_tuple) {
        let family = Int32(raw.family)
        self.init(localAddress: Self.format(raw.saddr, family: family), localPort: raw.sport,
                  remoteAddress: Self.format(raw.daddr, family: family), remotePort: raw.dport)
    }

    /// Text form of a 16-byte address field: IPv4 in the first 4 bytes for AF_INET.
    static func format<T>(_ bytes: T, family: Int32) -> String {
        var copy = bytes
        return withUnsafeBytes(of: &copy) { raw in
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            let af = family == AF_INET6 ? AF_INET6 : AF_INET
            guard inet_ntop(af, raw.baseAddress, &text, socklen_t(text.count)) != nil else { return "?" }
            return String(cString: text)
        }
    }
}

/// An address and port.
public struct Endpoint: Hashable, Codable, Sendable, CustomStringConvertible {
    public var address: String
    public var port: UInt16

    public init(address: String, port: UInt16) {
        self.address = address
        self.port = port
    }

    public var description: String { address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)" }
}
