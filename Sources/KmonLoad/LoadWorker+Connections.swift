import CKmonSockets
import Glibc
import KmonHTTP
import KmonSupport

/// Connecting, reconnecting and losing connections.
extension LoadWorker {
    /// Blocking connect before the run starts, so the first requests do not wait for handshakes.
    func connectNow(_ i: Int) throws {
        let fd = Sockets.tcpSocket()
        guard fd >= 0 else { throw LoadError.system("socket", errno: errno) }
        var code = Sockets.startConnect(fd, to: target)
        if code == EINPROGRESS {
            var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&pfd, 1, 2000)
            code = ready == 0 ? ETIMEDOUT : (ready < 0 ? errno : Sockets.pendingError(fd))
        }
        guard code == 0 else {
            close(fd)
            throw LoadError.unreachable(target.description, errno: code)
        }
        slots[i].fd = fd
        opened(i)
    }

    func startConnect(_ i: Int, _ now: UInt64) {
        let slot = slots + i
        let fd = Sockets.tcpSocket()
        guard fd >= 0 else { return connectFailed(i, errno, now, timedOut: false) }
        slot.pointee.fd = fd
        slot.pointee.connectStartedAt = now
        let code = Sockets.startConnect(fd, to: target)
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
        let code = Sockets.pendingError(slots[i].fd)
        guard code == 0 else { return connectFailed(i, code, MonotonicClock.now(), timedOut: false) }
        opened(i)
        if slots[i].nextIntended <= MonotonicClock.now() { send(i) }
    }

    func opened(_ i: Int) {
        let slot = slots + i
        let fd = slot.pointee.fd
        (slot.pointee.localAddress, slot.pointee.localPort) = Sockets.endpoint(fd, peer: false)
        (slot.pointee.remoteAddress, slot.pointee.remotePort) = Sockets.endpoint(fd, peer: true)
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
                completeNs: max(now, slot.pointee.connectStartedAt, slot.pointee.nextIntended), localAddress: 0, localPort: 0,
                remoteAddress: target.address, remotePort: target.port, ordinal: 0, connection: slot.pointee.index,
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
