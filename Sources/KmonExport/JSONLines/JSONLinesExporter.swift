import Foundation
import Glibc
import KmonContainers
import KmonSupport
import KmonSystem
import Logging

/// One JSON object per line: a `span` line for every completed request and a `period` line at
/// the end of every export period. The schema is in docs/exporters.md; keys keep
/// a fixed order. Spans are queued as values and encoded on the writer thread, so the probe path
/// only appends to a bounded queue; when the reader (a pipe, a slow disk) falls behind, lines are
/// dropped and counted.
public final class JSONLinesExporter: ExportSink, @unchecked Sendable {
    public static let schemaVersion = 1

    enum Record {
        case span(ExportedSpan, wallOffset: Int64)
        case period(ExportSnapshot)
    }

    public let name = "jsonl"
    public let path: String
    private let fd: Int32
    private let ownsFD: Bool
    private let queue: BoundedQueue<Record>
    private let logger: Logger
    private let finished = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var closed = false
    private var failed = false
    /// CLOCK_REALTIME − CLOCK_MONOTONIC, sampled once a period so span lines carry wall time.
    private var wallOffset: Int64

    /// Writes to `path`, appending, or to standard output for `-`.
    public init(path: String, bufferCapacity: Int = 100_000, logger: Logger) throws {
        if path == "-" {
            fd = STDOUT_FILENO
            ownsFD = false
            // A closed pipe (`kmon monitor --jsonl - | head`) must end this exporter, not the monitor.
            signal(SIGPIPE, SIG_IGN)
        } else {
            do { fd = try OutputFile.open(path, appending: true) } catch let error as OutputFileError {
                throw ExportError("--jsonl", error)
            }
            ownsFD = true
        }
        self.path = path
        queue = BoundedQueue(capacity: bufferCapacity)
        self.logger = logger
        wallOffset = Self.currentWallOffset()
        let thread = Thread { [self] in writeLoop() }
        thread.name = "kmon-jsonl"
        thread.start()
    }

    deinit {
        assert(closed, "JSONLinesExporter for \(path) was not closed")
    }

    public func record(_ span: ExportedSpan) {
        queue.append(.span(span, wallOffset: lock.withLock { wallOffset }))
    }

    public func publish(_ snapshot: ExportSnapshot) {
        lock.withLock { wallOffset = Self.currentWallOffset() }
        queue.append(.period(snapshot))
    }

    public func stats() -> SinkStats? {
        SinkStats(sink: name, buffered: queue.bufferedCount, delivered: queue.deliveredCount, dropped: queue.droppedCount)
    }

    public func close(timeout: Double) {
        let first = lock.withLock {
            defer { closed = true }
            return !closed
        }
        guard first else { return }
        queue.close()
        // A reader that stopped reading (a paused pipe) must not hold the monitor's exit forever;
        // the writer thread is then left blocked, and its descriptor open, until the process ends.
        guard finished.wait(timeout: .now() + max(timeout, 0.5)) == .success else {
            logger.warning("JSON lines output did not drain in time", metadata: ["path": "\(path)", "buffered": "\(queue.bufferedCount)"])
            return
        }
        if ownsFD { Glibc.close(fd) }
    }

    /// A containerized span's owner: runtime, id, and the names the runtime's state gave.
    static func containerFields(_ container: ContainerInfo?) -> [(String, String)] {
        guard let container else { return [] }
        let named: [(String, String?)] = [("container", container.name), ("pod", container.pod), ("namespace", container.namespace),
                                          ("pod_uid", container.podUID)]
        return [("runtime", JSONText.string(container.runtime.rawValue)), ("container_id", JSONText.string(container.id))]
            + named.compactMap { key, value in value.map { (key, JSONText.string($0)) } }
    }

    static func line(_ record: Record) -> String {
        switch record {
        case .span(let span, let offset):
            return JSONText.object([
                ("type", JSONText.string("span")),
                ("time_unix_ns", String(Int64(bitPattern: span.startNanoseconds) &+ offset)),
                ("service", JSONText.string(span.service)),
                ("peer", span.peerName.map(JSONText.string) ?? "null"),
                ("peer_address", JSONText.string(span.peerAddress)),
                ("side", JSONText.string(span.side.rawValue)),
                ("start_monotonic_ns", String(span.startNanoseconds)),
                ("duration_ns", String(span.durationNanoseconds)),
                ("pid", String(span.pid)),
                ("ordinal", String(span.ordinal)),
                ("partial", span.partial ? "true" : "false"),
                ("method", JSONText.string(span.http.method.name)),
                ("status", String(span.http.status)),
            ] + containerFields(span.container))
        case .period(let snapshot):
            return JSONText.object([
                ("type", JSONText.string("period")),
                ("schema", String(schemaVersion)),
                ("time_unix_ns", String(snapshot.wallNanoseconds)),
                ("lost", JSONText.object(snapshot.lostEvents.sorted { $0.key < $1.key }.map { ($0.key, String($0.value)) })),
                ("programs", JSONText.array(snapshot.programs.map {
                    JSONText.object([("program", JSONText.string($0.name)), ("runs", String($0.runCount)),
                                     ("run_time_ns", String($0.runTimeNanoseconds))])
                })),
                ("samples", JSONText.array(snapshot.samples.map {
                    JSONText.object([("name", JSONText.string($0.name)), ("kind", JSONText.string($0.kind.rawValue)),
                                     ("labels", JSONText.object($0.labels.sorted { $0.key < $1.key }.map { ($0.key, JSONText.string($0.value)) })),
                                     ("value", JSONText.number($0.value))])
                })),
                ("sinks", JSONText.array(snapshot.sinks.map {
                    JSONText.object([("sink", JSONText.string($0.sink)), ("buffered", String($0.buffered)),
                                     ("delivered", String($0.delivered)), ("dropped", String($0.dropped)),
                                     ("rejected", String($0.rejected)), ("failed_attempts", String($0.failedAttempts))])
                })),
            ])
        }
    }

    private static func currentWallOffset() -> Int64 {
        Int64(bitPattern: WallClock.nowNanoseconds()) &- Int64(bitPattern: MonotonicClock.now())
    }

    private func writeLoop() {
        defer { finished.signal() }
        while true {
            let batch = queue.peek(max: 1024, waitingUpTo: 0.2)
            if batch.isEmpty {
                if lock.withLock({ closed }) { return }
                continue
            }
            var text = ""
            for record in batch { text += Self.line(record) + "\n" }
            if lock.withLock({ failed }) {
                queue.removeFirst(batch.count, as: .dropped)
                continue
            }
            do {
                try write(Array(text.utf8))
                queue.removeFirst(batch.count)
            } catch {
                lock.withLock { failed = true }
                logger.error("JSON lines output failed; further lines are discarded", metadata: ["path": "\(path)", "error": "\(error)"])
                queue.removeFirst(batch.count, as: .dropped)
            }
        }
    }

    private func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n: Int
            do {
                n = try SystemCall.retrying("write(\(path))") { bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) } }
            } catch let error as SystemCallError {
                throw ExportError("writing JSON lines", error)
            }
            offset += n
        }
    }
}
