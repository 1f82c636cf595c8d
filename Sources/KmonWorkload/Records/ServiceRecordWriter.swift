import Foundation
import Glibc
import Synchronization

/// Appends records to memory under a short lock and leaves the file writes to a background
/// thread, so a request never waits on disk. `close()` writes what is left; call it on exit.
public final class ServiceRecordWriter: @unchecked Sendable {
    private let fd: Int32
    private let pending = Mutex<[UInt8]>([])
    private let fileLock = NSLock()
    private let stopped = Atomic<Bool>(false)
    private var closed = false
    public let path: String

    public init(path: String, service: String, pid: Int32 = getpid()) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SystemCallError("open(\(path))") }
        try Self.write(fd, RecordLayout.encodeHeader(service: service, pid: pid), path: path)
        pending.withLock { $0.reserveCapacity(1 << 20) }
        let thread = Thread { [weak self] in
            while let self, !self.stopped.load(ordering: .relaxed) {
                usleep(50_000)
                self.flush()
            }
        }
        thread.name = "records"
        thread.start()
    }

    @inline(__always)
    public func append(_ record: ServedRequestRecord) {
        withUnsafeTemporaryAllocation(byteCount: RecordLayout.recordSize, alignment: 8) { raw in
            RecordLayout.encode(record, into: raw.baseAddress!)
            pending.withLock { $0.append(contentsOf: raw) }
        }
    }

    @inline(__always)
    public func append(_ record: DownstreamCallRecord) {
        withUnsafeTemporaryAllocation(byteCount: RecordLayout.recordSize, alignment: 8) { raw in
            RecordLayout.encode(record, into: raw.baseAddress!)
            pending.withLock { $0.append(contentsOf: raw) }
        }
    }

    /// Writes everything appended so far.
    public func flush() {
        fileLock.lock()
        defer { fileLock.unlock() }
        guard !closed else { return }
        let batch = pending.withLock { buffer -> [UInt8] in
            var taken: [UInt8] = []
            taken.reserveCapacity(Swift.max(buffer.capacity, 1 << 20))
            swap(&taken, &buffer)
            return taken
        }
        guard !batch.isEmpty else { return }
        try? Self.write(fd, batch, path: path)
    }

    private static func write(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw SystemCallError("write(\(path))") }
                offset += n
            }
        }
    }

    /// Stops the background writer, writes the rest and closes the file. Idempotent.
    public func close() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        flush()
        fileLock.withLock {
            closed = true
            _ = Glibc.close(fd)
        }
    }
}
