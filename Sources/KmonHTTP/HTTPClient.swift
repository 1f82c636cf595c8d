import Glibc
import KmonSystem

/// A blocking one-request HTTP/1.1 client: the controller's health checks, and tests.
public enum HTTPClient {
    /// Sends `request` (raw bytes) on a new connection and returns the first response, body kept.
    public static func exchange(_ endpoint: SocketEndpoint, request: [UInt8], timeoutMs: Int = 2000) throws -> HTTPResponse {
        let fd = try TCPSocket.connect(to: endpoint, timeoutMs: timeoutMs)
        defer { close(fd) }
        try TCPSocket.writeAll(fd, request)
        return try readResponse(fd)
    }

    /// GET `path` with "Connection: close".
    public static func get(_ endpoint: SocketEndpoint, path: String = "/", timeoutMs: Int = 2000) throws -> HTTPResponse {
        try exchange(endpoint, request: Array("GET \(path) HTTP/1.1\r\nHost: \(endpoint)\r\nConnection: close\r\n\r\n".utf8), timeoutMs: timeoutMs)
    }

    /// Reads from `fd` until one whole response has arrived.
    public static func readResponse(_ fd: Int32) throws -> HTTPResponse {
        var parser = HTTPResponseParser(keepsBody: true)
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try TCPSocket.read(fd, into: $0.baseAddress!, capacity: $0.count) }
            guard n > 0 else { throw SystemCallError("recv: connection closed before a whole response", errno: ECONNRESET) }
            var response: HTTPResponse?
            try buffer.withUnsafeBytes { raw in
                try parser.consume(UnsafeRawBufferPointer(rebasing: raw[0..<n])) { if response == nil { response = $0 } }
            }
            if let response { return response }
        }
    }
}
