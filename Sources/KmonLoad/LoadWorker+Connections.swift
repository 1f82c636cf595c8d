import CKmonSockets
import Glibc
import KmonHTTP
import KmonSupport
import KmonSystem

/// Connecting, reconnecting and losing connections.
extension LoadWorker {
    /// Blocking connect before the run starts, so the first requests do not wait for handshakes.
    func connectNow(_ i: Int) throws {
        let fd = try newSocket()
        let code = TCPSocket.connect(fd, to: target.endpoint, timeoutMs: 2000)
        guard code == 0 else {
            close(fd)
            throw LoadError.unreachable(target.description, errno: code)
        }
        slots[i].fd = fd
        opened(i)
    }

    func startConnect(_ i: Int, _ now: UInt64) {
        let slot = slots + i
        let fd: Int32
        do {
            fd = try newSocket()
        } catch {
            return connectFailed(i, (error as? SystemCallError)?.errno ?? EIO, now, timedOut: false)
        }
        slot.pointee.fd = fd
        slot.pointee.connectStartedAt = now
        let code = TCPSocket.startConnect(fd, to: target.endpoint)
        if code == 0 {
            opened(i)
            send(i)
        } else if code == EINPROGRESS {
            slot.pointee.phase = .connecting
            register(i, EPOLLOUT.rawValue)
        } else {
            connectFailed(i, code, now, timedOut: false)
        }
    }

    func connectCompleted(_ i: Int) {
        let code = TCPSocket.pendingError(slots[i].fd)
        guard code == 0 else { return connectFailed(i, code, MonotonicClock.now(), timedOut: false) }
        opened(i)
        if slots[i].nextIntended <= MonotonicClock.now() { send(i) }
    }

    /// Non-blocking with Nagle off: requests are small and must leave at once.
    func newSocket() throws -> Int32 {
        let fd = try TCPSocket.make(nonBlocking: true)
        TCPSocket.setNoDelay(fd)
        return fd
    }

    func opened(_ i: Int) {
        let slot = slots + i
        let fd = slot.pointee.fd
        slot.pointee.tuple = TCPSocket.connection(fd)
        slot.pointee.nextOrdinal = 0
        slot.pointee.parser = HTTPResponseParser()
        slot.pointee.responseBytes = 0
        slot.pointee.pendingWrite = 0
        slot.pointee.resumeReadAt = 0
        slot.pointee.roomSinceNs = MonotonicClock.now()
        let wasConnecting = slot.pointee.phase == .connecting
        slot.pointee.phase = .open
        if wasConnecting { updateInterest(i) } else { register(i, EPOLLIN.rawValue) }
    }

    /// A connect failed: a request that was due is recorded as not sent, then the slot backs off.
    func connectFailed(_ i: Int, _ code: Int32, _ now: UInt64, timedOut: Bool) {
        let slot = slots + i
        if slot.pointee.fd >= 0 { close(slot.pointee.fd) }
        slot.pointee.fd = -1
        slot.pointee.interest = 0
        if slot.pointee.nextIntended <= now {
            var flags: GroundTruthRecord.Flags = [.error, .notSent]
            if timedOut { flags.insert(.timeout) }
            if slot.pointee.nextIntended < measureStartNs { flags.insert(.warmUp) }
            records.append(GroundTruthRecord(
                intendedNs: slot.pointee.nextIntended, sendNs: max(slot.pointee.connectStartedAt, slot.pointee.nextIntended),
                completeNs: max(now, slot.pointee.connectStartedAt, slot.pointee.nextIntended), 
                tuple: ConnectionTuple(local: ConnectionTuple.none.local, remote: target.endpoint), ordinal: 0, connection: slot.pointee.index,
                errorCode: code, flags: flags))
            advanceSchedule(i, freedAt: now + Self.backoffNs)
        }
        slot.pointee.phase = .backoff
        slot.pointee.backoffUntil = now + Self.backoffNs
    }

    /// The connection broke (reset, EOF, malformed reply, timeout): every request in flight
    /// on it is recorded as an error, and the slot reconnects when its next request is due.
    func connectionLost(_ i: Int, _ code: Int32, _ now: UInt64, timedOut: Bool = false, incomplete: Bool = false) {
        let slot = slots + i
        var flags: GroundTruthRecord.Flags = [.error]
        if timedOut { flags.insert(.timeout) }
        if incomplete { flags.insert(.incomplete) }
        while slot.pointee.inFlightCount > 0 {
            let bytes = slot.pointee.responseBytes
            slot.pointee.responseBytes = 0
            complete(i, at: now, status: 0, bytes: bytes, errorCode: code, flags: flags)
        }
        if slot.pointee.fd >= 0 { close(slot.pointee.fd) }
        slot.pointee.fd = -1
        slot.pointee.interest = 0
        slot.pointee.phase = .idle
        slot.pointee.pendingWrite = 0
        slot.pointee.resumeReadAt = 0
    }
}
