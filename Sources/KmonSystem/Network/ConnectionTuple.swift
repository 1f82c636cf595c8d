/// A TCP connection seen from one of its sockets: local and remote end. The peer's socket sees
/// the same connection `reversed`. A join names a connection from its client end (local =
/// client), so a record written by the caller meets a span seen on the callee's accepted socket.
public struct ConnectionTuple: Hashable, Sendable, Codable, CustomStringConvertible {
    // Stored as the four fields JSON keeps (the ones people filter on), addresses as text.
    public var localAddress: IPAddress
    public var localPort: UInt16
    public var remoteAddress: IPAddress
    public var remotePort: UInt16

    public init(local: SocketEndpoint, remote: SocketEndpoint) {
        localAddress = local.address
        localPort = local.port
        remoteAddress = remote.address
        remotePort = remote.port
    }

    public var local: SocketEndpoint {
        get { SocketEndpoint(address: localAddress, port: localPort) }
        set { (localAddress, localPort) = (newValue.address, newValue.port) }
    }

    public var remote: SocketEndpoint {
        get { SocketEndpoint(address: remoteAddress, port: remotePort) }
        set { (remoteAddress, remotePort) = (newValue.address, newValue.port) }
    }

    /// No connection (nothing was established): every address and port zero.
    public static let none = ConnectionTuple(local: SocketEndpoint(address: .anyV4, port: 0),
                                             remote: SocketEndpoint(address: .anyV4, port: 0))

    public var reversed: ConnectionTuple { ConnectionTuple(local: remote, remote: local) }

    public var description: String { "\(local)->\(remote)" }

    enum CodingKeys: String, CodingKey {
        case localAddress = "local_address", localPort = "local_port"
        case remoteAddress = "remote_address", remotePort = "remote_port"
    }

    /// The bytes a records file stores: local address (16, network order), remote address (16),
    /// local port and remote port (u16 little-endian).
    public static let storedSize = 36

    public func store(into raw: UnsafeMutableRawPointer) {
        localAddress.store(into: raw)
        remoteAddress.store(into: raw + 16)
        raw.storeBytes(of: localPort.littleEndian, toByteOffset: 32, as: UInt16.self)
        raw.storeBytes(of: remotePort.littleEndian, toByteOffset: 34, as: UInt16.self)
    }

    public init(loading raw: UnsafeRawPointer) {
        self.init(local: SocketEndpoint(address: IPAddress(loading: raw),
                                        port: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 32, as: UInt16.self))),
                  remote: SocketEndpoint(address: IPAddress(loading: raw + 16),
                                         port: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 34, as: UInt16.self))))
    }
}
