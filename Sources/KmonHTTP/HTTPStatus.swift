/// Status lines for the small answers Kmon writes itself (services' errors, the Prometheus
/// listener), so both spell them the same way.
public enum HTTPStatus {
    public static func phrase(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 307: return "Temporary Redirect"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 413: return "Content Too Large"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        case 505: return "HTTP Version Not Supported"
        default: return "Status"
        }
    }

    /// Status line and headers up to the blank line; `connection` is the Connection header's value.
    public static func head(_ status: Int, contentType: String, contentLength: Int, connection: String? = nil) -> String {
        let connectionLine = connection.map { "Connection: \($0)\r\n" } ?? ""
        return "HTTP/1.1 \(status) \(phrase(status))\r\nContent-Type: \(contentType)\r\n\(connectionLine)Content-Length: \(contentLength)\r\n\r\n"
    }
}
