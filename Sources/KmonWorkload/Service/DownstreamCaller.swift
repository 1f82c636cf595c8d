import Glibc
import KmonHTTP
import KmonSupport
import KmonSystem

/// Runs one call step: sends the request to every callee of the step, then waits for all
/// responses with poll(2), so a parallel fan-out needs no extra threads. Each call is recorded
/// with its connection's 4-tuple and ordinal. A stale pooled connection (closed by the callee
/// while idle) gets one retry on a fresh connection; both attempts are recorded.
struct DownstreamCaller {
    let records: RecordBuffer?
    /// The caller's method mix, drawn per call from (seed, parent request id, call index).
    var mix: RequestMix = .getOnly
    var seed: UInt64 = 0

    private struct InFlight {
        let pool: DownstreamPool
        let callIndex: UInt16
        var connection: DownstreamConnection?
        var reused: Bool
        var sendStart: UInt64 = 0
        var ordinal: UInt32 = 0
        var receivedAny = false
        var status: Int?
        var failure: String?
        var keepAlive = false
        var method = HTTPMethod.get
    }

    /// Returns nil when every call answered 2xx, else the reason for the caller's 502.
    func run(_ calls: [(pool: DownstreamPool, callIndex: UInt16)], parentRequestID: UInt64) -> String? {
        var flights: [InFlight] = []
        flights.reserveCapacity(calls.count)
        for call in calls {
            var flight = InFlight(pool: call.pool, callIndex: call.callIndex, connection: nil, reused: false)
            flight.method = mix.single
                ?? mix.method(draw: ErrorMix.draw(seed: seed, requestID: parentRequestID, stream: UInt64(call.callIndex) + 1))
            send(&flight, parentRequestID: parentRequestID, retry: true)
            flights.append(flight)
        }
        receiveAll(&flights, parentRequestID: parentRequestID)
        var failure: String?
        for flight in flights {
            if let connection = flight.connection, flight.status != nil, flight.keepAlive, connection.parser.isIdle {
                flight.pool.release(connection)
            }
            if failure != nil { continue }
            if let reason = flight.failure {
                failure = "\(flight.pool.service) (\(flight.pool.endpoint)): \(reason)"
            } else if let status = flight.status, !(200..<300).contains(status) {
                failure = "\(flight.pool.service) (\(flight.pool.endpoint)) answered \(status)"
            }
        }
        return failure
    }

    private func send(_ flight: inout InFlight, parentRequestID: UInt64, retry: Bool) {
        flight.failure = nil
        do {
            let (connection, reused) = try flight.pool.acquire()
            flight.connection = connection
            flight.reused = reused
            flight.receivedAny = false
            flight.ordinal = connection.ordinal
            connection.ordinal += 1
            flight.sendStart = MonotonicClock.now()
            try flight.pool.requests[Int(flight.method.rawValue)].withUnsafeBytes { try TCPSocket.writeAll(connection.fd, $0.baseAddress!, $0.count) }
        } catch {
            if flight.connection != nil {
                finish(&flight, parentRequestID: parentRequestID, failure: "\(error)")
                if retry && flight.reused { send(&flight, parentRequestID: parentRequestID, retry: false) }
            } else {
                flight.failure = "\(error)"
            }
        }
    }

    private func receiveAll(_ flights: inout [InFlight], parentRequestID: UInt64) {
        let deadline = MonotonicClock.now() + UInt64(flights.first?.pool.timeoutMs ?? 0) * 1_000_000
        var fds = [pollfd](repeating: pollfd(), count: flights.count)
        var slots = [Int](repeating: 0, count: flights.count)
        while true {
            var waiting = 0
            for i in flights.indices where flights[i].status == nil && flights[i].failure == nil {
                fds[waiting] = pollfd(fd: flights[i].connection!.fd, events: Int16(POLLIN), revents: 0)
                slots[waiting] = i
                waiting += 1
            }
            if waiting == 0 { return }
            let now = MonotonicClock.now()
            if now >= deadline {
                for slot in slots[0..<waiting] {
                    finish(&flights[slot], parentRequestID: parentRequestID,
                           failure: "no response within \(flights[slot].pool.timeoutMs) ms")
                }
                return
            }
            let ready = poll(&fds, nfds_t(waiting), Int32(clamping: (deadline - now) / 1_000_000 + 1))
            if ready < 0 && errno != EINTR {
                for slot in slots[0..<waiting] { finish(&flights[slot], parentRequestID: parentRequestID, failure: "\(SystemCallError("poll"))") }
                return
            }
            for k in 0..<waiting where fds[k].revents != 0 {
                receive(&flights[slots[k]], parentRequestID: parentRequestID)
            }
        }
    }

    /// One read on a ready connection, fed to its response parser.
    private func receive(_ flight: inout InFlight, parentRequestID: UInt64) {
        let connection = flight.connection!
        let n = recv(connection.fd, connection.buffer.baseAddress, connection.buffer.count, Int32(MSG_DONTWAIT))
        if n < 0 && (errno == EAGAIN || errno == EINTR) { return }
        if n <= 0 {
            let reason = n == 0 ? "connection closed before the response" : "\(SystemCallError("recv"))"
            let stale = n == 0 && flight.reused && !flight.receivedAny
            finish(&flight, parentRequestID: parentRequestID, failure: reason)
            if stale { send(&flight, parentRequestID: parentRequestID, retry: false) }
            return
        }
        flight.receivedAny = true
        do {
            var completed: HTTPResponse?
            try connection.parser.consume(UnsafeRawBufferPointer(rebasing: connection.buffer[0..<n])) { response in
                if completed != nil { throw HTTPParseError.malformed("more than one response to one request") }
                completed = response
            }
            if let completed {
                let end = MonotonicClock.now()
                flight.status = completed.status
                flight.keepAlive = completed.keepAlive
                record(flight, parentRequestID: parentRequestID, status: UInt16(completed.status), end: end)
            }
        } catch {
            finish(&flight, parentRequestID: parentRequestID, failure: "bad response: \(error)")
        }
    }

    /// Ends a call without a response: recorded with status 0, connection dropped.
    private func finish(_ flight: inout InFlight, parentRequestID: UInt64, failure: String) {
        record(flight, parentRequestID: parentRequestID, status: 0, end: MonotonicClock.now())
        flight.failure = failure
        flight.connection = nil
    }

    private func record(_ flight: InFlight, parentRequestID: UInt64, status: UInt16, end: UInt64) {
        guard let records, let connection = flight.connection else { return }
        records.append(DownstreamCallRecord(
            parentRequestID: parentRequestID, callIndex: flight.callIndex, connection: connection.tuple,
            ordinal: flight.ordinal, method: flight.method, status: status,
            sendStartNs: flight.sendStart, responseCompleteNs: end))
    }
}
