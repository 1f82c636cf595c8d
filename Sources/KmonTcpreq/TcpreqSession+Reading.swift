import BPF
import CKmonEvents
import Foundation
import Glibc
import KmonBPFObjects
import KmonSupport
import KmonSystem
import Logging

/// Reading: the ring-buffer consumer, record decoding into spans, and closing what is in flight.
extension TcpreqSession {
    func startConsumer() throws {
        guard hasWork, configuration.mode != .histogram else { return }
        let ring = try RingBufferConsumer(map: try object.map("events")) { [unowned self] bytes in
            self.handle(bytes)
        }
        self.ring = ring
        let interval = configuration.pollIntervalMilliseconds
        guard let flusher else {
            ring.start(name: "kmon-tcpreq", pollMilliseconds: interval, onError: { [unowned self] error in
                self.consumerStopped(error)
            })
            return
        }
        var pacing = PollPacing(busyMilliseconds: interval,
                                quietMilliseconds: Int32(Self.batchFlushPeriodNanoseconds / 1_000_000),
                                ringBytes: configuration.ringBufferBytes)
        var lastFlush = MonotonicClock.now()
        ring.start(name: "kmon-tcpreq", pollMilliseconds: interval, afterPoll: { [logger, unowned ring] in
            guard MonotonicClock.now() - lastFlush >= Self.batchFlushPeriodNanoseconds else { return }
            lastFlush = MonotonicClock.now()
            // Worked at start; a failure now delays spans to the stop, where it is reported.
            do { try flusher.flushStalled() } catch { logger.warning("\(error)") }
            // What the flush sent is read now, not a round later.
            try ring.drain()
        }, nextPollMilliseconds: { [unowned ring] in
            pacing.next(drained: ring.takeHandledBytes())
        }, onError: { [unowned self] error in
            self.consumerStopped(error)
        })
    }

    /// The consumer thread ended on `error` (EINTR is retried below it, in `poll`): nothing
    /// reads the ring any more. Kept, so the next snapshot and `stop()` fail with it instead of
    /// the session running on silently with no data.
    func consumerStopped(_ error: Error) {
        logger.error("tcpreq ring buffer: \(error)")
        lock.withLock { if consumerFailure == nil { consumerFailure = TcpreqError.consumerStopped(error) } }
    }

    /// Why the ring-buffer consumer stopped before `stop()`, if it did.
    public var consumerError: TcpreqError? { lock.withLock { consumerFailure } }

    /// Runs on the consumer thread only, once per record: decodes into `decoded`, reused, so a
    /// record costs no allocation; attributes, filters, counts and delivers its spans.
    func handle(_ bytes: UnsafeRawBufferPointer) {
        decoded.removeAll(keepingCapacity: true)
        let event: TcpreqEvent?
        do {
            event = try TcpreqRecord.decode(bytes, appendingSpansTo: &decoded, names: &commNames)
        } catch {
            lock.withLock { decodeErrors += 1 }
            return
        }
        if var event {
            if event.tgid == 0, let owner = owners?.owner(of: event.tuple, role: event.role ?? .client) { event.tgid = owner }
            if let span = assembler.consume(event) { decoded.append(span) }
        } else if owners != nil {
            for index in decoded.indices { decoded[index] = attributed(decoded[index]) }
        }
        if configuration.variant.runsWithoutTask, !wantedPIDs.isEmpty { decoded.removeAll { !wantedPIDs.contains($0.tgid) } }
        deliver(decoded, records: 1)
    }

    /// `--pid`, for probes that cannot see the task.
    func filtered(_ spans: [Span]) -> [Span] {
        guard configuration.variant.runsWithoutTask, !wantedPIDs.isEmpty else { return spans }
        return spans.filter { wantedPIDs.contains($0.tgid) }
    }

    /// Names the owner of a span recorded without a task (skb).
    func attributed(_ span: Span) -> Span {
        guard span.tgid == 0, let owner = owners?.owner(of: span.tuple, role: span.role) else { return span }
        var named = span
        named.tgid = owner
        named.comm = processNames.name(of: owner)
        return named
    }

    /// Counts `records` read and the spans they finished, keeps the spans for `takeSpans` where
    /// asked, and hands each to `spanHandler`.
    func deliver(_ finished: [Span], records: UInt64 = 0) {
        lock.withLock {
            recordCount += records
            spanCount += UInt64(finished.count)
            partialSpanCount += UInt64(finished.count { $0.partial })
            if configuration.keepSpans { spans.append(contentsOf: finished) }
        }
        finished.forEach { spanHandler?($0) }
    }

    /// Closes the responses still in flight (kernel and histogram modes), as a connection
    /// close would: keep-alive connections idle at the end would otherwise keep their last span.
    /// Runs after the hooks are detached, so nothing in the kernel moves meanwhile; returns the
    /// spans, to deliver last.
    func flushInFlight() throws -> [Span] {
        guard hasWork else { return [] }
        switch stopFlush {
        case .none:
            return []
        case .states(let map):
            return filtered(try InFlightSpans.read(try object.map(map)).map(attributed))
        case .index:
            return filtered(try InFlightSpans.readIndex(try object.map("inflight")).map(attributed))
        }
    }

    /// What sends stalled batches, in kernel mode only; nil where the flusher did not load.
    func makeFlusher() -> BatchFlusher? {
        guard hasWork, configuration.mode == .kernel,
              let program = object.programs.first(where: { $0.name == "tcpreq_flush_batch" && $0.fd >= 0 }) else { return nil }
        let slots = (try? object.map("pending_spans")).flatMap { $0.fd >= 0 ? $0 : nil }
        return BatchFlusher(program: program, slots: slots)
    }
}
