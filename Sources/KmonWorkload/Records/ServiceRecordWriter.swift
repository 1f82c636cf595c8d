import Foundation
import Glibc
import KmonSystem

/// Writes a service's records without making requests wait on disk or on each other: every
/// connection thread appends to its own `RecordBuffer` (a lock only it and the flusher take),
/// and a background thread drains all buffers to the file every 50 ms. `close()` drains what is
/// left; call it on exit.
public final class ServiceRecordWriter: @unchecked Sendable {
    public let path: String
    private let fd: Int32
    private let registry = NSLock()
    private var buffers: [ObjectIdentifier: RecordBuffer] = [:]
    private var closed = false
    /// For records appended outside a connection (tests, tools).
    private var shared: RecordBuffer!
    /// Records that could not be written (a full disk, an I/O error), and the first failure.
    /// A record is written whole or counted here: the file never silently misses one.
    public private(set) var lostRecords: UInt64 = 0
    public private(set) var firstWriteError: SystemCallError?
    /// Bytes in the file: the header and every record written whole.
    private var fileSize = 0

    public init(path: String, service: String, pid: Int32 = getpid()) throws {
        self.path = path
        fd = try OutputFile.open(path)
        try write(RecordLayout.encodeHeader(service: service, pid: pid))
        let thread = Thread { [weak self] in
            while let self, self.flush() {
                usleep(50_000)
            }
        }
        thread.name = "records"
        thread.start()
        shared = makeBuffer()
    }

    /// A buffer for one connection thread; give it back with `retire` when the connection ends.
    public func makeBuffer() -> RecordBuffer {
        let buffer = RecordBuffer()
        registry.withLock { buffers[ObjectIdentifier(buffer)] = buffer }
        return buffer
    }

    /// Drains the buffer one last time and forgets it.
    public func retire(_ buffer: RecordBuffer) {
        registry.withLock {
            buffers[ObjectIdentifier(buffer)] = nil
            if !closed { writeCounting(buffer.take()) }
        }
    }

    public func append(_ record: ServedRequestRecord) { shared.append(record) }
    public func append(_ record: DownstreamCallRecord) { shared.append(record) }

    /// Writes every buffer's records. Returns false once closed.
    @discardableResult
    public func flush() -> Bool {
        registry.withLock {
            guard !closed else { return false }
            for buffer in buffers.values {
                writeCounting(buffer.take())
            }
            return true
        }
    }

    /// Writes the rest and closes the file. Idempotent.
    public func close() {
        flush()
        registry.withLock {
            guard !closed else { return }
            closed = true
            _ = Glibc.close(fd)
        }
    }

    /// Loss counts, read by the service at exit (`lostRecords` is written under `registry`).
    public func losses() -> (records: UInt64, error: SystemCallError?) {
        registry.withLock { (lostRecords, firstWriteError) }
    }

    /// Writes whole records. When a write fails (a full disk stays full, so no retry), the
    /// file is cut back to its last whole record, so that later records still line up, and
    /// every record not written whole is counted.
    private func writeCounting(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        var done = 0
        do { try write(bytes, done: &done) } catch {
            firstWriteError = firstWriteError ?? (error as? SystemCallError)
            let whole = done / RecordLayout.recordSize * RecordLayout.recordSize
            fileSize += whole
            if ftruncate(fd, off_t(fileSize)) != 0 || lseek(fd, off_t(fileSize), SEEK_SET) < 0 {
                firstWriteError = firstWriteError ?? SystemCallError("ftruncate(\(path))")
            }
            lostRecords += UInt64((bytes.count - whole) / RecordLayout.recordSize)
            return
        }
        fileSize += bytes.count
    }

    private func write(_ bytes: [UInt8]) throws {
        var done = 0
        try write(bytes, done: &done)
        fileSize += bytes.count
    }

    private func write(_ bytes: [UInt8], done offset: inout Int) throws {
        try bytes.withUnsafeBytes { raw in
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw SystemCallError("write(\(path))", errno: n == 0 ? ENOSPC : errno) }
                offset += n
            }
        }
    }
}

/// Records of one connection thread, waiting for the writer.
public final class RecordBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8] = []

    init() {
        bytes.reserveCapacity(64 << 10)
    }

    @inline(__always)
    public func append(_ record: ServedRequestRecord) {
        withUnsafeTemporaryAllocation(byteCount: RecordLayout.recordSize, alignment: 8) { raw in
            RecordLayout.encode(record, into: raw.baseAddress!)
            lock.withLock { bytes.append(contentsOf: raw) }
        }
    }

    @inline(__always)
    public func append(_ record: DownstreamCallRecord) {
        withUnsafeTemporaryAllocation(byteCount: RecordLayout.recordSize, alignment: 8) { raw in
            RecordLayout.encode(record, into: raw.baseAddress!)
            lock.withLock { bytes.append(contentsOf: raw) }
        }
    }

    /// Everything appended so far; the buffer keeps a fresh allocation of the same size.
    func take() -> [UInt8] {
        lock.withLock {
            guard !bytes.isEmpty else { return [] }
            var taken: [UInt8] = []
            taken.reserveCapacity(bytes.capacity)
            swap(&taken, &bytes)
            return taken
        }
    }
}
