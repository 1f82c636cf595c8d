import KmonSystem
/// Builds spans from raw events (user mode) with the same rule the kernel's state machine uses
/// (bpf/tcpreq.bpf.h), so both modes report the same spans for the same traffic:
///
/// - a request direction: server sockets read requests, client sockets send them;
/// - a span opens at the first request byte, collects the response, and closes at the next
///   request byte or when the connection closes; its end is the last response byte's time;
/// - a response with no request before it is not a span;
/// - on a connection whose handshake the kernel did not see (`midway`), the first span is partial;
/// - its method is the one the kernel read from the event that opened it, its status the one read
///   from its first response event.
public struct SpanAssembler {
    private enum Phase { case idle, request, response }

    private struct Connection {
        var role: SpanRole
        var tuple: ConnectionTuple
        var tgid: Int32
        var comm: String
        var midway: Bool
        var phase = Phase.idle
        var ordinal: UInt32 = 0
        var start: UInt64 = 0
        var last: UInt64 = 0
        var requestBytes: UInt64 = 0
        var responseBytes: UInt64 = 0
        var http = HTTPExchange()

        mutating func finish(cookie: UInt64) -> Span {
            defer {
                ordinal += 1
                phase = .idle
            }
            return Span(role: role, tuple: tuple, ordinal: ordinal, startNanoseconds: start, endNanoseconds: last,
                        requestBytes: requestBytes, responseBytes: responseBytes, tgid: tgid, comm: comm, cookie: cookie,
                        partial: midway && ordinal == 0, http: http)
        }
    }

    private var connections: [UInt64: Connection] = [:]
    private let processName: (Int32) -> String

    /// `processName` names a tgid for spans (user-mode events carry no comm).
    public init(processName: @escaping (Int32) -> String) {
        self.processName = processName
    }

    /// Connections with state, for tests and memory accounting.
    public var openConnections: Int { connections.count }

    /// Feeds one event; returns the span it completed, if any.
    public mutating func consume(_ event: TcpreqEvent) -> Span? {
        if event.kind == .close {
            guard var c = connections[event.cookie] else { return nil }
            var span: Span?
            if c.phase == .response { span = c.finish(cookie: event.cookie) }
            // A half-closed connection may still carry its request's response: keep it until idle.
            if c.phase == .idle { connections[event.cookie] = nil } else { connections[event.cookie] = c }
            return span
        }
        var c = connections[event.cookie] ?? Connection(
            // The kernel always sends a role; without one, "not a listener" is the kernel's default.
            role: event.role ?? .client, tuple: event.tuple,
            tgid: event.tgid, comm: processName(event.tgid), midway: event.midway)
        var span: Span?
        let isRequest = (c.role == .server) == (event.kind == .recv)
        if isRequest {
            if c.phase == .response { span = c.finish(cookie: event.cookie) }
            if c.phase == .idle {
                c.phase = .request
                c.start = event.timestampNanoseconds
                c.requestBytes = 0
                c.responseBytes = 0
                c.http = HTTPExchange(method: event.http.method)
            }
            c.requestBytes += UInt64(event.bytes)
        } else if c.phase != .idle {
            if c.phase == .request { c.http.status = event.http.status }
            c.phase = .response
            c.last = event.timestampNanoseconds
            c.responseBytes += UInt64(event.bytes)
        }
        connections[event.cookie] = c
        return span
    }

    /// Ends every response in flight, as if each connection closed now (at session stop).
    public mutating func finishAll() -> [Span] {
        var spans: [Span] = []
        for (cookie, var c) in connections where c.phase == .response {
            spans.append(c.finish(cookie: cookie))
        }
        connections.removeAll()
        return spans.sorted { $0.endNanoseconds < $1.endNanoseconds }
    }
}
