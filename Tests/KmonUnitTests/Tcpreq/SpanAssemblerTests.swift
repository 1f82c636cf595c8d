import KmonSystem
import KmonTcpreq
import KmonTestSupport
import Testing

/// The user-mode state machine on synthetic event streams, including the span rule's blind
/// spots (pipelining, half-close, responses in pieces), which docs/monitor.md documents.
@Suite("span assembly")
struct SpanAssemblerTests {
    static let serverTuple = ConnectionTuple(local: .at("127.0.0.1", 8080), remote: .at("127.0.0.1", 40000))

    struct Stream {
        var assembler = SpanAssembler { _ in "svc" }
        var spans: [Span] = []
        let role: SpanRole
        var midway = false
        let cookie: UInt64 = 1

        mutating func feed(_ kind: TcpreqEvent.Kind, at time: UInt64, bytes: UInt32 = 10, http: HTTPExchange = HTTPExchange()) {
            let event = TcpreqEvent(kind: kind, timestampNanoseconds: time, cookie: cookie, tgid: 5, bytes: bytes,
                                    role: role, tuple: SpanAssemblerTests.serverTuple, midway: midway, http: http)
            if let span = assembler.consume(event) { spans.append(span) }
        }
    }

    @Test func keepAliveServerSpans() {
        var s = Stream(role: .server)
        s.feed(.recv, at: 100)
        s.feed(.send, at: 150)
        s.feed(.recv, at: 300) // closes span 0
        s.feed(.send, at: 320)
        s.feed(.close, at: 400) // closes span 1
        #expect(s.spans.map(\.ordinal) == [0, 1])
        #expect(s.spans.map(\.startNanoseconds) == [100, 300])
        #expect(s.spans.map(\.endNanoseconds) == [150, 320])
        #expect(s.spans.allSatisfy { $0.role == .server && $0.comm == "svc" && $0.tgid == 5 })
        #expect(s.assembler.openConnections == 0)
    }

    /// The kernel parses only where the direction turns: the method from the event that opens a
    /// span, the status from its first response event; later pieces carry nothing and change nothing.
    @Test func methodFromTheOpeningEventStatusFromTheFirstResponse() {
        var s = Stream(role: .server)
        s.feed(.recv, at: 100, http: HTTPExchange(method: .post))
        s.feed(.recv, at: 110) // the body
        s.feed(.send, at: 150, http: HTTPExchange(status: 404))
        s.feed(.send, at: 160)
        s.feed(.recv, at: 300, http: HTTPExchange(method: .notHTTP))
        s.feed(.send, at: 320)
        s.feed(.recv, at: 400, http: HTTPExchange(method: .get)) // closes span 1; a response never came
        s.feed(.close, at: 500)
        #expect(s.spans.map(\.http) == [HTTPExchange(method: .post, status: 404), HTTPExchange(method: .notHTTP)])
        var a = SpanAssembler { _ in "svc" }
        _ = a.consume(TcpreqEvent(kind: .recv, timestampNanoseconds: 1, cookie: 2, tgid: 5, bytes: 9, role: .server,
                                  tuple: Self.serverTuple, http: HTTPExchange(method: .delete)))
        _ = a.consume(TcpreqEvent(kind: .send, timestampNanoseconds: 2, cookie: 2, tgid: 5, bytes: 9, role: .server,
                                  tuple: Self.serverTuple, http: HTTPExchange(status: 500)))
        #expect(a.finishAll().map(\.http) == [HTTPExchange(method: .delete, status: 500)])
    }

