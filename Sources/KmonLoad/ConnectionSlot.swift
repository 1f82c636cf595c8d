import KmonHTTP
import KmonSystem

/// One connection of a worker, kept in a flat preallocated array so the hot loop touches no
/// reference counts.
struct ConnectionSlot {
    enum Phase: UInt8 {
        /// No socket: connect when a request is due.
        case idle
        case connecting
        case open
        /// The last connect failed: wait before retrying, so a dead server is not hammered.
        case backoff
    }

    var fd: Int32 = -1
    var phase = Phase.idle
    /// Events currently registered with epoll.
    var interest: UInt32 = 0
    /// The generator-wide slot number, written into records.
    var index: UInt32
    /// The open connection, as this client sees it.
    var tuple = ConnectionTuple.none
    /// Ordinal the next request on this TCP connection gets (0-based).
    var nextOrdinal: UInt32 = 0
    /// Intended time of the request this connection sends next; `UInt64.max` when it has none.
    /// Open loop: set when the worker hands it a due request. Closed loop: when it has room.
    var nextIntended: UInt64 = .max
    /// The request handed over had found no connection with room at its intended time.
    var assignedWaited = false
    /// In-flight requests: a ring of `depth` entries starting at `inFlightBase` in the worker's table.
    var inFlightBase: Int
    var inFlightHead = 0
    var inFlightCount = 0
    var parser = HTTPResponseParser()
    /// Bytes received since the last complete response: the partial one an error cuts short.
    var responseBytes: UInt32 = 0
    /// Bytes of the current batch still to write, and where they start in the request buffer.
    var pendingWrite = 0
    var pendingWriteOffset = 0
    /// Slow reader: reads resume at this time (0: not paused).
    var resumeReadAt: UInt64 = 0
    /// Since when the connection has had room for another request (opened, or a response
    /// completed): a request intended before this waited for its connection, not for the generator.
    var roomSinceNs: UInt64 = 0
    var backoffUntil: UInt64 = 0
    var connectStartedAt: UInt64 = 0

    init(index: UInt32, inFlightBase: Int) {
        self.index = index
        self.inFlightBase = inFlightBase
    }
}

/// A request written (or being written) and not yet answered.
struct InFlightRequest {
    var intendedNs: UInt64 = 0
    var sendNs: UInt64 = 0
    var ordinal: UInt32 = 0
    var waitedForConnection = false
    var method = HTTPMethod.get
}
