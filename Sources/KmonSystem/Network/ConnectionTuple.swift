/// A TCP connection seen from one of its sockets: local and remote end. The peer's socket sees
/// the same connection `reversed`. A join names a connection from its client end (local =
/// client), so a record written by the caller meets a span seen on the callee's accepted socket.
public struct ConnectionTuple: Hashable, Sendable, Codable, CustomStringConvertible {
    public var local: SocketEndpoint
    public var remote: SocketEndpoint

    public init(local: SocketEndpoint, remote: SocketEndpoint) {
        self.local = local
        self.remote = remote
    }

    /// No connection (nothing was established): every address and port zero.
    public static let none = ConnectionTuple(local: SocketEndpoint(address: .anyV4, port: 0),
                                             remote: SocketEndpoint(address: .anyV4, port: 0))

    public var reversed: ConnectionTuple { ConnectionTuple(local: remote, remote: local) }

    public var description: String { "\(local)->\(remote)" }

    // JSON keeps the four fields people filter on, addresses as text.
    enum CodingKeys: String, CodingKey {
        case localAddress = "local_address", localPort = "local_port"
        case remoteAddress = "remote_address", remotePort = "remote_port"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func address(_ key: CodingKeys) throws -> IPAddress {
            let text = try c.decode(String.self, forKey: key)
            guard let address = IPAddress(text) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "not an IP address: \(text)")
            }
            return address
        }
        self.init(local: SocketEndpoint(address: try address(.localAddress), port: try c.decode(UInt16.self, forKey: .localPort)),
                  remote: SocketEndpoint(address: try address(.remoteAddress), port: try c.decode(UInt16.self, forKey: .remotePort)))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(local.address.description, forKey: .localAddress)
        try c.encode(local.port, forKey: .localPort)
        try c.encode(remote.address.description, forKey: .remoteAddress)
        try c.encode(remote.port, forKey: .remotePort)
    }

    /// The bytes a records file stores: local address (16, network order), remote address (16),
    /// local port and remote port (u16 little-endian).
    public static let storedSize = 36

    public func store(into raw: UnsafeMutableRawPointer) {
        local.address.store(into: raw)
        remote.address.store(into: raw + 16)
        raw.storeBytes(of: local.port.littleEndian, toByteOffset: 32, as: UInt16.self)
        raw.storeBytes(of: remote.port.littleEndian, toByteOffset: 34, as: UInt16.self)
    }

    public init(loading raw: UnsafeRawPointer) {
        self.init(local: SocketEndpoint(address: IPAddress(loading: raw),
                                        port: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 32, as: UInt16.self))),
                  remote: SocketEndpoint(address: IPAddress(loading: raw + 16),
                                         port: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 34, as: UInt16.self))))
    }
}
