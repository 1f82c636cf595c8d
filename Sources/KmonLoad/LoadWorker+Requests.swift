import CKmonSockets
import Glibc
import KmonHTTP
import KmonSupport
import KmonSystem

/// Sending requests and reading their responses.
extension LoadWorker {
    /// Open loop: hands every due request to a connection with room, round robin; sends it
    /// (or connects first). With no room anywhere the request stays due and is marked waited.
    func dispatch(_ now: UInt64) {
        while nextIntended <= now {
            guard let j = connectionWithRoom() else {
                backlogged = true
                return
            }
            let slot = slots + j
            slot.pointee.nextIntended = nextIntended
            slot.pointee.assignedWaited = backlogged
            let next = schedule!.next()
            nextIntended = next < endNs ? next : .max
            if slot.pointee.phase == .open { send(j) } else { startConnect(j, now) }
        }
        backlogged = false
    }

    func connectionWithRoom() -> Int? {
        for k in 0..<slotCount {
            let j = (cursor + k) % slotCount
            let slot = slots + j
            guard slot.pointee.nextIntended == .max else { continue }
            let room = slot.pointee.phase == .idle
                || (slot.pointee.phase == .open && slot.pointee.inFlightCount < depth && slot.pointee.pendingWrite == 0)
            if room {
                cursor = j + 1
                return j
            }
        }
        return nil
    }

    /// Writes every due request the connection has room for, in one write.
    @inline(__always)
    func send(_ i: Int) {
        let slot = slots + i
        let now = MonotonicClock.now()
        var batch = 0
        while slot.pointee.inFlightCount < depth && slot.pointee.nextIntended <= now {
            let ring = (slot.pointee.inFlightHead + slot.pointee.inFlightCount) % depth
            let entry = inFlight + slot.pointee.inFlightBase + ring
            entry.pointee.intendedNs = slot.pointee.nextIntended
            entry.pointee.waitedForConnection = slot.pointee.assignedWaited || slot.pointee.roomSinceNs > slot.pointee.nextIntended
            entry.pointee.ordinal = slot.pointee.nextOrdinal
            slot.pointee.nextOrdinal &+= 1
            slot.pointee.inFlightCount += 1
            batch += 1
            advanceSchedule(i, freedAt: slot.pointee.nextIntended)
            if closeEachRequest { break }
        }
        guard batch > 0 else { return }
        var length = 0
        let base = request + i * requestStride
        for k in 0..<batch {
            let ring = (slot.pointee.inFlightHead + slot.pointee.inFlightCount - batch + k) % depth
            let method = mix.single ?? mix.method(draw: methodDraws.next())
            inFlight[slot.pointee.inFlightBase + ring].method = method
            let bytes = requests[Int(method.rawValue)]
            // With one method the bytes are already in place; a mix copies each request in.
            if requestStride > 0 { bytes.withUnsafeBufferPointer { (base + length).update(from: $0.baseAddress!, count: $0.count) } }
            length += bytes.count
        }
        let sendNs = MonotonicClock.now()
        for k in 0..<batch {
            let ring = (slot.pointee.inFlightHead + slot.pointee.inFlightCount - batch + k) % depth
            inFlight[slot.pointee.inFlightBase + ring].sendNs = sendNs
        }
        slot.pointee.pendingWriteOffset = 0
        slot.pointee.pendingWrite = length
        flush(i)
    }

    /// Open loop: the connection waits for its next hand-over. Closed loop: the next request may
    /// go once a slot frees, which `complete` signals; `freedAt` is that time for the remaining
    /// free slots.
    @inline(__always)
    func advanceSchedule(_ i: Int, freedAt: UInt64) {
        let slot = slots + i
        if schedule != nil {
            slot.pointee.nextIntended = .max
        } else {
            slot.pointee.nextIntended = draining || slot.pointee.inFlightCount >= depth ? .max : freedAt
        }
    }

