import Foundation
import Glibc
import KmonHTTP
import KmonSystem

/// One keep-alive connection to a downstream service, owned by one request at a time.
final class DownstreamConnection {
    let fd: Int32
    /// As this caller sees it: local = our side.
    let tuple: ConnectionTuple
    /// Requests sent on this connection so far: the next request's ordinal.
    var ordinal: UInt32 = 0
    var parser = HTTPResponseParser()
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 << 10, alignment: 16)

    init(to endpoint: SocketEndpoint, timeoutMs: Int) throws {
        fd = try TCPSocket.connect(to: endpoint, timeoutMs: timeoutMs)
        tuple = ConnectionTuple(local: TCPSocket.localEndpoint(fd) ?? ConnectionTuple.none.local, remote: endpoint)
    }

    deinit {
        close(fd)
        buffer.deallocate()
    }
}

/// Idle keep-alive connections to one downstream service. Requests take one (or open one) and
/// give it back if it is still usable, so steady load reuses a fixed set of connections.
final class DownstreamPool: @unchecked Sendable {
    let service: String
    let endpoint: SocketEndpoint
    /// The request of each method in the caller's mix ("GET / HTTP/1.1", or a POST with its
    /// body), with the callee's name as Host; indexed by the method's raw value.
    let requests: [[UInt8]]
    let timeoutMs: Int
    // A pthread mutex: it sleeps when contended rather than spinning, which matters with
    // hundreds of connection threads on two cores.
    private let lock = NSLock()
    private var idle: [DownstreamConnection] = []

    init(service: String, endpoint: SocketEndpoint, timeoutMs: Int, mix: RequestMix = .getOnly) {
        self.service = service
        self.endpoint = endpoint
        self.timeoutMs = timeoutMs
        var requests = [[UInt8]](repeating: [], count: Int(HTTPMethod.other.rawValue) + 1)
        for share in mix.shares { requests[Int(share.method.rawValue)] = mix.request(share.method, host: service) }
        self.requests = requests
    }

    /// An idle connection (reused: true) or a new one.
    func acquire() throws -> (connection: DownstreamConnection, reused: Bool) {
        if let connection = lock.withLock({ idle.popLast() }) { return (connection, true) }
        return (try DownstreamConnection(to: endpoint, timeoutMs: timeoutMs), false)
    }

    func release(_ connection: DownstreamConnection) {
        lock.withLock { idle.append(connection) }
    }
}
