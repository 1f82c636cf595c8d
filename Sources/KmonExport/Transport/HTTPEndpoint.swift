import Foundation
import KmonHTTP

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
        let notAURL = ExportError("'\(Self.redacted(url))' is not a URL; expected http://HOST:PORT or https://HOST:PORT, "
            + "e.g. http://127.0.0.1:\(defaultPort)")
        // What URL syntax allows unescaped; anything else (spaces, quotes, line breaks) is a typo.
        guard let parts = URLParts(url), url.allSatisfy(\.isURLCharacter) else { throw notAURL }
        let scheme = parts.scheme.lowercased()
        guard let known = Scheme(rawValue: scheme) else {
            throw ExportError("'\(Self.redacted(url))' uses \(scheme)://; expected http:// or https://")
        }
        if parts.userInfo != nil {
            throw ExportError("'\(Self.redacted(url))' has credentials in the URL, where `ps` would show them; "
                + "give the user with its --…-user flag and the password in a file or the environment")
        }
        guard !parts.host.isEmpty else { throw ExportError("'\(url)' has no host; expected \(scheme)://HOST:PORT") }
        // A name or IPv4 address, or an IPv6 literal in closed brackets.
        let hostCharacters = parts.isIPv6Literal ? "-._~%:" : "-._~%"
        guard parts.host.allSatisfy({ $0.isLetter || $0.isNumber || hostCharacters.contains($0) }),
              !parts.isIPv6Literal || parts.authority.contains("]") else { throw notAURL }
        var port = defaultPort
        if let text = parts.port, !text.isEmpty {
            guard let number = Int(text) else { throw notAURL }
            guard (1...65535).contains(number) else { throw ExportError("'\(url)' has port \(number), outside 1-65535") }
            port = UInt16(number)
        }
        if parts.query != nil { throw ExportError("'\(Self.redacted(url))' has a query string; give the sink's settings as flags") }
        self.scheme = known
        self.host = parts.host
        self.port = port
        var path = String(parts.path)
        while path.hasSuffix("/") { path.removeLast() }
        self.pathPrefix = path
    }

    public var description: String { "\(scheme.rawValue)://\(host.contains(":") ? "[\(host)]" : host):\(port)\(pathPrefix)" }

    /// `url` with any user and password replaced, for error messages about a URL that was refused.
    static func redacted(_ url: String) -> String {
        guard let parts = URLParts(url), parts.userInfo != nil, let at = parts.authority.lastIndex(of: "@") else { return url }
        return "\(parts.scheme)://…@\(parts.authority[parts.authority.index(after: at)...])\(parts.path)"
    }
}

extension Character {
    /// RFC 3986's unreserved and reserved characters, and "%" of an escape.
    fileprivate var isURLCharacter: Bool {
        isASCII && (isLetter || isNumber || "-._~:/?#[]@!$&'()*+,;=%".contains(self))
    }
}
