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
            if !closed { try? write(buffer.take()) }
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
                let bytes = buffer.take()
                if !bytes.isEmpty { try? write(bytes) }
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

    private func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try OutputFile.writeAll(fd, $0, path: path) }
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
