import Foundation
import Glibc
import KmonHTTP
import KmonSystem

extension SinkServer {
    /// nginx (Debian's 1.22, a server nobody here wrote) answering a known mix by path: `/ok` 200
    /// for any method (a body is read and discarded), `/fail` 500 (`return 500;`, after which
    /// nginx closes the connection), `/echo` 200 with the `X-Kmon-Secret` header in its body, and
    /// any other path a missing file: 404. `/ping` is the readiness check.
    static func nginxStatus() throws -> SinkServer {
        let binary = try locate("nginx", package: "nginx")
        let dir = try makeDirectory("nginx-status")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("www"), withIntermediateDirectories: true)
        let port = try freePort()
        let config = nginxConfig(dir, errorLog: "crit", http: """
              log_not_found off;
              keepalive_requests 100000;
              server {
                listen 127.0.0.1:\(port);
                root \(dir.path)/www;
                location = /ping { return 200 "pong\\n"; }
                location = /ok { return 200 "ok\\n"; }
                location = /fail { return 500; }
                location = /echo { return 200 "$http_x_kmon_secret\\n"; }
              }
            """)
        let file = dir.appendingPathComponent("nginx.conf")
        try config.write(to: file, atomically: true, encoding: .utf8)
        return SinkServer(name: "nginx", executable: binary, port: port, directory: dir,
                          arguments: ["-p", dir.path, "-c", file.path], readyPath: "/ping")
    }
}

/// A client that knows what it sent: requests one at a time on keep-alive connections, a new
/// connection whenever the server closes one, each answer recorded by (local port, ordinal),
/// which is how a span names its connection and its place on it.
struct StatusClient {
    struct Request {
        var method = "GET"
        var path: String
        var headers: [String] = []
        var body = ""
    }

    struct Answer: Hashable {
        var localPort: UInt16
        var ordinal: UInt32
        var method: HTTPMethod
        var status: UInt16
    }

    static func run(_ requests: [Request], port: UInt16) throws -> [Answer] {
        var answers: [Answer] = []
        var fd: Int32 = -1
        var localPort: UInt16 = 0
        var ordinal: UInt32 = 0
        defer { if fd >= 0 { close(fd) } }
        for request in requests {
            if fd < 0 {
                fd = try TCPSocket.connect(to: SocketEndpoint(address: .loopbackV4, port: port), timeoutMs: 2000)
                localPort = TCPSocket.localEndpoint(fd)?.port ?? 0
                ordinal = 0
            }
            var head = "\(request.method) \(request.path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            for header in request.headers { head += header + "\r\n" }
            if !request.body.isEmpty || request.method == "POST" { head += "Content-Length: \(request.body.utf8.count)\r\n" }
            try TCPSocket.writeAll(fd, Array((head + "\r\n" + request.body).utf8))
            let response = try HTTPClient.readResponse(fd)
            answers.append(Answer(localPort: localPort, ordinal: ordinal, method: HTTPMethod(name: request.method) ?? .other,
                                  status: UInt16(clamping: response.status)))
            ordinal += 1
            if !response.keepAlive {
                close(fd)
                fd = -1
            }
        }
        return answers
    }
}
