import Foundation
import Glibc

/// An `http://host:port/prefix` URL, as given to `--influx`.
public struct HTTPEndpoint: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: UInt16
    /// Path prefix without a trailing slash ("" for the root), for sinks behind a reverse proxy.
    public var pathPrefix: String

    public init(host: String, port: UInt16, pathPrefix: String = "") {
        self.host = host
        self.port = port
        self.pathPrefix = pathPrefix
    }

    /// Parses `http://HOST[:PORT][/PATH]`; the port defaults to `defaultPort`.
    public init(url: String, defaultPort: UInt16) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            throw ExportError("'\(url)' is not a URL; expected http://HOST:PORT, e.g. http://127.0.0.1:8086")
        }
        guard scheme == "http" else {
            throw ExportError("'\(url)' uses \(scheme)://; only plain http:// is supported (put a TLS proxy on loopback in front)")
        }
        guard let host = components.host, !host.isEmpty else {
            throw ExportError("'\(url)' has no host; expected http://HOST:PORT")
        }
        if let port = components.port, !(1...65535).contains(port) {
            throw ExportError("'\(url)' has port \(port), outside 1-65535")
        }
        self.host = host
        self.port = components.port.map(UInt16.init) ?? defaultPort
        var path = components.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        self.pathPrefix = path
    }

    public var description: String { "http://\(host.contains(":") ? "[\(host)]" : host):\(port)\(pathPrefix)" }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    public var body: [UInt8]
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// One HTTP/1.1 request per connection (`Connection: close`): batches go out at most a few times
/// per period, so keeping connections alive would buy nothing worth its states.
public enum HTTPClient {
    public static func send(_ method: String, to endpoint: HTTPEndpoint, path: String, contentType: String? = nil,
                            body: [UInt8] = [], timeout: Double = 5) throws -> HTTPResponse {
        let what = "\(method) \(endpoint)\(path)"
        let fd = try Sockets.connect(host: endpoint.host, port: endpoint.port, timeout: timeout)
        defer { close(fd) }
        var head = "\(method) \(endpoint.pathPrefix)\(path) HTTP/1.1\r\nHost: \(endpoint.host):\(endpoint.port)\r\n"
        head += "User-Agent: kmon\r\nConnection: close\r\nContent-Length: \(body.count)\r\n"
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        head += "\r\n"
        try Sockets.sendAll(fd, Array(head.utf8) + body, what: what)
        let raw = try Sockets.receive(fd, limit: 16 << 20, what: what) { HTTPResponseParser.isComplete($0) }
        guard let response = HTTPResponseParser.parse(raw) else {
            throw ExportError("\(what): the server's reply is not an HTTP response (\(raw.count) bytes)")
        }
        return response
    }
}

/// Just enough of HTTP/1.1 responses: status line, Content-Length, and chunked bodies.
enum HTTPResponseParser {
    private static let headerEnd: [UInt8] = Array("\r\n\r\n".utf8)

    static func isComplete(_ data: [UInt8]) -> Bool {
        guard let (head, bodyStart) = split(data) else { return false }
        if let length = contentLength(head) { return data.count - bodyStart >= length }
        if isChunked(head) { return dechunk(Array(data[bodyStart...])) != nil }
        // No length: the body runs to the end of the connection.
        return false
    }

    static func parse(_ data: [UInt8]) -> HTTPResponse? {
        guard let (head, bodyStart) = split(data) else { return nil }
        let statusLine = head.split(separator: "\r\n").first ?? ""
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else { return nil }
        var body = Array(data[bodyStart...])
        if isChunked(head) { body = dechunk(body) ?? body }
        if let length = contentLength(head), body.count > length { body = Array(body.prefix(length)) }
        return HTTPResponse(status: status, body: body)
    }

    private static func split(_ data: [UInt8]) -> (String, Int)? {
        guard data.count >= 4 else { return nil }
        for i in 0...(data.count - 4) where data[i] == 13 && Array(data[i..<(i + 4)]) == headerEnd {
            return (String(decoding: data[0..<i], as: UTF8.self), i + 4)
        }
        return nil
    }

    private static func header(_ head: String, _ name: String) -> String? {
        for line in head.split(separator: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].trimmingCharacters(in: .whitespaces).lowercased() == name {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    private static func contentLength(_ head: String) -> Int? { header(head, "content-length").flatMap { Int($0) } }
    private static func isChunked(_ head: String) -> Bool { header(head, "transfer-encoding")?.lowercased() == "chunked" }

    /// The body of a complete chunked message, or nil while chunks are still missing.
    private static func dechunk(_ data: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        var i = 0
        while true {
            guard let lineEnd = (i..<max(i, data.count - 1)).first(where: { data[$0] == 13 && data[$0 + 1] == 10 }) else { return nil }
            let sizeText = String(decoding: data[i..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { return nil }
            let start = lineEnd + 2
            if size == 0 { return out }
            guard data.count >= start + size + 2 else { return nil }
            out.append(contentsOf: data[start..<(start + size)])
            i = start + size + 2
        }
    }
}
