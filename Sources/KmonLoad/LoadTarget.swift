import Glibc

/// Where the load goes: one IPv4 address and port, and the request line's path.
///
/// Only `http://` URLs are accepted; the generator speaks plain HTTP/1.1 over IPv4 (loopback or
/// the 198.18.0.0/15 namespaces the harness creates).
public struct LoadTarget: Sendable, Equatable, CustomStringConvertible {
    /// IPv4 address in host byte order (127.0.0.1 is 0x7F00_0001).
    public let address: UInt32
    public let port: UInt16
    /// The Host header value, as written in the URL.
    public let hostHeader: String
    public let path: String

    public init(address: UInt32, port: UInt16, hostHeader: String? = nil, path: String = "/") {
        self.address = address
        self.port = port
        self.hostHeader = hostHeader ?? "\(IPv4.text(address)):\(port)"
        self.path = path
    }

    /// Parses `http://HOST[:PORT][/PATH]`, resolving HOST to an IPv4 address.
    public init(url: String) throws {
        let scheme = "http://"
        guard url.hasPrefix(scheme) else {
            throw LoadError.badURL(url, url.contains("://") ? "only http:// is supported" : "missing http:// scheme")
        }
        let rest = url.dropFirst(scheme.count)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = String(rest[..<slash])
        let path = slash == rest.endIndex ? "/" : String(rest[slash...])
        guard !authority.isEmpty else { throw LoadError.badURL(url, "no host") }
        guard !path.contains(where: { $0 == " " || $0 == "\r" || $0 == "\n" }) else {
            throw LoadError.badURL(url, "the path contains spaces or line breaks")
        }
        var host = authority
        var port: UInt16 = 80
        if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            let portText = authority[authority.index(after: colon)...]
            guard let parsed = UInt16(portText), parsed > 0 else {
                throw LoadError.badURL(url, "port '\(portText)' is not a number from 1 to 65535")
            }
            port = parsed
        }
        guard !host.isEmpty else { throw LoadError.badURL(url, "no host") }
        guard !host.contains("@"), !host.hasPrefix("[") else {
            throw LoadError.badURL(url, "user info and IPv6 literals are not supported")
        }
        self.init(address: try IPv4.resolve(host), port: port, hostHeader: authority, path: path)
    }

    public var description: String { "\(IPv4.text(address)):\(port)" }
}

/// IPv4 helpers shared by the target parser and the record printers.
public enum IPv4 {
    /// Dotted-quad text of a host-byte-order address.
    public static func text(_ address: UInt32) -> String {
        "\(address >> 24).\((address >> 16) & 0xFF).\((address >> 8) & 0xFF).\(address & 0xFF)"
    }

    /// Resolves a dotted quad or a host name (through getaddrinfo) to a host-byte-order address.
    public static func resolve(_ host: String) throws -> UInt32 {
        var inAddr = in_addr()
        if inet_pton(AF_INET, host, &inAddr) == 1 { return UInt32(bigEndian: inAddr.s_addr) }
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result, let sa = first.pointee.ai_addr else {
            throw LoadError.unresolvable(host)
        }
        defer { freeaddrinfo(result) }
        return sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt32(bigEndian: $0.pointee.sin_addr.s_addr) }
    }
}
