import CLibbpf
import Foundation
import Glibc

/// Drains a `BPF_MAP_TYPE_RINGBUF` map and hands each record to `handler`, which runs on the
/// polling thread and must not keep the buffer: it points into the ring and is released when
/// the handler returns.
public final class RingBufferConsumer {
    public typealias Handler = (UnsafeRawBufferPointer) -> Void

    private final class Box {
        let handler: Handler
        init(_ handler: @escaping Handler) { self.handler = handler }
    }

    private let ring: OpaquePointer
    private let box: Unmanaged<Box>
    private let stopRequested = ManagedAtomicFlag()
    private var thread: Thread?
    private let finished = DispatchSemaphore(value: 0)
    public let map: BPFMap

    public init(map: BPFMap, handler: @escaping Handler) throws {
        self.map = map
        box = Unmanaged.passRetained(Box(handler))
        let sample: ring_buffer_sample_fn = { context, data, size in
            let box = Unmanaged<Box>.fromOpaque(context!).takeUnretainedValue()
            box.handler(UnsafeRawBufferPointer(start: data, count: size))
            return 0
        }
        guard let r = ring_buffer__new(map.fd, sample, box.toOpaque(), nil) else {
            let err = Glibc.errno
            box.release()
            throw BPFError(call: "ring_buffer__new", errno: err, context: "opening ring buffer \(map.name)")
        }
        ring = r
    }

    deinit {
        stop()
        ring_buffer__free(ring)
        box.release()
    }

    /// Waits up to `timeoutMilliseconds` for records and consumes what is there.
    /// Returns the number of records handled.
    @discardableResult
    public func poll(timeoutMilliseconds: Int32) throws -> Int {
        let n = ring_buffer__poll(ring, timeoutMilliseconds)
        if n == -EINTR { return 0 }
        try BPFError.check(n, "ring_buffer__poll", "reading ring buffer \(map.name)")
        return Int(n)
    }

    /// Consumes whatever is in the ring now, without waiting.
    @discardableResult
    public func drain() throws -> Int {
        let n = ring_buffer__consume(ring)
        try BPFError.check(n, "ring_buffer__consume", "draining ring buffer \(map.name)")
        return Int(n)
    }

    /// Polls on a thread of its own until `stop()`.
    public func start(name: String = "kmon-ringbuf") {
        precondition(thread == nil, "ring buffer consumer already started")
        let t = Thread { [self] in
            while !stopRequested.isSet {
                if (try? poll(timeoutMilliseconds: 50)) == nil { break }
            }
            _ = try? drain()
            finished.signal()
        }
        t.name = name
        thread = t
        t.start()
    }

    /// Stops the polling thread after a last drain, and waits for it.
    public func stop() {
        guard thread != nil else { return }
        stopRequested.set()
        finished.wait()
        thread = nil
    }
}

/// A one-way flag shared between threads.
final class ManagedAtomicFlag: @unchecked Sendable {
    private var value = false
    private let lock = NSLock()
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
