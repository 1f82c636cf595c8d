import BPF
import CKmonEvents
import KmonSystem

/// A record read from the tcpreq ring buffer: a raw event (user mode), or one span or a batch of
/// spans closed on one CPU (kernel mode).
public enum TcpreqRecord: Hashable, Sendable {
    case event(TcpreqEvent)
    case span(Span)
    case batch([Span])

    private static let records = EventDecoder(ring: "tcpreq")

    /// The spans this record carries, in the order the kernel closed them.
    public var spans: [Span] {
        switch self {
        case .event: return []
        case .span(let span): return [span]
        case .batch(let spans): return spans
        }
    }

    /// Decodes one ring record. The first 4 bytes say which layout follows (bpf/include/tcpreq.h).
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws -> TcpreqRecord {
        var spans: [Span] = [], names = CommNames()
        if let event = try decode(bytes, appendingSpansTo: &spans, names: &names) { return .event(event) }
        return Int32(bytes.loadUnaligned(as: UInt32.self)) == TCPREQ_REC_SPAN ? .span(spans[0]) : .batch(spans)
    }

    /// Decodes one ring record as `decode(_:)` does, without a record or array of its own (the
    /// consumer's path, once per record): an event record returns its event; a span or batch
    /// record appends its spans to `spans`, in order, and returns nil. A record that throws
    /// appends nothing.
    public static func decode(_ bytes: UnsafeRawBufferPointer, appendingSpansTo spans: inout [Span],
                              names: inout CommNames) throws -> TcpreqEvent? {
        let kind = try records.load(bytes, as: UInt32.self, "a")
        switch Int32(kind) {
        case TCPREQ_REC_EVENT:
            let raw = try records.load(bytes, as: tcpreq_event.self, "event")
            guard let eventKind = TcpreqEvent.Kind(rawValue: raw.kind) else {
                throw records.failure("event kind \(raw.kind) is unknown")
            }
            return TcpreqEvent(kind: eventKind, timestampNanoseconds: raw.timestamp_ns, cookie: raw.cookie,
                               tgid: Int32(bitPattern: raw.tgid), tid: Int32(bitPattern: raw.tid), bytes: raw.bytes,
                               role: role(UInt32(raw.role)), tuple: ConnectionTuple(raw.tuple),
                               midway: raw.flags & UInt16(TCPREQ_EV_MIDWAY) != 0, http: http(raw.method, raw.status))
        case TCPREQ_REC_SPAN:
            spans.append(try span(try records.load(bytes, as: tcpreq_span.self, "span"), names: &names))
            return nil
        case TCPREQ_REC_BATCH:
            try batch(bytes, appendingTo: &spans, names: &names)
            return nil
        default:
            throw records.failure("record kind \(kind) is unknown")
        }
    }

    private static func span(_ raw: tcpreq_span, names: inout CommNames) throws -> Span {
        guard Int32(raw.record) == TCPREQ_REC_SPAN, let spanRole = role(UInt32(raw.role)) else {
            throw records.failure("span of kind \(raw.record) with role \(raw.role), not a server or client span")
        }
        return Span(role: spanRole, tuple: ConnectionTuple(raw.tuple), ordinal: raw.ordinal,
                    startNanoseconds: raw.start_ns, endNanoseconds: raw.end_ns,
                    requestBytes: UInt64(raw.request_bytes), responseBytes: UInt64(raw.response_bytes),
                    tgid: Int32(bitPattern: raw.tgid), comm: names.name(raw.comm), cookie: raw.cookie,
                    partial: raw.flags & UInt16(TCPREQ_SPAN_PARTIAL) != 0, http: http(raw.method, raw.status))
    }

    /// A kernel method code and status as an exchange. A code no build knows (a newer object's)
    /// reads as not HTTP: bytes were read, and this build cannot name them.
    static func http(_ method: UInt8, _ status: UInt16) -> HTTPExchange {
        HTTPExchange(method: HTTPMethod(rawValue: method) ?? .notHTTP, status: status)
    }

    /// A `tcpreq_batch`: a count, then that many spans (the ring record ends after them).
    private static func batch(_ bytes: UnsafeRawBufferPointer, appendingTo spans: inout [Span], names: inout CommNames) throws {
        let header = MemoryLayout<tcpreq_batch>.offset(of: \tcpreq_batch.spans)!
        let count = Int(try records.load(bytes, as: UInt32.self, at: MemoryLayout<tcpreq_batch>.offset(of: \tcpreq_batch.count)!, "batch"))
        let stride = MemoryLayout<tcpreq_span>.size
        guard count <= Int(TCPREQ_BATCH_SPANS), bytes.count >= header + count * stride else {
            throw records.failure("batch of \(count) spans in \(bytes.count) bytes")
        }
        let before = spans.count
        spans.reserveCapacity(before + count)
        do {
            for index in 0..<count {
                spans.append(try span(try records.load(bytes, as: tcpreq_span.self, at: header + index * stride, "span"), names: &names))
            }
        } catch {
            spans.removeSubrange(before...)
            throw error
        }
    }

    static func role(_ raw: UInt32) -> SpanRole? {
        switch Int32(raw) {
        case TCPREQ_ROLE_SERVER: return .server
        case TCPREQ_ROLE_CLIENT: return .client
        default: return nil
        }
    }
}
