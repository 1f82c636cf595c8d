import Glibc
import KmonSystem

/// Listening sockets on loopback that nobody connects to, as a busy node has hundreds of: they
/// make /proc/net/tcp long and fill the monitor's `listeners` map. Raises this process's open
/// file limit to its hard limit when `count` needs it.
final class ExtraListeners {
    private(set) var fds: [Int32] = []
    var count: Int { fds.count }

    init(count: Int) throws {
        DescriptorLimit.raise(to: count + 1_024)
        do {
            for _ in 0..<count { fds.append(try TCPSocket.listen(on: SocketEndpoint(address: .loopbackV4, port: 0), backlog: 1)) }
        } catch {
            close()
            throw error
        }
    }

    func close() {
        fds.forEach { _ = Glibc.close($0) }
        fds = []
    }
}
