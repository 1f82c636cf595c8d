import Glibc
import KmonSupport
import KmonSystem

/// One iteration of a burst, as its pattern says (TriggerPattern): what crosses the wire, in
/// how many writes and reads, on which connection.
extension TriggerDriver {
    static func iteration(_ pattern: TriggerPattern, pair: TriggerPair, buffer: inout [UInt8],
                          counts: inout TriggerCounts) throws {
        switch pattern {
        case .plain, .splitRequest, .splitResponse:
            try exchange(request, pieces: pattern.requestPieces, from: pair.client, to: pair.server, buffer: &buffer, counts: &counts)
            try exchange(response, pieces: pattern.responsePieces, from: pair.server, to: pair.client, buffer: &buffer, counts: &counts)
            return
        case .spliceRequest:
            try spliceExchange(request, from: pair.client, to: pair.server, pipe: pair.pipe, buffer: &buffer, counts: &counts)
            try exchange(response, pieces: 1, from: pair.server, to: pair.client, buffer: &buffer, counts: &counts)
            return
        case .spliceResponse:
            try exchange(request, pieces: 1, from: pair.client, to: pair.server, buffer: &buffer, counts: &counts)
            try spliceExchange(response, from: pair.server, to: pair.client, pipe: pair.pipe, buffer: &buffer, counts: &counts)
            return
        case .fresh:
            break
        }
        // Connected and accepted before any data: the probes see the handshake, so the first
        // data decides the connection with its role already known.
        let client = try TCPSocket.connect(to: pair.endpoint)
        defer { abort(client) }
        let server = try TCPSocket.accept(pair.listener)
        defer { close(server) }
        counts.connections += 1
        try exchange(request, pieces: 1, from: client, to: server, buffer: &buffer, counts: &counts)
        try exchange(response, pieces: 1, from: server, to: client, buffer: &buffer, counts: &counts)
    }

    /// A message in `pieces` writes, each read whole on the other end before the next is written,
    /// so the reader's hook runs once per piece (loopback delivers inside the write).
    static func exchange(_ message: [UInt8], pieces: Int, from writer: Int32, to reader: Int32, buffer: inout [UInt8],
                         counts: inout TriggerCounts) throws {
        var offset = 0
        for piece in 1...pieces {
            let end = message.count * piece / pieces
            guard message.withUnsafeBytes({ write(writer, $0.baseAddress! + offset, end - offset) }) == end - offset else {
                throw SystemCallError("write", errno: errno)
            }
            counts.sends += 1
            var received = offset
            while received < end {
                let n = buffer.withUnsafeMutableBytes { read(reader, $0.baseAddress, $0.count) }
                guard n > 0 else { throw SystemCallError("read", errno: n == 0 ? ECONNRESET : errno) }
                counts.receives += 1
                received += n
            }
            offset = end
        }
    }

    /// A message written whole, and taken on the other end by splice(2) into the pipe, which is
    /// then drained: the bytes leave the socket without a recvmsg, so the recv hook does not run.
    static func spliceExchange(_ message: [UInt8], from writer: Int32, to reader: Int32, pipe: (read: Int32, write: Int32),
                               buffer: inout [UInt8], counts: inout TriggerCounts) throws {
        guard let splice = spliceCall else { throw SystemCallError("splice", errno: ENOSYS) }
        guard message.withUnsafeBytes({ write(writer, $0.baseAddress, $0.count) }) == message.count else {
            throw SystemCallError("write", errno: errno)
        }
        counts.sends += 1
        var moved = 0
        while moved < message.count {
            let n = splice(reader, nil, pipe.write, nil, message.count - moved, 0)
            guard n > 0 else { throw SystemCallError("splice", errno: n == 0 ? ECONNRESET : errno) }
            moved += n
        }
        var drained = 0
        while drained < moved {  // a pipe read: no socket, no hook
            let n = buffer.withUnsafeMutableBytes { read(pipe.read, $0.baseAddress, min($0.count, moved - drained)) }
            guard n > 0 else { throw SystemCallError("read", errno: errno) }
            drained += n
        }
    }

    /// splice(2), a GNU extension the Glibc module leaves out: looked up by name.
    private static let spliceCall: (@convention(c) (Int32, UnsafeMutablePointer<Int64>?, Int32, UnsafeMutablePointer<Int64>?,
                                                    Int, UInt32) -> Int)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "splice") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32, UnsafeMutablePointer<Int64>?, Int32,
                                                          UnsafeMutablePointer<Int64>?, Int, UInt32) -> Int).self)
    }()

    /// Closes with a reset (SO_LINGER 0): no TIME_WAIT, so fresh connections never run out of ports.
    static func abort(_ fd: Int32) {
        var option = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        close(fd)
    }
}
