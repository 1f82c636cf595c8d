import Foundation
import Glibc
import KmonSupport
import KmonSystem

/// Real TCP request/response traffic on loopback, driven from the test process: a server thread
/// answers fixed-size requests after a fixed delay, and clients send requests over keep-alive
/// connections, recording their own send start and response completion (CLOCK_MONOTONIC).
final class LoopbackExchange: @unchecked Sendable {
    struct Truth {
        var localPort: UInt16 // the client's ephemeral port
        var ordinal: UInt32
        var sendStart: UInt64
        var responseComplete: UInt64
    }

    let port: UInt16
    let requestBytes: Int
    let responseBytes: Int
    let serverDelayMicroseconds: UInt32
    /// The name (comm, at most 15 bytes) each server thread gives itself, as the probes see it.
    let serverThreadName: String?
    private let listener: LoopbackListener

    init(requestBytes: Int = 64, responseBytes: Int = 256, serverDelayMicroseconds: UInt32 = 200, serverThreadName: String? = nil) throws {
        self.serverThreadName = serverThreadName
        self.requestBytes = requestBytes
        self.responseBytes = responseBytes
        self.serverDelayMicroseconds = serverDelayMicroseconds
        listener = try LoopbackListener(backlog: 128)
        port = listener.port
    }

    /// Starts serving; call once.
    func start() {
        listener.accept { [self] fd, _ in serve(fd) }
    }

    /// Stops accepting; served connections end when their clients close.
    func close() {
        listener.close()
    }

    private func serve(_ fd: Int32) {
        defer { Glibc.close(fd) }
        if let serverThreadName {
            let comm = Glibc.open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
            _ = Array(serverThreadName.utf8.prefix(15)).withUnsafeBytes { write(comm, $0.baseAddress, $0.count) }
            Glibc.close(comm)
        }
        var request = [UInt8](repeating: 0, count: requestBytes)
        let response = [UInt8](repeating: 0x52, count: responseBytes)
        while Self.readFully(fd, &request) {
            if serverDelayMicroseconds > 0 { usleep(serverDelayMicroseconds) }
            guard Self.writeFully(fd, response) else { return }
        }
    }

    /// One keep-alive connection sending `count` requests in turn, then running `beforeClose`
    /// with the connection still open, then closing.
    func runClient(requests count: Int, beforeClose: () throws -> Void = {}) throws -> [Truth] {
        let fd = try TCPSocket.connect(to: SocketEndpoint(address: .loopbackV4, port: port))
        defer { Glibc.close(fd) }
        let localPort = TCPSocket.localEndpoint(fd)?.port ?? 0
        let request = [UInt8](repeating: 0x51, count: requestBytes)
        var response = [UInt8](repeating: 0, count: responseBytes)
        var truths: [Truth] = []
        for ordinal in 0..<count {
            let start = MonotonicClock.now()
            guard Self.writeFully(fd, request), Self.readFully(fd, &response) else {
                throw SystemCallError("write/read: connection closed", errno: EPIPE)
            }
            truths.append(Truth(localPort: localPort, ordinal: UInt32(ordinal), sendStart: start, responseComplete: MonotonicClock.now()))
        }
        try beforeClose()
        return truths
    }

    // read(2) and write(2) on purpose, not TCPSocket's recv/send: the syscall variant hooks
    // both families, and its tests check that the read/write programs ran.
    static func readFully(_ fd: Int32, _ buffer: inout [UInt8]) -> Bool {
        var done = 0
        while done < buffer.count {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, $0.count - done) }
            if n <= 0 { return false }
            done += n
        }
        return true
    }

    static func writeFully(_ fd: Int32, _ buffer: [UInt8]) -> Bool {
        var done = 0
        while done < buffer.count {
            let n = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if n <= 0 { return false }
            done += n
        }
        return true
    }
}
