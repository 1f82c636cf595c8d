import CKmonSockets
import Glibc
import KmonHTTP
import KmonSupport
import KmonSystem

/// One generator thread: an epoll loop over its share of the connections.
///
/// Open loop: the thread follows one `SendSchedule` (its share of the rate); each due request
/// goes to the next connection, round robin, that has room (nothing in flight, or fewer than `k`
/// when pipelined). When none has room the request waits, leaves as soon as one frees, and its
/// lateness is recorded. Waiting for the next send sleeps in `epoll_pwait2` until
/// `spinNanoseconds` before it, then polls, so sends are precise without sleep-granularity
/// error. Closed loop: a connection sends again as soon as a response completes.
final class LoadWorker {
    let target: LoadTarget
    let closedLoop: Bool
    let closeEachRequest: Bool
    let depth: Int
    let slowChunk: Int
    let slowPauseNs: UInt64
    let timeoutNs: UInt64
    let spinNs: UInt64
    let stop: StopToken
    let realtimePriority: Int32?

    let startNs: UInt64
    let measureStartNs: UInt64
    var endNs: UInt64
    let drainNs: UInt64
    var draining = false

    let slots: UnsafeMutablePointer<ConnectionSlot>
    let slotCount: Int
    let inFlight: UnsafeMutablePointer<InFlightRequest>
    /// Request bytes: with one method, `depth` back-to-back copies shared by every connection
    /// (`requestStride` 0); with a mix, `depth` requests' room per connection, filled per batch.
    let request: UnsafeMutablePointer<UInt8>
    let requestStride: Int
    let requests: [[UInt8]]
    let mix: RequestMix
    /// Draws each request's method from a mix; seeded per thread so a run repeats.
    var methodDraws: SeededGenerator
    let readBuffer: UnsafeMutablePointer<UInt8>
    let readBufferSize = 1 << 16
    let events: UnsafeMutablePointer<epoll_event>
    let eventCapacity: Int32 = 256
    let epollFD: Int32

    /// Open loop: this thread's schedule and its next intended time (`.max` past the deadline).
    var schedule: SendSchedule?
    var nextIntended: UInt64 = .max
    /// A due request found no connection with room; it and those queued behind it waited.
    var backlogged = false
    var cursor = 0

    let records: RecordStore
    /// Open loop: requests intended before the deadline that never left.
    var unsent = 0

    static let backoffNs: UInt64 = 10_000_000
    static let stopCheckNs: UInt64 = 5_000_000

    /// `slotIndices` are this worker's generator-wide connection numbers; `thread` is its index.
    init(configuration c: LoadConfiguration, thread: Int, slotIndices: [Int], startNs: UInt64, requests: LoadRequests) throws {
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
        timeoutNs = UInt64(saturating: c.requestTimeout * 1e9)
        spinNs = c.spinNanoseconds
        stop = c.stop
        realtimePriority = c.realtimePriority
        self.startNs = startNs
        measureStartNs = startNs + UInt64(saturating: c.warmUp * 1e9)
        endNs = measureStartNs + UInt64(saturating: c.duration * 1e9)
        drainNs = UInt64(saturating: c.drainTimeout * 1e9)

        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw LoadError.system(SystemCallError("epoll_create1")) }

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
            let stagger = poisson ? 0 : UInt64(saturating: Double(thread) * 1e9 / rate)
            var threadSchedule = SendSchedule(start: startNs + stagger, ratePerSecond: rate / Double(c.threads), poisson: poisson,
                                              seed: c.seed ^ (UInt64(thread) &* 0x9E37_79B9_7F4A_7C15))
            nextIntended = threadSchedule.next()
            schedule = threadSchedule
        }

        mix = requests.mix
        self.requests = requests.bytes
        methodDraws = SeededGenerator(seed: c.seed ^ 0x6D65_7468_6F64 ^ (UInt64(thread) &* 0xD1B5_4A32_D192_ED03))
        if let single = requests.mix.single {
            // Every batch is a prefix of `depth` back-to-back copies of the one request.
            let bytes = requests.bytes[Int(single.rawValue)]
            let copies = UnsafeMutablePointer<UInt8>.allocate(capacity: bytes.count * depth)
            for k in 0..<depth {
                bytes.withUnsafeBufferPointer { (copies + k * bytes.count).initialize(from: $0.baseAddress!, count: bytes.count) }
            }
            request = copies
            requestStride = 0
        } else {
            requestStride = requests.longest * depth
            request = .allocate(capacity: requestStride * slotCount)
        }
        readBuffer = .allocate(capacity: 1 << 16)
        events = .allocate(capacity: 256)

        let expected: Int
        if let rate = c.model.offeredRate {
            expected = Int(saturating: rate * (c.warmUp + c.duration) * 1.05 / Double(c.threads)) &+ 4 * slotCount * depth
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
    func scan(_ now: UInt64) -> UInt64 {
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
    func wait(until wake: UInt64) {
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
}
