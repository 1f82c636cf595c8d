import Glibc

/// An IPv4 or IPv6 address as its 16 bytes (IPv4 stored IPv4-mapped, ::ffff:a.b.c.d), held as
/// two integers so hashing and comparing cost no more than a pair of words. Kernel records,
/// ground truth and joins all carry this form; text exists only for people and for JSON.
public struct IPAddress: Hashable, Sendable, Comparable, CodableAsText {
    public static let textForm = "an IP address"

    /// Bytes 0–7 and 8–15 of the address in network order, read as big-endian integers.
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// An IPv4 address in host byte order, e.g. 0x7F00_0001 for 127.0.0.1.
    public init(ipv4: UInt32) {
        self.init(high: 0, low: 0xFFFF_0000_0000 | UInt64(ipv4))
    }

    /// The address a kernel record or a `sockaddr` holds: 4 bytes for AF_INET, 16 for AF_INET6,
    /// network order.
    public init(networkBytes bytes: UnsafeRawPointer, family: Int32) {
        if family == AF_INET6 {
            self.init(high: UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self)),
                      low: UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        } else {
            self.init(ipv4: UInt32(bigEndian: bytes.loadUnaligned(as: UInt32.self)))
        }
    }

    /// Parses dotted IPv4 or textual IPv6; nil when `text` is neither.
    public init?(_ text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self.init(networkBytes: &v4, family: AF_INET)
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        self.init(networkBytes: &v6, family: AF_INET6)
    }

    public static let loopbackV4 = IPAddress(ipv4: 0x7F00_0001)
    public static let anyV4 = IPAddress(ipv4: 0)

    /// The IPv4 address in host byte order, nil for a real IPv6 address.
    public var ipv4: UInt32? {
        high == 0 && low >> 32 == 0xFFFF ? UInt32(truncatingIfNeeded: low) : nil
    }

    public var family: Int32 { ipv4 == nil ? AF_INET6 : AF_INET }

    /// Writes the 16 bytes in network order (an IPv4 address IPv4-mapped).
    public func store(into raw: UnsafeMutableRawPointer) {
        raw.storeBytes(of: high.bigEndian, as: UInt64.self)
        raw.storeBytes(of: low.bigEndian, toByteOffset: 8, as: UInt64.self)
    }

    /// Reads what `store(into:)` wrote.
    public init(loading raw: UnsafeRawPointer) {
        self.init(networkBytes: raw, family: AF_INET6)
    }

    public var description: String {
        if let v4 = ipv4 { return "\(v4 >> 24).\(v4 >> 16 & 0xFF).\(v4 >> 8 & 0xFF).\(v4 & 0xFF)" }
        var bytes = in6_addr()
        store(into: &bytes)
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &bytes, &text, socklen_t(text.count)) != nil else { return "?" }
        return String(cString: text)
    }

    public static func < (a: IPAddress, b: IPAddress) -> Bool { (a.high, a.low) < (b.high, b.low) }
}
