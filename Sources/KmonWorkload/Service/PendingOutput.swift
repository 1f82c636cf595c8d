import KmonSystem

/// Answers built but not yet written on one connection, in order. A connection stops answering
/// (and so reading) pipelined requests once `isFull`, and writes first; the write blocks until
/// the client reads or the send timeout closes the connection. So a client that pipelines but
/// never reads holds at most about `limit` bytes here, whatever the response size: a canned
/// body larger than `limit` is not copied but written straight from the one shared copy.
struct PendingOutput {
    /// 64 KiB: a burst of hundreds of small answers still goes out in one write.
    static let limit = 64 << 10

    private var bytes: [UInt8] = []
    /// A large body to write after `bytes`: the runtime's shared array, referenced, not copied.
    private var body: [UInt8]?

    init() { bytes.reserveCapacity(4096) }

    var isEmpty: Bool { bytes.isEmpty && body == nil }
    var isFull: Bool { bytes.count >= Self.limit || body != nil }

    /// Appends an answer or a head. Nothing is appended after a large body until it is written.
    static func += (output: inout PendingOutput, answer: [UInt8]) {
        precondition(output.body == nil, "appended after a large body")
        output.bytes += answer
    }

    /// Appends a response body; a large one fills the buffer.
    mutating func appendBody(_ body: [UInt8]) {
        precondition(self.body == nil, "appended after a large body")
        if body.count <= Self.limit {
            bytes += body
        } else {
            self.body = body
        }
    }

    /// Writes everything and empties the buffer; false if the connection failed or timed out.
    mutating func write(to fd: Int32) -> Bool {
        defer {
            bytes.removeAll(keepingCapacity: true)
            body = nil
        }
        do {
            if !bytes.isEmpty { try bytes.withUnsafeBytes { try TCPSocket.writeAll(fd, $0.baseAddress!, $0.count) } }
            if let body { try TCPSocket.writeAll(fd, body) }
            return true
        } catch {
            return false
        }
    }
}
