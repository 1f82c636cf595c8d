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
        let connection = close ? "Connection: close\r\n" : (keepAlive10 ? "Connection: keep-alive\r\n" : "")
        return Array("HTTP/1.1 \(status) \(phrase(status))\r\nContent-Type: text/plain\r\n\(connection)Content-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
    }

    static func phrase(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 400: return "Bad Request"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 413: return "Content Too Large"
        case 431: return "Request Header Fields Too Large"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 505: return "HTTP Version Not Supported"
        default: return "Status"
        }
    }
}
