import CLibbpf
import Foundation
import Glibc
import Synchronization

/// Drains a `BPF_MAP_TYPE_RINGBUF` map and hands each record to `handler`, which runs on the
/// polling thread and must not keep the buffer: it points into the ring and is released when
/// the handler returns. `start` runs that thread (tcpreq's and tcpdrop's); `poll` and `drain`
/// serve callers that read on their own thread.
public final class RingBufferConsumer {
    public typealias Handler = (UnsafeRawBufferPointer) -> Void

    private final class Box {
        let handler: Handler
        /// Bytes of the records handled since `takeHandledBytes()` last ran; consumer thread only.
        var handledBytes = 0
        init(_ handler: @escaping Handler) { self.handler = handler }
    }

    private let ring: OpaquePointer
    private let box: Unmanaged<Box>
    private let stopRequested = Atomic<Bool>(false)
    private var thread: Thread?
    private let finished = DispatchSemaphore(value: 0)
    public let map: BPFMap

    public init(map: BPFMap, handler: @escaping Handler) throws {
        self.map = map
        box = Unmanaged.passRetained(Box(handler))
        let sample: ring_buffer_sample_fn = { context, data, size in
            let box = Unmanaged<Box>.fromOpaque(context!).takeUnretainedValue()
            box.handledBytes &+= size
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

    /// The epoll descriptor `poll` waits on (libbpf's), for a caller's own event loop.
    public var epollFD: Int32 { ring_buffer__epoll_fd(ring) }

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

    /// The bytes of the records handed to the handler (headers left out) since the last call.
    /// Call it only where the records are handled: the polling thread once started.
    public func takeHandledBytes() -> Int {
        let box = box.takeUnretainedValue()
        defer { box.handledBytes = 0 }
        return box.handledBytes
    }

    /// Polls on a thread of its own until `stop()`: each round waits up to
    /// `pollMilliseconds` for a wakeup, then drains what is there (records submitted without a
    /// wakeup included) and runs `afterPoll`. `nextPollMilliseconds`, when given, picks each
    /// later round's wait instead. A failure ends the thread and goes to `onError`.
    /// The thread drains once more before it ends.
    public func start(name: String = "kmon-ringbuf", pollMilliseconds: Int32 = 50,
                      afterPoll: (() throws -> Void)? = nil, nextPollMilliseconds: (() -> Int32)? = nil,
                      onError: ((Error) -> Void)? = nil) {
        precondition(thread == nil, "ring buffer consumer already started")
        stopRequested.store(false, ordering: .relaxed)
        let t = Thread { [self] in
            var wait = pollMilliseconds
            while !stopRequested.load(ordering: .acquiring) {
                do {
                    try poll(timeoutMilliseconds: wait)
                    try drain()
                    try afterPoll?()
                    if let nextPollMilliseconds { wait = nextPollMilliseconds() }
                } catch {
                    onError?(error)
                    break
                }
            }
            _ = try? drain()
            finished.signal()
        }
        t.name = name
        thread = t
        t.start()
    }

    /// Stops the polling thread after its last drain, and waits for it.
    public func stop() {
        guard thread != nil else { return }
        stopRequested.store(true, ordering: .releasing)
        finished.wait()
        thread = nil
    }
}
