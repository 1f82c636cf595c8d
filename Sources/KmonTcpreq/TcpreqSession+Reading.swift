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
        let batchFlusher = batchFlusher
        var lastFlush = MonotonicClock.now()
        ring.start(name: "kmon-tcpreq", pollMilliseconds: interval, afterPoll: { [logger] in
            if let batchFlusher, MonotonicClock.now() - lastFlush >= Self.batchFlushPeriodNanoseconds {
                lastFlush = MonotonicClock.now()
                // Worked at start; a failure now delays spans to the stop, where it is reported.
                do { try Self.flushBatches(batchFlusher, force: false) } catch { logger.warning("\(error)") }
            }
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

    /// Runs on the consumer thread only.
    func handle(_ bytes: UnsafeRawBufferPointer) {
        let finished: [Span]
        do {
            finished = try spans(in: TcpreqRecord.decode(bytes))
        } catch {
            lock.withLock { decodeErrors += 1 }
            return
        }
        lock.withLock { recordCount += 1 }
        deliver(finished)
    }

    /// The spans a record finishes: its own (kernel mode), or what the assembler completes with
    /// it (user mode); attributed, and filtered by --pid where the kernel could not.
    func spans(in record: TcpreqRecord) -> [Span] {
        if case .event(var event) = record {
            if event.tgid == 0, let owner = owners?.owner(of: event.tuple, role: event.role ?? .client) { event.tgid = owner }
            return filtered(assembler.consume(event).map { [$0] } ?? [])
        }
        return filtered(record.spans.map(attributed))
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

    func deliver(_ finished: [Span]) {
        lock.withLock {
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

    /// Kernel mode: sends each CPU's batch of spans that stopped filling (every batch when
    /// `force`), by running `tcpreq_flush_batch` on every online CPU. A forced flush waits out
    /// a hook still finishing on that CPU (the program answers 1 while the slot is in use).
    static func flushBatches(_ flusher: BPFProgram, force: Bool) throws {
        for cpu in try OnlineCPUs.current() {
            var busy = try flusher.run(onCPU: cpu, arguments: [force ? 1 : 0]) != 0
            for _ in 0..<100 where force && busy {
                usleep(1_000)
                busy = try flusher.run(onCPU: cpu, arguments: [1]) != 0
            }
            if busy && force { throw TcpreqError.kernel("the span batch on CPU \(cpu) stayed in use for 100 ms after the hooks were detached") }
        }
    }

    /// The program that sends stalled batches, in kernel mode only.
    var batchFlusher: BPFProgram? {
        guard hasWork, configuration.mode == .kernel else { return nil }
        return object.programs.first { $0.name == "tcpreq_flush_batch" && $0.fd >= 0 }
    }
}
