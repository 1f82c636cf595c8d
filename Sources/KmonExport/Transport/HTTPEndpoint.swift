import Foundation

/// An `http://` or `https://` sink URL, as given to `--influx` or `--clickhouse`. It never holds a
/// secret: credentials come from files or the environment (see `SinkAuth`), so the URL can be
/// logged and named in errors as it is.
public struct HTTPEndpoint: Sendable, Equatable, CustomStringConvertible {
    public enum Scheme: String, Sendable {
        case http, https
    }

    public var scheme: Scheme
    public var host: String
    public var port: UInt16
    /// Path prefix without a trailing slash ("" for the root), for sinks behind a reverse proxy.
    public var pathPrefix: String

    public init(scheme: Scheme = .http, host: String, port: UInt16, pathPrefix: String = "") {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.pathPrefix = pathPrefix
    }

    /// Parses `http[s]://HOST[:PORT][/PATH]`; the port defaults to `defaultPort`.
    public init(url: String, defaultPort: UInt16) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            throw ExportError("'\(url)' is not a URL; expected http://HOST:PORT or https://HOST:PORT, e.g. http://127.0.0.1:\(defaultPort)")
        }
        guard let known = Scheme(rawValue: scheme) else {
            throw ExportError("'\(Self.redacted(url))' uses \(scheme)://; expected http:// or https://")
        }
        if components.user != nil || components.password != nil {
            throw ExportError("'\(Self.redacted(url))' has credentials in the URL, where `ps` would show them; "
                + "give the user with its --…-user flag and the password in a file or the environment")
        }
        // Foundation keeps an IPv6 literal's brackets in `host`; the endpoint holds the bare address.
        guard let host = components.host.map({ $0.hasPrefix("[") && $0.hasSuffix("]") ? String($0.dropFirst().dropLast()) : $0 }),
              !host.isEmpty else {
            throw ExportError("'\(url)' has no host; expected \(scheme)://HOST:PORT")
        }
        if let port = components.port, !(1...65535).contains(port) {
            throw ExportError("'\(url)' has port \(port), outside 1-65535")
        }
        if components.query != nil { throw ExportError("'\(Self.redacted(url))' has a query string; give the sink's settings as flags") }
        self.scheme = known
        self.host = host
        self.port = components.port.map(UInt16.init) ?? defaultPort
        var path = components.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        self.pathPrefix = path
    }

    public var description: String { "\(scheme.rawValue)://\(host.contains(":") ? "[\(host)]" : host):\(port)\(pathPrefix)" }

    /// `url` with any user and password replaced, for error messages about a URL that was refused.
    static func redacted(_ url: String) -> String {
        guard let components = URLComponents(string: url), components.user != nil || components.password != nil else { return url }
        let port = components.port.map { ":\($0)" } ?? ""
        return "\(components.scheme ?? "?")://…@\(components.host ?? "")\(port)\(components.percentEncodedPath)"
    }
}
