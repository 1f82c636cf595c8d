import CKmonSockets
import Glibc
import KmonSupport
import KmonHTTP

/// One generator thread: an epoll loop over its share of the connections.
///
/// Open loop: the thread follows one `SendSchedule` (its share of the rate); each due request
/// goes to the next connection, round robin, that has room (nothing in flight, or fewer than `k`
/// when pipelined). When none has room the request waits, leaves as soon as one frees, and its
/// lateness is recorded. Waiting for the next send sleeps in `epoll_pwait2` until
/// `spinNanoseconds` before it, then polls, so sends are precise without sleep-granularity
/// error. Closed loop: a connection sends again as soon as a response completes.
final class LoadWorker {
    private let target: LoadTarget
    private let closedLoop: Bool
    private let closeEachRequest: Bool
    private let depth: Int
    private let slowChunk: Int
    private let slowPauseNs: UInt64
    private let timeoutNs: UInt64
    private let spinNs: UInt64
    private let stop: StopToken
    private let realtimePriority: Int32?

    private let startNs: UInt64
    private let measureStartNs: UInt64
    private var endNs: UInt64
    private let drainNs: UInt64
    private var draining = false

    private let slots: UnsafeMutablePointer<ConnectionSlot>
    private let slotCount: Int
    private let inFlight: UnsafeMutablePointer<InFlightRequest>
    private let request: UnsafeMutablePointer<UInt8>
    private let requestLength: Int
    private let readBuffer: UnsafeMutablePointer<UInt8>
    private let readBufferSize = 1 << 16
    private let events: UnsafeMutablePointer<epoll_event>
    private let eventCapacity: Int32 = 256
    private let epollFD: Int32

    /// Open loop: this thread's schedule and its next intended time (`.max` past the deadline).
    private var schedule: SendSchedule?
    private var nextIntended: UInt64 = .max
    /// A due request found no connection with room; it and those queued behind it waited.
    private var backlogged = false
    private var cursor = 0

    let records: RecordStore
    /// Open loop: requests intended before the deadline that never left.
    private(set) var unsent = 0

    private static let backoffNs: UInt64 = 10_000_000
    private static let stopCheckNs: UInt64 = 5_000_000

    /// `slotIndices` are this worker's generator-wide connection numbers; `thread` is its index.
    init(configuration c: LoadConfiguration, thread: Int, slotIndices: [Int], startNs: UInt64, requestBytes: [UInt8]) throws {
        target = c.target
        closedLoop = c.model == .closedLoop
        if case .connectionClose = c.scenario { closeEachRequest = true } else { closeEachRequest = false }
        depth = c.scenario.depth
        if case let .slowReader(chunk, pause) = c.scenario {
            slowChunk = chunk
            slowPauseNs = UInt64(pause) * 1000
        } else {
            slowChunk = 0
            slowPauseNs = 0
        }
        timeoutNs = UInt64(c.requestTimeout * 1e9)
        spinNs = c.spinNanoseconds
        stop = c.stop
        realtimePriority = c.realtimePriority
        self.startNs = startNs
        measureStartNs = startNs + UInt64(c.warmUp * 1e9)
        endNs = measureStartNs + UInt64(c.duration * 1e9)
        drainNs = UInt64(c.drainTimeout * 1e9)

        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw LoadError.system("epoll_create1", errno: errno) }

        slotCount = slotIndices.count
        slots = .allocate(capacity: slotCount)
        inFlight = .allocate(capacity: slotCount * depth)
        inFlight.initialize(repeating: InFlightRequest(), count: slotCount * depth)
        for (i, global) in slotIndices.enumerated() {
            var slot = ConnectionSlot(index: UInt32(global), inFlightBase: i * depth)
            if c.model == .closedLoop { slot.nextIntended = startNs }
            (slots + i).initialize(to: slot)
        }
        if case let .openLoop(rate, poisson) = c.model {
            // Threads' evenly spaced schedules are staggered so their sum is evenly spaced too.
            let stagger = poisson ? 0 : UInt64(Double(thread) * 1e9 / rate)
            var threadSchedule = SendSchedule(start: startNs + stagger, ratePerSecond: rate / Double(c.threads), poisson: poisson,
                                              seed: c.seed ^ (UInt64(thread) &* 0x9E37_79B9_7F4A_7C15))
            nextIntended = threadSchedule.next()
            schedule = threadSchedule
        }