    /// Attached to a busy client connection: the first thing seen is the response to a request
    /// sent before; it is no span, and the first span is partial, the next ones whole.
    @Test func connectionMetMidwayHasAPartialFirstSpan() {
        var s = Stream(role: .client, midway: true)
        s.feed(.recv, at: 50)  // response to a request we did not see
        s.feed(.send, at: 100)
        s.feed(.recv, at: 150)
        s.feed(.send, at: 300)
        s.feed(.recv, at: 320)
        s.feed(.close, at: 400)
        #expect(s.spans.map(\.startNanoseconds) == [100, 300])
        #expect(s.spans.map(\.partial) == [true, false])
        var seen = Stream(role: .client)
        seen.feed(.send, at: 100)
        seen.feed(.recv, at: 150)
        seen.feed(.close, at: 200)
        #expect(seen.spans.map(\.partial) == [false])
    }

    @Test func requestAndResponseInPiecesAddUp() {
        var s = Stream(role: .server)
        s.feed(.recv, at: 100, bytes: 4)
        s.feed(.recv, at: 110, bytes: 6) // rest of the request: same span, start unchanged
        s.feed(.send, at: 200, bytes: 1000)
        s.feed(.send, at: 260, bytes: 24) // end moves to the last piece
        s.feed(.close, at: 300)
        #expect(s.spans.count == 1)
        #expect(s.spans[0].startNanoseconds == 100 && s.spans[0].endNanoseconds == 260)
        #expect(s.spans[0].requestBytes == 10 && s.spans[0].responseBytes == 1024)
    }

    @Test func clientSpansMirrorTheServerRule() {
        var s = Stream(role: .client)
        s.feed(.send, at: 10)
        s.feed(.recv, at: 50)
        s.feed(.recv, at: 60)
        s.feed(.send, at: 90)
        s.feed(.recv, at: 95)
        let tail = s.assembler.finishAll() // session stop closes the response in flight
        #expect(s.spans.map(\.durationNanoseconds) == [50])
        #expect(tail.map(\.ordinal) == [1])
        #expect(tail.first?.endNanoseconds == 95)
    }

    @Test("blind spot: pipelined requests merge into one span")
    func pipeliningMerges() {
        var s = Stream(role: .client)
        s.feed(.send, at: 10) // request 0
        s.feed(.send, at: 11) // request 1, before response 0
        s.feed(.recv, at: 40) // response 0
        s.feed(.recv, at: 70) // response 1
        s.feed(.close, at: 80)
        #expect(s.spans.count == 1)
        #expect(s.spans[0].startNanoseconds == 10 && s.spans[0].endNanoseconds == 70)
        #expect(s.spans[0].requestBytes == 20)
    }

    @Test("half-close: the response after the client's FIN still ends the span")
    func halfClose() {
        var s = Stream(role: .client)
        s.feed(.send, at: 10)
        s.feed(.close, at: 12) // shutdown(SHUT_WR): leaves ESTABLISHED with the request pending
        #expect(s.spans.isEmpty)
        #expect(s.assembler.openConnections == 1)
        s.feed(.recv, at: 30)
        s.feed(.close, at: 40) // the socket finally closes
        #expect(s.spans.map(\.endNanoseconds) == [30])
        #expect(s.assembler.openConnections == 0)
    }

    @Test("a response with no request (greeting, or met mid-way) is not a span")
    func responseWithoutRequest() {
        var s = Stream(role: .server)
        s.feed(.send, at: 10)
        s.feed(.recv, at: 20)
        s.feed(.send, at: 30)
        s.feed(.close, at: 40)
        #expect(s.spans.count == 1)
        #expect(s.spans[0].startNanoseconds == 20 && s.spans[0].ordinal == 0)
    }

    @Test func roleFromFirstMoveWhenTheKernelDidNotKnow() {
        var assembler = SpanAssembler { _ in "x" }
        let tuple = Self.serverTuple
        _ = assembler.consume(TcpreqEvent(kind: .send, timestampNanoseconds: 1, cookie: 9, tgid: 1, bytes: 1, role: nil, tuple: tuple))
        _ = assembler.consume(TcpreqEvent(kind: .recv, timestampNanoseconds: 2, cookie: 9, tgid: 1, bytes: 1, role: nil, tuple: tuple))
        let spans = assembler.finishAll()
        #expect(spans.map(\.role) == [.client])
    }
}
