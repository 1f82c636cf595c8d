import Glibc

/// An IPv4 address and TCP port. Kmon's workloads run on loopback or in 198.18.0.0/15, so IPv4
/// is all the ground truth needs; the address is kept in host byte order (a.b.c.d = a<<24 | …).
public struct IPv4Endpoint: Hashable, Sendable, Codable, CustomStringConvertible {
    public var address: UInt32
    public var port: UInt16

    public init(address: UInt32, port: UInt16) {
        self.address = address
        self.port = port
    }

    /// Parses "a.b.c.d:port"; nil when malformed.
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"),
              let port = UInt16(text[text.index(after: colon)...]),
              let address = IPv4Endpoint.parseAddress(String(text[..<colon]))
        else { return nil }
        self.init(address: address, port: port)
    }

    public static func parseAddress(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard part.count <= 3, let octet = UInt8(part) else { return nil }
            value = value << 8 | UInt32(octet)
        }
        return value
    }

    public static func formatAddress(_ address: UInt32) -> String {
        "\(address >> 24).\(address >> 16 & 0xFF).\(address >> 8 & 0xFF).\(address & 0xFF)"
    }

    public static let loopback: UInt32 = 0x7F00_0001

    public var host: String { IPv4Endpoint.formatAddress(address) }
    public var description: String { "\(host):\(port)" }

    var sockaddr: sockaddr_in {
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_port = port.bigEndian
        sa.sin_addr.s_addr = address.bigEndian
        return sa
    }

    init(_ sa: sockaddr_in) {
        self.init(address: UInt32(bigEndian: sa.sin_addr.s_addr), port: UInt16(bigEndian: sa.sin_port))
    }

    // Codable as the "a.b.c.d:port" text, which is what people and scripts read.
    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let endpoint = IPv4Endpoint(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an IPv4 endpoint: \(text)"))
        }
        self = endpoint
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
