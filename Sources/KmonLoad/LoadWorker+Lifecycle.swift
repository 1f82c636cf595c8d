import CKmonSockets
import Glibc
import KmonHTTP
import KmonSupport

/// epoll interest and the end of a run: draining, then failing what is still in flight.
extension LoadWorker {
    // MARK: - epoll

    func register(_ i: Int, _ mask: UInt32) {
        var ev = epoll_event()
        ev.events = mask
        ev.data.u64 = UInt64(i)
        epoll_ctl(epollFD, EPOLL_CTL_ADD, slots[i].fd, &ev)
        slots[i].interest = mask
    }

    /// Wants EPOLLIN unless paused (slow reader), EPOLLOUT while a write is pending.
    func updateInterest(_ i: Int) {
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
    func beginDrain() {
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

    func nothingInFlight() -> Bool {
        for i in 0..<slotCount where slots[i].inFlightCount > 0 { return false }
        return true
    }

    func finish(at now: UInt64) {
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
