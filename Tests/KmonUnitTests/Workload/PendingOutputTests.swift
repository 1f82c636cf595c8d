import Glibc
@testable import KmonWorkload
import Testing

/// Queued answers: full at the limit or at a large body, written in order, the large body from
/// its own storage.
@Suite struct PendingOutputTests {
    @Test func fillsAtTheLimitOrAtALargeBody() {
        var output = PendingOutput()
        #expect(output.isEmpty && !output.isFull)
        output += [UInt8](repeating: 1, count: 100)
        output.appendBody([UInt8](repeating: 2, count: PendingOutput.limit - 100 - 1))
        #expect(!output.isFull)
        output += [3]
        #expect(output.isFull)

        var large = PendingOutput()
        large += Array("head".utf8)
        large.appendBody([UInt8](repeating: 4, count: PendingOutput.limit + 1))
        #expect(large.isFull)
    }

    @Test func writesHeadsThenTheLargeBodyInOrderAndEmpties() throws {
        var fds: [Int32] = [0, 0]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        defer { fds.forEach { close($0) } }
        var size = Int32(1 << 20)
        setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var output = PendingOutput()
        let body = (0..<(PendingOutput.limit + 10)).map { UInt8(truncatingIfNeeded: $0) }
        output += Array("ok\n".utf8)
        output += Array("head\n".utf8)
        output.appendBody(body)
        let written = output.write(to: fds[0])
        #expect(written)
        #expect(output.isEmpty)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while received.count < 8 + body.count {
            let n = buffer.withUnsafeMutableBytes { recv(fds[1], $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            guard n > 0 else { break }
            received += buffer[0..<n]
        }
        #expect(received == Array("ok\nhead\n".utf8) + body)
    }
}
