import Glibc

/// An IP address as 16 bytes (IPv4 stored IPv4-mapped), cheap to hash for joins over
/// hundreds of thousands of requests.
public struct IPAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    /// An IPv4 address in host byte order, e.g. 0x7F00_0001 for 127.0.0.1.
    public init(ipv4: UInt32) {
        high = 0
        low = 0xFFFF_0000_0000 | UInt64(ipv4)
    }

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Parses dotted IPv4 or textual IPv6.
    public init?(_ text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self.init(ipv4: UInt32(bigEndian: v4.s_addr))
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        self.init(high: bytes[0..<8].reduce(0) { $0 << 8 | UInt64($1) },
                  low: bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) })
    }

    public var ipv4: UInt32? {
        high == 0 && low >> 32 == 0xFFFF ? UInt32(truncatingIfNeeded: low) : nil
    }

    public var description: String {
        if let v4 = ipv4 {
            return [24, 16, 8, 0].map { String((v4 >> UInt32($0)) & 0xFF) }.joined(separator: ".")
        }
        let groups = (0..<8).map { i -> String in
            let word = i < 4 ? high >> UInt64(48 - 16 * i) : low >> UInt64(48 - 16 * (i - 4))
            return String(word & 0xFFFF, radix: 16)
        }
        return groups.joined(separator: ":")
    }

    public static func < (a: IPAddress, b: IPAddress) -> Bool { (a.high, a.low) < (b.high, b.low) }
}

public struct SocketEndpoint: Hashable, Sendable, CustomStringConvertible {
    public var address: IPAddress
    public var port: UInt16

    public init(address: IPAddress, port: UInt16) {
        self.address = address
        self.port = port
    }

    public var description: String {
        address.ipv4 != nil ? "\(address):\(port)" : "[\(address)]:\(port)"
    }
}

/// A TCP connection named from its two ends, whichever side observed it: the client end
/// connected, the server end accepted. Normalizing to this orientation lets a record written by
/// the caller join with a span seen on the callee's accepted socket.
public struct ConnectionKey: Hashable, Sendable, CustomStringConvertible {
    public var client: SocketEndpoint
    public var server: SocketEndpoint

    public init(client: SocketEndpoint, server: SocketEndpoint) {
        self.client = client
        self.server = server
    }

    public var description: String { "\(client)→\(server)" }
}

/// One request on one connection, as an interval in CLOCK_MONOTONIC ns: a ground-truth record
/// or a probe span. The ordinal counts requests on the connection from 0.
public struct TimedExchange: Hashable, Sendable {
    public var connection: ConnectionKey
    public var ordinal: UInt64
    public var start: UInt64
    public var end: UInt64

    public init(connection: ConnectionKey, ordinal: UInt64, start: UInt64, end: UInt64) {
        self.connection = connection
        self.ordinal = ordinal
        self.start = start
        self.end = end
    }

    public var durationNanoseconds: Double { end >= start ? Double(end - start) : -Double(start - end) }

    public var joinKey: JoinKey { JoinKey(connection: connection, ordinal: ordinal) }

    public func contains(_ inner: TimedExchange) -> Bool { start <= inner.start && inner.end <= end }
}

public struct JoinKey: Hashable, Sendable {
    public var connection: ConnectionKey
    public var ordinal: UInt64
}
