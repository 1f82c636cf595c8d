import CLibbpf

/// A record read from the tcpreq ring buffer: a raw event (user mode) or a span (kernel mode).
public enum TcpreqRecord: Hashable, Sendable {
    case event(TcpreqEvent)
    case span(Span)

    /// Decodes one ring record. The first 4 bytes say which layout follows (bpf/include/tcpreq.h).
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws -> TcpreqRecord {
        guard bytes.count >= 4 else { throw TcpreqDecodeError(message: "record of \(bytes.count) bytes is too short for its kind") }
        let kind = bytes.loadUnaligned(as: UInt32.self)
        switch Int32(kind) {
        case TCPREQ_REC_EVENT:
            let raw = try load(bytes, as: tcpreq_event.self, "event")
            guard let eventKind = TcpreqEvent.Kind(rawValue: raw.kind) else {
                throw TcpreqDecodeError(message: "event kind \(raw.kind) is unknown")
            }
            return .event(TcpreqEvent(kind: eventKind, timestampNanoseconds: raw.timestamp_ns, cookie: raw.cookie,
                                      tgid: Int32(bitPattern: raw.tgid), tid: Int32(bitPattern: raw.tid), bytes: raw.bytes,
                                      role: role(raw.role), tuple: ConnectionTuple(raw.tuple)))
        case TCPREQ_REC_SPAN:
            let raw = try load(bytes, as: tcpreq_span.self, "span")
            guard let spanRole = role(raw.role) else {
                throw TcpreqDecodeError(message: "span with role \(raw.role), neither server nor client")
            }
            return .span(Span(role: spanRole, tuple: ConnectionTuple(raw.tuple), ordinal: raw.ordinal,
                              startNanoseconds: raw.start_ns, endNanoseconds: raw.end_ns,
                              requestBytes: UInt64(raw.request_bytes), responseBytes: UInt64(raw.response_bytes),
                              tgid: Int32(bitPattern: raw.tgid), comm: commString(raw.comm), cookie: raw.cookie))
        default:
            throw TcpreqDecodeError(message: "record kind \(kind) is unknown")
        }
    }

    static func role(_ raw: UInt32) -> SpanRole? {
        switch Int32(raw) {
        case TCPREQ_ROLE_SERVER: return .server
        case TCPREQ_ROLE_CLIENT: return .client
        default: return nil
        }
    }

    private static func load<T>(_ bytes: UnsafeRawBufferPointer, as type: T.Type, _ what: String) throws -> T {
        guard bytes.count >= MemoryLayout<T>.size else {
            throw TcpreqDecodeError(message: "\(what) record of \(bytes.count) bytes, expected \(MemoryLayout<T>.size)")
        }
        return bytes.loadUnaligned(as: T.self)
    }
}

/// A ring record that does not match the layouts this build knows.
public struct TcpreqDecodeError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public var description: String { "cannot decode tcpreq record: \(message)" }
}

/// A kernel `char[16]` task name as a String.
func commString<T>(_ raw: T) -> String {
    var copy = raw
    return withUnsafeBytes(of: &copy) { bytes in
        let end = bytes.firstIndex(of: 0) ?? bytes.count
        return String(decoding: bytes[..<end], as: UTF8.self)
    }
}
