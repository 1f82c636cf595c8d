import Foundation
import Glibc
import KmonSystem
import KmonTcpreq
import Testing

/// A server nobody here wrote: nginx (Debian's 1.22, scripts/setup) answering a known mix on one
/// keep-alive connection, a static file's body through sendfile and its headers through writev
/// included; each server span (nginx's side) must carry the method sent and the status nginx sent.
@Suite("tcpreq method and status from nginx", .serialized)
struct NginxHTTPSpanTests {
    struct Exchange {
        var method: String
        var path: String
        var body = ""
        var expected: HTTPExchange
    }

    static let exchanges = [
        Exchange(method: "GET", path: "/ok", expected: HTTPExchange(method: .get, status: 200)),
        Exchange(method: "GET", path: "/static/a.txt", expected: HTTPExchange(method: .get, status: 200)),
        Exchange(method: "POST", path: "/missing", body: "secret=1", expected: HTTPExchange(method: .post, status: 404)),
        Exchange(method: "HEAD", path: "/ok", expected: HTTPExchange(method: .head, status: 200)),
        Exchange(method: "GET", path: "/nope", expected: HTTPExchange(method: .get, status: 404)),
        // Last: nginx ends keep-alive after a 500.
        Exchange(method: "DELETE", path: "/fail", expected: HTTPExchange(method: .delete, status: 500)),
    ]

    @Test("each nginx server span has the method sent and the status nginx answered", Privileged.enabled,
          arguments: [ProbeVariant.sock, .syscall, .skb])
    func nginxSpans(variant: ProbeVariant) throws {
        try Privileged.check()
        guard let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"].first(where: FileManager.default.isExecutableFile) else {
            Issue.record("nginx is not installed; run scripts/setup")
            return
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kmon-nginx-http-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("www/static"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try String(repeating: "static body\n", count: 100).write(to: dir.appendingPathComponent("www/static/a.txt"), atomically: true, encoding: .utf8)
        let port = try TCPSocket.freeLoopbackPort()
        let config = SinkServer.nginxConfig(dir, masterProcess: false, http: """
              sendfile on;
              server {
                listen 127.0.0.1:\(port);
                root \(dir.path)/www;
                location = /ok { return 200 "ok\\n"; }
                location = /missing { return 404; }
                location = /fail { return 500; }
              }
            """)
        try config.write(to: dir.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
        let server = try SpawnedProcess(executable: nginx, arguments: ["-c", "\(dir.path)/nginx.conf", "-p", dir.path],
                                        log: "\(dir.path)/nginx.log")
        // A single process (master_process off): SIGKILL leaves nothing behind, where SIGTERM
        // waited out stop()'s 10 s here.
        defer {
            kill(server.pid, SIGKILL)
            server.stop()
        }
        #expect(eventually(timeout: 10) { (try? TCPSocket.connect(to: SocketEndpoint(address: .loopbackV4, port: port))).map { close($0); return true } ?? false })

        let session = try TcpreqSession.start(TcpreqConfiguration(variant: variant, mode: .kernel,
                                                                  filters: TcpreqFilters(ports: [port], excludeSelf: false)))
        var spans: [Span] = []
        do {
            let fd = try TCPSocket.connect(to: SocketEndpoint(address: .loopbackV4, port: port))
            defer { close(fd) }
            for exchange in Self.exchanges {
                let status = try Self.send(exchange, on: fd, port: port)
                #expect(status == exchange.expected.status, "nginx answered \(exchange.method) \(exchange.path) with \(status)")
            }
            usleep(100_000)
            try session.stop()
            spans = session.takeSpans()
        } catch {
            try? session.stop()
            throw error
        }
        let served = spans.filter { $0.role == .server && $0.tuple.local.port == port }.sorted { $0.ordinal < $1.ordinal }
        #expect(served.map(\.http) == Self.exchanges.map(\.expected), "\(variant): \(served.map(\.http))")
        let asked = spans.filter { $0.role == .client && $0.tuple.remote.port == port }.sorted { $0.ordinal < $1.ordinal }
        #expect(asked.map(\.http) == Self.exchanges.map(\.expected), "\(variant) client side: \(asked.map(\.http))")
    }

    /// Sends one request and reads its whole response (headers, then Content-Length bytes unless
    /// HEAD); returns the status nginx sent.
    static func send(_ exchange: Exchange, on fd: Int32, port: UInt16) throws -> UInt16 {
        let request = "\(exchange.method) \(exchange.path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Length: \(exchange.body.utf8.count)\r\n\r\n\(exchange.body)"
        guard LoopbackExchange.writeFully(fd, Array(request.utf8)) else { throw SystemCallError("write", errno: EPIPE) }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        func more() throws {
            let n = read(fd, &chunk, chunk.count)
            guard n > 0 else { throw SystemCallError("read: nginx closed the connection", errno: ECONNRESET) }
            received += chunk[..<n]
        }
        let separator = Array("\r\n\r\n".utf8)
        var headerEnd: Int?
        while headerEnd == nil {
            try more()
            headerEnd = received.indices.dropLast(3).first { Array(received[$0..<($0 + 4)]) == separator }.map { $0 + 4 }
        }
        let head = String(decoding: received[..<headerEnd!], as: UTF8.self)
        let status = UInt16(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
        let bodyLength = exchange.method == "HEAD" ? 0 : length
        while received.count < headerEnd! + bodyLength { try more() }
        return status
    }
}
