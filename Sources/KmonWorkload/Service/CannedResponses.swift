import KmonHTTP

/// Response bytes built once at start, so answering a request copies bytes and formats nothing.
final class CannedResponses: Sendable {
    /// 200 heads for the work route: HTTP/1.1 keep-alive, close, and HTTP/1.0 keep-alive.
    let okKeepAlive: [UInt8]
    let okClose: [UInt8]
    let okKeepAlive10: [UInt8]
    let body: [UInt8]
    let health: [UInt8]
    let healthClose: [UInt8]

    init(service: String, responseBytes: Int) {
        func head(_ extra: String) -> [UInt8] {
            Array("HTTP/1.1 200 OK\r\nServer: kmon-service\r\nContent-Type: text/plain\r\nContent-Length: \(responseBytes)\r\n\(extra)\r\n".utf8)
        }
        okKeepAlive = head("")
        okClose = head("Connection: close\r\n")
        okKeepAlive10 = head("Connection: keep-alive\r\n")
        // A recognisable body: the service's name repeated, cut to size.
        let pattern = Array("\(service)\n".utf8)
        body = (0..<responseBytes).map { pattern[$0 % pattern.count] }
        health = Array("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n".utf8)
        healthClose = Array("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: 3\r\n\r\nok\n".utf8)
    }

    /// A small error or status response with a one-line reason as its body.
    static func status(_ status: Int, reason: String, close: Bool, keepAlive10: Bool = false) -> [UInt8] {
        let body = reason + "\n"
        let connection = close ? "close" : (keepAlive10 ? "keep-alive" : nil)
        return Array((HTTPStatus.head(status, contentType: "text/plain", contentLength: body.utf8.count, connection: connection) + body).utf8)
    }
}
