import Foundation
import Glibc
import KmonSystem

/// Real HTTP/1.1 keep-alive traffic on loopback with a known sequence of requests and responses,
/// each moved through a different family of calls (read/write, readv/writev, recvmsg/sendmsg,
/// recvfrom/sendto), so every way a probe finds a move's first bytes is exercised. The server
/// follows the same script as the client: request and response lengths are known, no parsing.
final class ScriptedHTTPExchange: @unchecked Sendable {
    /// How a side moves its bytes.
    enum Calls: Sendable { case readWrite, vectored, message, sendRecv }

    struct Step: Sendable {
        var request: [UInt8]
        /// The response in one write, or split across two writes with a pause between.
        var responseParts: [[UInt8]]
        var clientCalls: Calls
        var serverCalls: Calls
        /// What a probe should read: the request's method, the response's status.
        var expected: HTTPExchange

        var responseBytes: Int { responseParts.reduce(0) { $0 + $1.count } }
    }

    /// GET 200, POST with a body 404, DELETE 500, HEAD 200, and a response split in two writes.
    static let http: [Step] = [
        step("GET /items HTTP/1.1\r\nHost: t\r\n\r\n", ["HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"],
             .readWrite, .readWrite, HTTPExchange(method: .get, status: 200)),
        step("POST /items HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello=world",
             ["HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"], .vectored, .message, HTTPExchange(method: .post, status: 404)),
        step("DELETE /items/7 HTTP/1.1\r\nHost: t\r\n\r\n", ["HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n"],
             .sendRecv, .vectored, HTTPExchange(method: .delete, status: 500)),
        step("HEAD / HTTP/1.1\r\nHost: t\r\n\r\n", ["HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"],
             .message, .sendRecv, HTTPExchange(method: .head, status: 200)),
        step("GET /split HTTP/1.1\r\nHost: t\r\n\r\n",
             ["HTTP/1.1 201 Created\r\nContent-Length: 5\r\n\r\n", "split"], .readWrite, .readWrite, HTTPExchange(method: .get, status: 201)),
    ]

    /// A binary protocol on the same port: bytes read, no HTTP in them.
    static let notHTTP: [Step] = [
        step("\u{0}\u{1}PING-0001", ["\u{0}\u{2}PONG-0001-REPLY"], .readWrite, .readWrite, HTTPExchange(method: .notHTTP, status: 0)),
        step("\u{0}\u{1}PING-0002", ["\u{0}\u{2}PONG-0002-REPLY"], .message, .vectored, HTTPExchange(method: .notHTTP, status: 0)),
    ]

    static func step(_ request: String, _ parts: [String], _ client: Calls, _ server: Calls, _ expected: HTTPExchange) -> Step {
        Step(request: Array(request.utf8), responseParts: parts.map { Array($0.utf8) }, clientCalls: client, serverCalls: server,
             expected: expected)
    }

    let port: UInt16
    private let listener: LoopbackListener
    /// The script of each accepted connection, in accept order (clients connect one at a time).
    private let scripts: [[Step]]

    init(scripts: [[Step]]) throws {
        self.scripts = scripts
        listener = try LoopbackListener(backlog: 16)
        port = listener.port
        listener.accept(limit: scripts.count) { [self] fd, index in Self.serve(fd, self.scripts[index]) }
    }

    func close() {
        listener.close()
    }

    private static func serve(_ fd: Int32, _ script: [Step]) {
        defer { Glibc.close(fd) }
        for step in script {
            var request = [UInt8](repeating: 0, count: step.request.count)
            guard receive(fd, &request, step.serverCalls) else { return }
            for (index, part) in step.responseParts.enumerated() {
                if index > 0 { usleep(20_000) } // the client's first read returns the first part
                guard send(fd, part, step.serverCalls) else { return }
            }
        }
        // Closing first would end the client's span at the FIN, before its last read.
        var rest = [UInt8](repeating: 0, count: 1)
        _ = read(fd, &rest, 1)
    }

    /// A client connection that has run a script and stays open until `close`.
    struct Client {
        let fd: Int32
        let localPort: UInt16
        func close() { Glibc.close(fd) }
    }

    /// Connects and runs `script` (the next script the server accepts for).
    func run(_ script: [Step]) throws -> Client {
        let fd = try TCPSocket.connect(to: SocketEndpoint(address: .loopbackV4, port: port))
        let client = Client(fd: fd, localPort: TCPSocket.localEndpoint(fd)?.port ?? 0)
        for step in script {
            var response = [UInt8](repeating: 0, count: step.responseBytes)
            guard Self.send(fd, step.request, step.clientCalls), Self.receive(fd, &response, step.clientCalls) else {
                client.close()
                throw SystemCallError("scripted exchange: connection closed", errno: EPIPE)
            }
        }
        return client
    }

    /// Writes all of `bytes`; vectored and message calls split them in two iovecs, so the first
    /// holds only the start.
    static func send(_ fd: Int32, _ bytes: [UInt8], _ calls: Calls) -> Bool {
        var done = 0
        while done < bytes.count {
            let n: Int = bytes.withUnsafeBytes { all in
                let rest = UnsafeMutableRawPointer(mutating: all.baseAddress! + done), count = all.count - done
                switch calls {
                case .readWrite:
                    return write(fd, rest, count)
                case .sendRecv:
                    return Glibc.send(fd, rest, count, Int32(MSG_NOSIGNAL))
                case .vectored, .message:
                    let first = min(count, 16)
                    var iov = [iovec(iov_base: rest, iov_len: first), iovec(iov_base: rest + first, iov_len: count - first)]
                    return iov.withUnsafeMutableBufferPointer { vectors in
                        let used = Int32(count > first ? 2 : 1)
                        if calls == .vectored { return writev(fd, vectors.baseAddress, used) }
                        var message = msghdr()
                        message.msg_iov = vectors.baseAddress
                        message.msg_iovlen = Int(used)
                        return sendmsg(fd, &message, Int32(MSG_NOSIGNAL))
                    }
                }
            }
            if n <= 0 { return false }
            done += n
        }
        return true
    }

    /// Reads exactly `buffer.count` bytes.
    static func receive(_ fd: Int32, _ buffer: inout [UInt8], _ calls: Calls) -> Bool {
        var done = 0
        while done < buffer.count {
            let n: Int = buffer.withUnsafeMutableBytes { all in
                let rest = all.baseAddress! + done, count = all.count - done
                switch calls {
                case .readWrite:
                    return read(fd, rest, count)
                case .sendRecv:
                    return recvfrom(fd, rest, count, 0, nil, nil)
                case .vectored, .message:
                    var iov = [iovec(iov_base: rest, iov_len: count)]
                    return iov.withUnsafeMutableBufferPointer { vectors in
                        if calls == .vectored { return readv(fd, vectors.baseAddress, 1) }
                        var message = msghdr()
                        message.msg_iov = vectors.baseAddress
                        message.msg_iovlen = 1
                        return recvmsg(fd, &message, 0)
                    }
                }
            }
            if n <= 0 { return false }
            done += n
        }
        return true
    }
}