        // Every batch is a prefix of `depth` back-to-back copies of the one request.
        let length = requestBytes.count
        let copies = UnsafeMutablePointer<UInt8>.allocate(capacity: length * depth)
        for k in 0..<depth {
            requestBytes.withUnsafeBufferPointer { (copies + k * length).initialize(from: $0.baseAddress!, count: length) }
        }
        requestLength = length
        request = copies
        readBuffer = .allocate(capacity: 1 << 16)
        events = .allocate(capacity: 256)

        let expected: Int
        if let rate = c.model.offeredRate {
            expected = Int(rate * (c.warmUp + c.duration) * 1.05 / Double(c.threads)) + 4 * slotCount * depth
        } else {
            expected = 1 << 18
        }
        records = RecordStore(expected: min(expected, 1 << 24))

        if !closeEachRequest {
            for i in 0..<slotCount { try connectNow(i) }
        }
    }

    deinit {
        for i in 0..<slotCount where slots[i].fd >= 0 { close(slots[i].fd) }
        close(epollFD)
        slots.deinitialize(count: slotCount)
        slots.deallocate()
        inFlight.deallocate()
        request.deallocate()
        readBuffer.deallocate()
        events.deallocate()
    }

    // MARK: - Loop

    func run() {
        _ = ckmon_set_timer_slack(1)
        if let priority = realtimePriority {
            var param = sched_param(sched_priority: priority)
            // Applies to this thread only; checked before the run by `LoadGenerator`.
            _ = sched_setscheduler(0, SCHED_FIFO, &param)
        }
        var nextStopCheck = startNs
        while true {
            let now = MonotonicClock.now()
            if now >= nextStopCheck {
                nextStopCheck = now + Self.stopCheckNs
                if stop.isStopped && !draining && now < endNs { endNs = max(now, startNs) }
            }
            if !draining && now >= endNs {
                // Requests intended before the deadline still go out (late) if a connection has room.
                _ = scan(now)
                beginDrain()
            }
            if draining && (now >= endNs + drainNs || nothingInFlight()) { break }
            var wake = scan(now)
            wake = min(wake, nextStopCheck, draining ? endNs + drainNs : endNs)
            wait(until: wake)
        }
        finish(at: MonotonicClock.now())
    }

    /// Does what is due on every connection (connect, send, resume reading, time out) and
    /// returns when something is next due.
    private func scan(_ now: UInt64) -> UInt64 {
        var wake = UInt64.max
        if schedule != nil {
            dispatch(now)
            if !backlogged { wake = nextIntended }
        }
        for i in 0..<slotCount {
            let slot = slots + i
            switch slot.pointee.phase {
            case .backoff:
                if now >= slot.pointee.backoffUntil {
                    slot.pointee.phase = .idle
                    fallthrough
                } else {
                    wake = min(wake, slot.pointee.backoffUntil)
                }
            case .idle:
                if slot.pointee.nextIntended <= now {
                    startConnect(i, now)
                } else {
                    wake = min(wake, slot.pointee.nextIntended)
                }
            case .connecting:
                let limit = slot.pointee.connectStartedAt &+ timeoutNs
                if now >= limit { connectFailed(i, ETIMEDOUT, now, timedOut: true) } else { wake = min(wake, limit) }
            case .open:
                if slot.pointee.resumeReadAt != 0 {
                    if now >= slot.pointee.resumeReadAt {
                        slot.pointee.resumeReadAt = 0
                        updateInterest(i)
                    } else {
                        wake = min(wake, slot.pointee.resumeReadAt)
                    }
                }
                if slot.pointee.inFlightCount < depth && slot.pointee.pendingWrite == 0 {
                    if slot.pointee.nextIntended <= now { send(i) }
                    if slot.pointee.phase == .open && slot.pointee.inFlightCount < depth {
                        wake = min(wake, slot.pointee.nextIntended)
                    }
                }
                if slot.pointee.inFlightCount > 0 {
                    let head = inFlight[slot.pointee.inFlightBase + slot.pointee.inFlightHead]
                    let limit = head.sendNs &+ timeoutNs
                    if now >= limit { connectionLost(i, GroundTruthRecord.Failure.timedOut, now, timedOut: true) } else { wake = min(wake, limit) }
                }
            }
        }
        return wake
    }

    /// Sleeps in epoll until `spinNs` before `wake`, then polls; handles whatever arrives.
    private func wait(until wake: UInt64) {
        let now = MonotonicClock.now()
        var n: Int32
        if wake <= now &+ spinNs {
            n = epoll_wait(epollFD, events, eventCapacity, 0)
        } else {
            let sleepNs = wake == .max ? UInt64(1_000_000_000) : wake - now - spinNs
            var ts = timespec(tv_sec: Int(sleepNs / 1_000_000_000), tv_nsec: Int(sleepNs % 1_000_000_000))
            n = epoll_pwait2(epollFD, events, eventCapacity, &ts, nil)
        }
        guard n > 0 else { return }
        for e in 0..<Int(n) {
            let i = Int(events[e].data.u64)
            let ev = events[e].events
            let slot = slots + i
            if slot.pointee.phase == .connecting {
                if ev & (EPOLLOUT.rawValue | EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 { connectCompleted(i) }
                continue
            }
            guard slot.pointee.phase == .open else { continue }
            if ev & EPOLLOUT.rawValue != 0 && slot.pointee.pendingWrite > 0 { flush(i) }
            if ev & (EPOLLIN.rawValue | EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 && slot.pointee.phase == .open {
                readable(i)
            }
        }
    }

    // MARK: - Connections

    /// Blocking connect before the run starts, so the first requests do not wait for handshakes.
    private func connectNow(_ i: Int) throws {
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

    private func startConnect(_ i: Int, _ now: UInt64) {
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

    private func connectCompleted(_ i: Int) {
        let code = Sockets.pendingError(slots[i].fd)
        guard code == 0 else { return connectFailed(i, code, MonotonicClock.now(), timedOut: false) }
        opened(i)
        if slots[i].nextIntended <= MonotonicClock.now() { send(i) }
    }

    private func opened(_ i: Int) {
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
    private func connectFailed(_ i: Int, _ code: Int32, _ now: UInt64, timedOut: Bool) {
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
    private func connectionLost(_ i: Int, _ code: Int32, _ now: UInt64, timedOut: Bool = false, incomplete: Bool = false) {
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

    // MARK: - Requests

    /// Open loop: hands every due request to a connection with room, round robin; sends it
    /// (or connects first). With no room anywhere the request stays due and is marked waited.
    private func dispatch(_ now: UInt64) {
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

    private func connectionWithRoom() -> Int? {
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
    private func send(_ i: Int) {
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
        let sendNs = MonotonicClock.now()
        for k in 0..<batch {
            let ring = (slot.pointee.inFlightHead + slot.pointee.inFlightCount - batch + k) % depth
            inFlight[slot.pointee.inFlightBase + ring].sendNs = sendNs
        }
        slot.pointee.pendingWriteOffset = 0
        slot.pointee.pendingWrite = batch * requestLength
        flush(i)
    }

    /// Open loop: the connection waits for its next hand-over. Closed loop: the next request may
    /// go once a slot frees, which `complete` signals; `freedAt` is that time for the remaining
    /// free slots.
    @inline(__always)
    private func advanceSchedule(_ i: Int, freedAt: UInt64) {
        let slot = slots + i
        if schedule != nil {
            slot.pointee.nextIntended = .max
        } else {
            slot.pointee.nextIntended = draining || slot.pointee.inFlightCount >= depth ? .max : freedAt
        }
    }

    private func flush(_ i: Int) {
        let slot = slots + i
        while slot.pointee.pendingWrite > 0 {
            let n = Glibc.send(slot.pointee.fd, request + slot.pointee.pendingWriteOffset, slot.pointee.pendingWrite,
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

    private func readable(_ i: Int) {
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
    private func consume(_ i: Int, _ n: Int, _ now: UInt64) {
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
    private func complete(_ i: Int, at now: UInt64, status: UInt16, bytes: UInt32, errorCode: Int32, flags: GroundTruthRecord.Flags) {
        let slot = slots + i
        let entry = inFlight[slot.pointee.inFlightBase + slot.pointee.inFlightHead]
        var flags = flags
        if entry.intendedNs < measureStartNs { flags.insert(.warmUp) }
        if entry.waitedForConnection { flags.insert(.waitedForConnection) }
        records.append(GroundTruthRecord(
            intendedNs: entry.intendedNs, sendNs: entry.sendNs, completeNs: now,
            localAddress: slot.pointee.localAddress, localPort: slot.pointee.localPort,
            remoteAddress: slot.pointee.remoteAddress, remotePort: slot.pointee.remotePort,
            ordinal: entry.ordinal, bytes: bytes, connection: slot.pointee.index, status: status,
            errorCode: errorCode, flags: flags))
        slot.pointee.inFlightHead = (slot.pointee.inFlightHead + 1) % depth
        slot.pointee.inFlightCount -= 1
        if slot.pointee.inFlightCount == depth - 1 { slot.pointee.roomSinceNs = now }
        if schedule == nil && !draining && slot.pointee.nextIntended == .max {
            slot.pointee.nextIntended = now
        }
    }

    // MARK: - epoll

    private func register(_ i: Int, _ mask: UInt32) {
        var ev = epoll_event()
        ev.events = mask
        ev.data.u64 = UInt64(i)
        epoll_ctl(epollFD, EPOLL_CTL_ADD, slots[i].fd, &ev)
        slots[i].interest = mask
    }

    /// Wants EPOLLIN unless paused (slow reader), EPOLLOUT while a write is pending.
    private func updateInterest(_ i: Int) {
        let slot = slots + i
        guard slot.pointee.phase == .open else { return }
        var mask: UInt32 = 0
        if slot.pointee.resumeReadAt == 0 { mask |= EPOLLIN.rawValue }
        if slot.pointee.pendingWrite > 0 { mask |= EPOLLOUT.rawValue }
        guard mask != slot.pointee.interest else { return }
        var ev = epoll_event()
        ev.events = mask
        ev.data.u64 = UInt64(i)
        epoll_ctl(epollFD, EPOLL_CTL_MOD, slot.pointee.fd, &ev)
        slot.pointee.interest = mask
    }

    // MARK: - End of run

    /// The deadline passed: no new requests; in-flight ones may still finish for `drainNs`.
    private func beginDrain() {
        draining = true
        if schedule != nil {
            while nextIntended < endNs {
                unsent += 1
                nextIntended = schedule!.next()
            }
            nextIntended = .max
        }
        for i in 0..<slotCount {
            let slot = slots + i
            if schedule != nil && slot.pointee.nextIntended != .max { unsent += 1 }
            slot.pointee.nextIntended = .max
        }
    }

    private func nothingInFlight() -> Bool {
        for i in 0..<slotCount where slots[i].inFlightCount > 0 { return false }
        return true
    }

    private func finish(at now: UInt64) {
        for i in 0..<slotCount {
            if slots[i].inFlightCount > 0 {
                connectionLost(i, GroundTruthRecord.Failure.runEnded, now, incomplete: true)
            } else if slots[i].fd >= 0 {
                close(slots[i].fd)
                slots[i].fd = -1
                slots[i].phase = .idle
            }
        }
    }
}
