import Glibc
import KmonHTTP
import KmonSupport
import KmonSystem

/// One accepted connection, served on its own thread: reads requests (pipelined ones too),
/// answers them in order, batching the answers to one pipelined burst into one write (up to
/// `PendingOutput.limit`, then it writes before answering more), and records each. Malformed
/// input gets its 4xx/5xx and the connection is closed; other connections never notice. A
/// connection that sends no byte within the read limit is closed; the longer idle limit only
/// applies between requests.
struct ServerConnection {
    let open: OpenConnection
    let table: ConnectionTable
    let runtime: ServiceRuntime
    let parser: HTTPRequestParser
    let readTimeoutMs: Int
    let idleTimeoutMs: Int

    private static let inputCapacity = 16 << 10

    func run() {
        let fd = open.fd
        let input = UnsafeMutableRawPointer.allocate(byteCount: Self.inputCapacity, alignment: 16)
        defer {
            input.deallocate()
            table.remove(open)
            close(fd)
        }
        let records = runtime.records?.makeBuffer()
        defer { if let records { runtime.records?.retire(records) } }
        let connection = TCPSocket.connection(fd)
        var output = PendingOutput()
        var batch: [ServedRequestRecord] = []
        batch.reserveCapacity(16)

        var start = 0, end = 0
        var ordinal: UInt32 = 0
        var pending: (head: HTTPRequestHead, route: ServedRequestRecord.Route, firstRead: UInt64)?
        var bodyRemaining = 0
        var lastRead = MonotonicClock.now()
        var lastWrite = lastRead
        var requestFirstRead: UInt64 = 0
        var closing = false
        var busy = false
        defer { if busy { runtime.requestsInFlight.subtract(1, ordering: .releasing) } }

        while true {
            // Answer every complete request already buffered.
            parsing: while !closing && !output.isFull {
                if let request = pending {
                    let skip = min(bodyRemaining, end - start)
                    start += skip
                    bodyRemaining -= skip
                    if bodyRemaining > 0 { break parsing }
                    pending = nil
                    let record = answer(request.head, route: request.route, firstRead: request.firstRead,
                                        ordinal: ordinal, connection: connection, records: records, into: &output)
                    batch.append(record)
                    ordinal &+= 1
                    closing = !request.head.keepAlive
                    // The next request's first byte, if buffered, came with the latest read.
                    requestFirstRead = lastRead
                    continue
                }
                if start == end { break parsing }
                switch parser.parse(UnsafeRawBufferPointer(start: input + start, count: end - start)) {
                case .incomplete:
                    break parsing
                case .invalid(let error):
                    batch.append(reject(error.status, reason: error.reason, firstRead: requestFirstRead,
                                        ordinal: ordinal, connection: connection, into: &output))
                    closing = true
                case .head(let head):
                    let route = route(head, base: input + start)
                    start += head.headLength
                    bodyRemaining = head.contentLength
                    pending = (head, route, requestFirstRead)
                }
            }
            // Full: more requests may be buffered; answer them once this is written, before reading.
            let heldBack = output.isFull
            if !output.isEmpty {
                let written = output.write(to: fd)
                let now = MonotonicClock.now()
                lastWrite = now
                if let records {
                    for var record in batch {
                        record.responseWrittenNs = written ? now : 0
                        records.append(record)
                    }
                }
                batch.removeAll(keepingCapacity: true)
                if !written { return }
            }
            if closing { return }
            if heldBack { continue }
            if busy && start == end && pending == nil {
                busy = false
                open.endRequest(now: lastWrite)
                runtime.requestsInFlight.subtract(1, ordering: .releasing)
            }

            // Make room, then read more.
            if start == end {
                start = 0
                end = 0
            } else if start > 0 && end == Self.inputCapacity {
                memmove(input, input + start, end - start)
                end -= start
                start = 0
            }
            let betweenRequests = start == end && pending == nil
            if !betweenRequests && MonotonicClock.now() - requestFirstRead >= UInt64(readTimeoutMs) * 1_000_000 {
                // A trickle of bytes does not keep a request (and its thread) alive forever.
                batch.append(reject(408, reason: "request not received within \(readTimeoutMs) ms", firstRead: requestFirstRead,
                                    ordinal: ordinal, connection: connection, into: &output))
                closing = true
                continue
            }
            let n = recv(fd, input + end, Self.inputCapacity - end, 0)
            let now = MonotonicClock.now()
            if n > 0 {
                if !busy {
                    busy = true
                    runtime.requestsInFlight.add(1, ordering: .relaxed)
                    // Evicted just before these bytes came: close as the shutdown would have.
                    if !open.beginRequest() { return }
                }
                if betweenRequests { requestFirstRead = now }
                lastRead = now
                end += n
            } else if n == 0 {
                return
            } else if errno == EINTR {
                continue
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                // SO_RCVTIMEO expired: a stalled request times out; a connection that has sent
                // nothing yet is closed at the read limit too; only a keep-alive one may wait longer.
                if !betweenRequests {
                    batch.append(reject(408, reason: "request not received within \(readTimeoutMs) ms", firstRead: requestFirstRead,
                                        ordinal: ordinal, connection: connection, into: &output))
                    closing = true
                } else if now - lastRead >= UInt64(ordinal == 0 ? readTimeoutMs : idleTimeoutMs) * 1_000_000 {
                    return
                }
            } else {
                return
            }
        }
    }

