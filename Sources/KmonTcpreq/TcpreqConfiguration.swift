/// How to run a tcpreq session.
public struct TcpreqConfiguration: Sendable {
    public var variant: ProbeVariant
    public var mode: SpanMode
    public var filters: TcpreqFilters
    /// Ring buffer size in bytes (a power of two, at least a page). Records never wake the
    /// consumer, so the ring must hold one poll interval of records: 8 MiB holds 80k spans.
    public var ringBufferBytes: Int
    /// How often the consumer drains the ring: user mode always, kernel mode while the ring
    /// fills fast; a kernel-mode ring that fills slowly is drained with each batch flush,
    /// every 100 ms (`PollPacing`).
    public var pollIntervalMilliseconds: Int32
    /// Keep finished spans for `takeSpans()`. Turn off when only `spanHandler` is used.
    public var keepSpans: Bool
    /// The variant's object from elsewhere (the CI gate's base build) instead of this build's.
    public var object: ExternalObject?
    /// Extra loops at the start of every program run (`InjectedCost`); 0 in normal use.
    public var injectLoops: UInt32 = 0
    /// Connections the state hash holds, where the variant keeps its state in one (syscall,
    /// kprobe; skb, sock and fentry where socket storage is refused); nil keeps the object's 65,536.
    /// Past it an LRU map evicts (`lost.evicted`), a plain hash refuses (`lost.storage`).
    public var stateTableEntries: UInt32?
    /// Slots of the in-flight index (sock, fentry, skb in kernel and histogram modes): how many
    /// connections can have a response in flight at once and still be closed at stop. Rounded up
    /// to a power of two; nil keeps 16,384. Past it a span is counted in `lost.unindexed`.
    public var inFlightSlots: UInt32?
    /// Read each request's method and each response's status in the kernel (kernel and user
    /// modes; at most 16 bytes at a span's edges, and only the parsed fields leave the kernel).
    /// Off, no byte of payload is read and spans carry `.unknown` and 0 (`--http off`).
    public var readsHTTP = true

    public init(variant: ProbeVariant = .sock, mode: SpanMode = .kernel, filters: TcpreqFilters = TcpreqFilters(),
                ringBufferBytes: Int = 8 << 20, pollIntervalMilliseconds: Int32 = 20,
                keepSpans: Bool = true) {
        self.variant = variant
        self.mode = mode
        self.filters = filters
        self.ringBufferBytes = ringBufferBytes
        self.pollIntervalMilliseconds = pollIntervalMilliseconds
        self.keepSpans = keepSpans
    }
}
