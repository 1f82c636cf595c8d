import Glibc
import KmonSystem

/// Listening sockets on loopback that nobody connects to, as a busy node has hundreds of: they
/// make /proc/net/tcp long and fill the monitor's `listeners` map. Raises this process's open
/// file limit to its hard limit when `count` needs it.
final class ExtraListeners {
    private(set) var fds: [Int32] = []
    var count: Int { fds.count }

    init(count: Int) throws {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let needed = rlim_t(count + 1_024)
        if limit.rlim_cur < needed {
            limit.rlim_cur = min(needed, limit.rlim_max)
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
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
