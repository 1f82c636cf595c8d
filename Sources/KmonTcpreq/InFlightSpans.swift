import BPF
import CKmonEvents
import KmonSystem

/// Responses still in flight at stop, read by user space from a map of `tcpreq_conn` states:
/// the state hash of syscall and kprobe, or the in-flight index of sock, fentry and skb
/// (bpf/tcpreq_inflight.bpf.h). Run after the hooks are detached.
enum InFlightSpans {
    /// The span each watched connection with a response in flight would close with now.
    static func read(_ map: BPFMap) throws -> [Span] {
        var spans: [Span] = []
        try map.forEachValue(as: tcpreq_conn.self) { state in
            if let span = span(closing: state) { spans.append(span) }
        }
        return spans
    }

    /// The same from the in-flight index: only claimed slots (cookie not 0) count, since a
    /// freed slot keeps the rest of its last span.
    static func readIndex(_ map: BPFMap) throws -> [Span] {
        var spans: [Span] = []
        try map.forEachValue(as: tcpreq_conn.self) { slot in
            if slot.cookie != 0, let span = span(closing: slot) { spans.append(span) }
        }
        return spans
    }

    static func span(closing state: tcpreq_conn) -> Span? {
        guard Int32(state.targeted) == TCPREQ_TARGET_YES, Int32(state.phase) == TCPREQ_PHASE_RESPONSE,
              let role = TcpreqRecord.role(UInt32(state.role)) else { return nil }
        return Span(role: role, tuple: ConnectionTuple(state.tuple), ordinal: state.ordinal,
                    startNanoseconds: state.start_ns, endNanoseconds: state.last_ns,
                    requestBytes: UInt64(state.request_bytes), responseBytes: UInt64(state.response_bytes),
                    tgid: Int32(bitPattern: state.tgid), comm: String(cCharArray: state.comm), cookie: state.cookie,
                    partial: state.seen_handshake == 0 && state.ordinal == 0, // as the kernel's span_partial
                    http: TcpreqRecord.http(state.method, state.status))
    }
}
