import Glibc
import KmonHTTP
import KmonSystem

/// One connection to the Prometheus listener: a bounded request head read as it arrives, then
/// one response written as the client takes it, then close. Non-blocking, driven by the
/// listener's poll loop, so a client that trickles bytes or never reads holds its own slot and
/// nothing else, and only until its deadline.
final class ScrapeConnection {
    /// The largest request head read; a longer one is answered 431.
    static let maxRequestBytes = 16 << 10

    let fd: Int32
    /// Monotonic nanoseconds by which the whole exchange must be done, or the connection is cut.
    let deadline: UInt64
    private var request = [UInt8]()
    private var response: [UInt8]?
    private var sent = 0
    /// True once the response is sent, or the client went away.
    private(set) var isDone = false

    /// The poll events this connection waits for.
    var events: Int16 { Int16(response == nil ? POLLIN : POLLOUT) }

    /// Takes `fd` (made non-blocking here); `close()` releases it.
    init(fd: Int32, deadline: UInt64) {
        self.fd = fd
        self.deadline = deadline
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        request.reserveCapacity(1024)
    }

    /// Reads what has arrived, or writes what the client can take, as poll reported.
    func handle(revents: Int16, render: () -> [UInt8]) {
        if response == nil { readAvailable(render: render) }
        if response != nil { writeAvailable() }
        if revents & Int16(POLLERR | POLLNVAL) != 0 { isDone = true }
    }

    func close() { Glibc.close(fd) }

    private func readAvailable(render: () -> [UInt8]) {
        var chunk = [UInt8](repeating: 0, count: Self.maxRequestBytes - request.count)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
        if n < 0 && (errno == EAGAIN || errno == EINTR) { return }
        guard n > 0 else {
            isDone = true // closed or failed before a whole request: nothing to answer
            return
        }
        request += chunk[0..<n]
        let parsed = request.withUnsafeBytes { HTTPRequestParser().parse($0) }
        if case .incomplete = parsed, request.count < Self.maxRequestBytes { return }
        response = Self.response(to: parsed, request: request, render: render)
    }

    private func writeAvailable() {
        guard let response else { return }
        while sent < response.count {
            let n = response.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && errno == EAGAIN { return }
            guard n > 0 else { break }
            sent += n
        }
        isDone = true
    }

    /// `GET /metrics` (or HEAD) gets the rendered body; anything else 404, 405, 400 or 431.
    static func response(to parsed: HTTPRequestParseResult, request: [UInt8], render: () -> [UInt8]) -> [UInt8] {
        let answer: (status: Int, contentType: String, body: [UInt8])
        var method = HTTPMethod.other
        switch parsed {
        case .head(let head):
            method = head.method
            let target = String(decoding: request[head.target], as: UTF8.self)
            let path = target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? target
            switch (method, path) {
            case (.get, "/metrics"), (.head, "/metrics"):
                answer = (200, MetricsHTTPServer.contentType, render())
            case (_, "/metrics"):
                answer = (405, "text/plain", Array("only GET /metrics is served\n".utf8))
            default:
                answer = (404, "text/plain", Array("kmon serves its metrics at /metrics\n".utf8))
            }
        case .invalid(let error):
            answer = (error.status, "text/plain", Array("\(error.reason)\n".utf8))
        case .incomplete:
            answer = (431, "text/plain", Array("request head exceeds 16 KiB\n".utf8))
        }
        let head = HTTPStatus.head(answer.status, contentType: answer.contentType, contentLength: answer.body.count, connection: "close")
        return Array(head.utf8) + (method == .head ? [] : answer.body)
    }
}