    func flush(_ i: Int) {
        let slot = slots + i
        while slot.pointee.pendingWrite > 0 {
            let n = Glibc.send(slot.pointee.fd, request + i * requestStride + slot.pointee.pendingWriteOffset, slot.pointee.pendingWrite,
                               Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
            if n > 0 {
                slot.pointee.pendingWrite -= n
                slot.pointee.pendingWriteOffset += n
            } else if n < 0 && errno == EINTR {
                continue
            } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                break
            } else {
                return connectionLost(i, n < 0 ? errno : GroundTruthRecord.Failure.closedByPeer, MonotonicClock.now())
            }
        }
        updateInterest(i)
    }

    func readable(_ i: Int) {
        let slot = slots + i
        let limit = slowChunk > 0 ? slowChunk : readBufferSize
        while slot.pointee.phase == .open {
            let n = recv(slot.pointee.fd, readBuffer, limit, Int32(MSG_DONTWAIT))
            let now = MonotonicClock.now()
            if n > 0 {
                consume(i, n, now)
                if slowChunk > 0 && slot.pointee.phase == .open {
                    slot.pointee.resumeReadAt = now + slowPauseNs
                    updateInterest(i)
                    return
                }
                if n < limit { break }
            } else if n == 0 {
                connectionLost(i, GroundTruthRecord.Failure.closedByPeer, now)
                return
            } else if errno == EINTR {
                continue
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                break
            } else {
                connectionLost(i, errno, now)
                return
            }
        }
        if slot.pointee.phase == .open && slot.pointee.pendingWrite == 0 && slot.pointee.nextIntended <= now() {
            send(i)
        }
        if schedule != nil && nextIntended <= now() { dispatch(now()) }
    }

    @inline(__always) private func now() -> UInt64 { MonotonicClock.now() }

    /// Feeds `n` bytes of the read buffer to the connection's response parser (KmonWorkload's,
    /// which counts bodies without copying them), completing responses in order.
    @inline(__always)
    func consume(_ i: Int, _ n: Int, _ now: UInt64) {
        let slot = slots + i
        slot.pointee.responseBytes &+= UInt32(truncatingIfNeeded: n)
        do {
            try slot.pointee.parser.consume(UnsafeRawBufferPointer(start: readBuffer, count: n)) { response in
                guard slot.pointee.inFlightCount > 0 else {
                    throw HTTPParseError(status: 0, reason: "a response to no request")
                }
                let size = UInt32(truncatingIfNeeded: response.headLength + response.bodyLength)
                slot.pointee.responseBytes &-= size
                complete(i, at: now, status: UInt16(truncatingIfNeeded: response.status), bytes: size, errorCode: 0, flags: [])
            }
        } catch {
            return connectionLost(i, GroundTruthRecord.Failure.malformedResponse, now)
        }
        // Connection: close: the response is in, so this connection is done.
        if closeEachRequest && slot.pointee.inFlightCount == 0 { connectionLost(i, 0, now) }
    }

    /// Records the oldest in-flight request of connection `i` and frees its place.
    @inline(__always)
    func complete(_ i: Int, at now: UInt64, status: UInt16, bytes: UInt32, errorCode: Int32, flags: GroundTruthRecord.Flags) {
        let slot = slots + i
        let entry = inFlight[slot.pointee.inFlightBase + slot.pointee.inFlightHead]
        var flags = flags
        if entry.intendedNs < measureStartNs { flags.insert(.warmUp) }
        if entry.waitedForConnection { flags.insert(.waitedForConnection) }
        records.append(GroundTruthRecord(
            intendedNs: entry.intendedNs, sendNs: entry.sendNs, completeNs: now,
            tuple: slot.pointee.tuple, ordinal: entry.ordinal, bytes: bytes, connection: slot.pointee.index,
            method: entry.method, status: status,
            errorCode: errorCode, flags: flags))
        slot.pointee.inFlightHead = (slot.pointee.inFlightHead + 1) % depth
        slot.pointee.inFlightCount -= 1
        if slot.pointee.inFlightCount == depth - 1 { slot.pointee.roomSinceNs = now }
        if schedule == nil && !draining && slot.pointee.nextIntended == .max {
            slot.pointee.nextIntended = now
        }
    }
}