    private func route(_ head: HTTPRequestHead, base: UnsafeMutableRawPointer) -> ServedRequestRecord.Route {
        let p = base.assumingMemoryBound(to: UInt8.self)
        var pathEnd = head.target.lowerBound
        while pathEnd < head.target.upperBound && p[pathEnd] != 0x3F { pathEnd += 1 }
        let length = pathEnd - head.target.lowerBound
        if length == 1 && p[head.target.lowerBound] == 0x2F { return .work }
        if length == 7 && memcmp(p + head.target.lowerBound, "/health", 7) == 0 { return .health }
        return .other
    }

    /// Serves one well-formed request and appends its response.
    private func answer(_ head: HTTPRequestHead, route: ServedRequestRecord.Route, firstRead: UInt64, ordinal: UInt32,
                        connection: ConnectionTuple, records: RecordBuffer?, into output: inout PendingOutput) -> ServedRequestRecord {
        let entry = MonotonicClock.now()
        let requestID = runtime.newRequestID()
        let responses = runtime.responses
        let allowed = head.method == .get || (route == .work && head.method == .post)
        var status: UInt16 = 200
        switch route {
        case _ where !allowed && route != .other:
            status = 405
            output += CannedResponses.status(405, reason: "use GET (or POST on /)", close: !head.keepAlive, keepAlive10: !head.isHTTP11)
        case .work:
            switch runtime.serve(requestID: requestID, records: records) {
            case .ok:
                output += !head.keepAlive ? responses.okClose : (head.isHTTP11 ? responses.okKeepAlive : responses.okKeepAlive10)
                output.appendBody(responses.body)
            case .injected(let injected):
                status = injected
                output += CannedResponses.status(Int(injected), reason: "injected by the spec's errors", close: !head.keepAlive, keepAlive10: !head.isHTTP11)
            case .callFailed(let failure):
                status = 502
                output += CannedResponses.status(502, reason: "downstream call failed: \(failure)", close: !head.keepAlive, keepAlive10: !head.isHTTP11)
            }
        case .health:
            output += head.keepAlive ? responses.health : responses.healthClose
        case .other:
            status = 404
            output += CannedResponses.status(404, reason: "unknown path; this service serves / and /health", close: !head.keepAlive, keepAlive10: !head.isHTTP11)
        }
        return ServedRequestRecord(requestID: requestID, connection: connection, ordinal: ordinal, route: route,
                                   method: head.method, status: status,
                                   firstReadNs: firstRead, handlerEntryNs: entry, handlerExitNs: MonotonicClock.now(), responseWrittenNs: 0)
    }

    /// Answers input that cannot be served; the caller closes the connection after it.
    private func reject(_ status: Int, reason: String, firstRead: UInt64, ordinal: UInt32,
                        connection: ConnectionTuple, into output: inout PendingOutput) -> ServedRequestRecord {
        let entry = MonotonicClock.now()
        output += CannedResponses.status(status, reason: reason, close: true)
        return ServedRequestRecord(requestID: runtime.newRequestID(), connection: connection, ordinal: ordinal, route: .other,
                                   status: UInt16(status), firstReadNs: firstRead, handlerEntryNs: entry,
                                   handlerExitNs: MonotonicClock.now(), responseWrittenNs: 0)
    }
}
