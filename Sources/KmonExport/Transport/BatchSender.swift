import Foundation
import KmonSupport
import Logging

/// What a sink answered to one batch.
enum SinkOutcome {
    case delivered
    /// The sink refused the items themselves; sending them again cannot succeed.
    case rejected(String)
    case retry(String)
}

/// The pushed sinks' common half: a bounded buffer between the probe path and one sender thread,
/// which takes batches, retries with exponential backoff while the sink is down, and counts
/// every item it drops (buffer full), loses (rejected) or could not send yet (failed attempts).
final class BatchSender<Element>: @unchecked Sendable {
    struct Settings {
        /// "InfluxDB", "ClickHouse": how log lines name the sink.
        var sinkName: String
        /// "points", "spans": what the buffer holds.
        var items: String
        /// `kmon_export`'s `sink` label.
        var statsName: String
        var endpoint: String
        var delivery: SinkDelivery
    }

    let settings: Settings
    let queue: BoundedQueue<Element>
    private let logger: Logger
    private let stopToken = StopToken()
    private let finished = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var draining = false
    private var closed = false
    private var rejected: UInt64 = 0
    private var failedAttempts: UInt64 = 0
    private var droppedReported: UInt64 = 0

    init(settings: Settings, logger: Logger) throws {
        guard settings.delivery.bufferCapacity > 0, settings.delivery.batchSize > 0 else {
            throw ExportError("the \(settings.sinkName) buffer and batch sizes must be positive")
        }
        self.settings = settings
        queue = BoundedQueue(capacity: settings.delivery.bufferCapacity)
        self.logger = logger
    }

    /// Starts the sender thread. `connect` makes the sink's client once; `send` delivers one batch.
    /// Both live only as long as the thread.
    func start<Client>(thread name: String, connect: @escaping () throws -> Client,
                       send: @escaping ([Element], Client) -> SinkOutcome) {
        let thread = Thread { [self] in
            defer { finished.signal() }
            let client: Client
            do { client = try connect() } catch {
                logger.error("\(settings.sinkName) exporter cannot send", metadata: ["error": "\(error)"])
                return
            }
            sendLoop { send($0, client) }
        }
        thread.name = name
        thread.start()
    }

    /// Logs the items dropped since the last call, once per period rather than per item.
    func reportDrops() {
        let dropped = queue.droppedCount
        let newlyDropped = lock.withLock {
            defer { droppedReported = dropped }
            return dropped - droppedReported
        }
        if newlyDropped > 0 {
            logger.warning("\(settings.sinkName) buffer full: \(settings.items) dropped", metadata: [
                "dropped": "\(newlyDropped)", "dropped_total": "\(dropped)", "capacity": "\(queue.capacity)",
                "sink": "\(settings.endpoint)",
            ])
        }
    }

    var stats: SinkStats {
        lock.withLock {
            SinkStats(sink: settings.statsName, buffered: queue.bufferedCount, delivered: queue.deliveredCount,
                      dropped: queue.droppedCount, rejected: rejected, failedAttempts: failedAttempts)
        }
    }

    var isClosed: Bool { lock.withLock { closed } }

    /// Sends what is buffered for up to `timeout` seconds, then stops; what is left is reported
    /// as still buffered.
    func close(timeout: Double) {
        let first = lock.withLock {
            defer { closed = true; draining = true }
            return !closed
        }
        guard first else { return }
        queue.close()
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            stopToken.stop(reason: "closing")
            finished.wait()
        }
    }

    private func sendLoop(_ send: ([Element]) -> SinkOutcome) {
        var backoff = settings.delivery.initialBackoff
        var outageStart: UInt64?
        var lastSend = Date()
        while !stopToken.isStopped {
            if let interval = settings.delivery.flushInterval {
                queue.wait(forCount: settings.delivery.batchSize, until: lastSend.addingTimeInterval(interval))
            }
            let batch = queue.peek(max: settings.delivery.batchSize, waitingUpTo: 0.2)
            if batch.isEmpty {
                if lock.withLock({ draining }) { return }
                continue
            }
            lastSend = Date()
            switch send(batch) {
            case .delivered:
                queue.removeFirst(batch.count)
                backoff = settings.delivery.initialBackoff
                if let start = outageStart {
                    logger.warning("\(settings.sinkName) reachable again; sending the buffered \(settings.items)", metadata: [
                        "outage_seconds": "\(Double(MonotonicClock.now() - start) / 1e9)", "buffered": "\(queue.bufferedCount)"])
                    outageStart = nil
                }
            case .rejected(let reason):
                queue.removeFirst(batch.count, as: .uncounted)
                lock.withLock { rejected += UInt64(batch.count) }
                logger.error("\(settings.sinkName) rejected a batch; its \(settings.items) are dropped",
                             metadata: ["\(settings.items)": "\(batch.count)", "reason": "\(reason)"])
            case .retry(let reason):
                lock.withLock { failedAttempts += 1 }
                if outageStart == nil {
                    outageStart = MonotonicClock.now()
                    logger.warning("\(settings.sinkName) unavailable; buffering \(settings.items) and retrying", metadata: [
                        "reason": "\(reason)", "buffered": "\(queue.bufferedCount)", "capacity": "\(queue.capacity)"])
                }
                if stopToken.wait(seconds: backoff) { return }
                backoff = min(backoff * 2, settings.delivery.maxBackoff)
                // Retry at once after the backoff, not a flush interval later.
                lastSend = .distantPast
            }
        }
    }
}
