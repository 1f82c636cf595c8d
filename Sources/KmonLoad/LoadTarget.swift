import Glibc
import KmonHTTP
import KmonSystem

/// Where the load goes: one IPv4 address and port, and the request line's path.
///
/// Only `http://` URLs are accepted; the generator speaks plain HTTP/1.1 over IPv4 (loopback or
/// the 198.18.0.0/15 namespaces the harness creates).
public struct LoadTarget: Sendable, Equatable, CustomStringConvertible {
    public let endpoint: SocketEndpoint
    /// The Host header value, as written in the URL.
    public let hostHeader: String
    public let path: String

    public init(endpoint: SocketEndpoint, hostHeader: String? = nil, path: String = "/") {
        self.endpoint = endpoint
        self.hostHeader = hostHeader ?? endpoint.description
        self.path = path
    }
    /// Parses `http://HOST[:PORT][/PATH]`, resolving HOST to an IPv4 address.
    public init(url: String) throws {
        guard let parts = URLParts(url), parts.scheme == "http" else {
            throw LoadError.badURL(url, url.contains("://") ? "only http:// is supported" : "missing http:// scheme")
        }
        guard !parts.authority.isEmpty else { throw LoadError.badURL(url, "no host") }
        guard !parts.target.contains(where: { $0 == " " || $0 == "\r" || $0 == "\n" }) else {
            throw LoadError.badURL(url, "the path contains spaces or line breaks")
        }
        var port: UInt16 = 80
        if let portText = parts.port {
            guard let parsed = UInt16(portText), parsed > 0 else {
                throw LoadError.badURL(url, "port '\(portText)' is not a number from 1 to 65535")
            }
            port = parsed
        }
        guard parts.userInfo == nil, !parts.isIPv6Literal else {
            throw LoadError.badURL(url, "user info and IPv6 literals are not supported")
        }
        guard !parts.host.isEmpty else { throw LoadError.badURL(url, "no host") }
        let address: IPAddress
        do {
            address = try TCPSocket.resolve(parts.host, family: AF_INET).address
        } catch {
            throw LoadError.unresolvable(parts.host)
        }
        // The request target always starts at "/" ("http://h?x" asks for "/?x").
        let path = parts.target.hasPrefix("/") ? parts.target : "/" + parts.target
        self.init(endpoint: SocketEndpoint(address: address, port: port), hostHeader: parts.authority, path: path)
    }

    public var description: String { endpoint.description }
}
