import Foundation
import Glibc
import KmonSystem
import Testing

@Suite struct ProcFileTests {
    /// /proc files say they are empty (or one page long) whatever they hold; the reader must go
    /// to end of file. Enough listeners make this process's /proc/self/net/tcp far longer than
    /// the 4 KB Foundation's String(contentsOfFile:) stops at.
    @Test func readsAProcFileToTheEndOfFile() throws {
        var fds: [Int32] = []
        defer { fds.forEach { close($0) } }
        for _ in 0..<200 { fds.append(try TCPSocket.listen(on: SocketEndpoint(address: .loopbackV4, port: 0))) }
        let text = try #require(ProcFile.read("/proc/self/net/tcp"))
        let ports = Set(fds.compactMap { TCPSocket.localEndpoint($0)?.port })
        let listed = Set(text.split(separator: "\n").dropFirst().compactMap { line -> UInt16? in
            let local = line.split(separator: " ")[1]
            return UInt16(local[local.index(after: local.lastIndex(of: ":")!)...], radix: 16)
        })
        #expect(text.utf8.count > 4 * 4096, "200 listeners are about 30 KB of text")
        #expect(ports.isSubset(of: listed), "\(ports.subtracting(listed).count) of 200 listeners missing")
    }

    @Test func aFileLongerThanTheLimitIsAnErrorNotACutCopy() throws {
        let path = NSTemporaryDirectory() + "procfile-\(getpid())"
        defer { unlink(path) }
        let content = [UInt8]((0..<200_000).map { UInt8(truncatingIfNeeded: $0) })
        try Data(content).write(to: URL(fileURLWithPath: path))
        #expect(try ProcFile.bytes(path) == content, "read across several 64 KiB chunks")
        #expect(throws: SystemCallError.self) { try ProcFile.bytes(path, limit: 100_000) }
        #expect(ProcFile.read(path, limit: 100_000) == nil)
        #expect(ProcFile.read(path + "-missing") == nil)
    }
}
