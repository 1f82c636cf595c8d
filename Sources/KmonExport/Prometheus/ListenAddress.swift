import Foundation

/// Where the Prometheus endpoint listens. Loopback unless the user names another address, so that
/// turning the exporter on never exposes a host's traffic map to the network by accident.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public static let defaultHost = "127.0.0.1"
    public static let defaultPort: UInt16 = 9464
    public static let `default` = ListenAddress(host: defaultHost, port: defaultPort)

    public var host: String
    public var port: UInt16

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Accepts `HOST:PORT`, `[IPV6]:PORT`, `:PORT` or `PORT` (host 127.0.0.1), `HOST` (port 9464),
    /// and the empty string (127.0.0.1:9464).
    public init(parsing text: String) throws {
        let text = text.trimmingCharacters(in: .whitespaces)
        var host = Self.defaultHost
        var portText: Substring?
        if text.isEmpty {
            portText = nil
        } else if text.allSatisfy(\.isNumber) {
            portText = Substring(text)
        } else if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw ExportError("listen address '\(text)' opens '[' without closing it; expected [IPV6]:PORT")
            }
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { throw ExportError("listen address '\(text)': expected ':PORT' after ']'") }
                portText = rest.dropFirst()
            }
        } else if text.filter({ $0 == ":" }).count > 1 {
            host = text // a bare IPv6 address
        } else if let colon = text.firstIndex(of: ":") {
            if colon != text.startIndex { host = String(text[..<colon]) }
            portText = text[text.index(after: colon)...]
        } else {
            host = text
        }
        var port = Self.defaultPort
        if let portText {
            guard let value = UInt16(portText) else {
                throw ExportError("listen address '\(text)': port '\(portText)' is not a number in 0-65535")
            }
            port = value
        }
        guard !host.isEmpty else { throw ExportError("listen address '\(text)' has an empty host") }
        self.init(host: host, port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
