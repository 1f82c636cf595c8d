import Glibc
import KmonSystem
import KmonTcpreq
import Testing

/// Method and status read in the kernel (issue 26): a known sequence of HTTP/1.1 exchanges and a
/// binary protocol, each span checked at both ends against what was sent, per variant and mode.
@Suite("tcpreq method and status", .serialized)
struct HTTPSpanTests {
    /// Runs the HTTP script on one keep-alive connection and the binary one on another, which
    /// closes before stop; the HTTP connection stays open, so its last spans are closed at stop
    /// (from the in-flight index or state hash in kernel mode).
    static func run(_ variant: ProbeVariant, _ mode: SpanMode, readsHTTP: Bool = true) throws
        -> (spans: [Span], http: UInt16, binary: UInt16, session: TcpreqSession) {
        let exchange = try ScriptedHTTPExchange(scripts: [ScriptedHTTPExchange.http, ScriptedHTTPExchange.notHTTP])
        defer { exchange.close() }
        var configuration = TcpreqConfiguration(variant: variant, mode: mode,
                                                filters: TcpreqFilters(ports: [exchange.port], excludeSelf: false))
        configuration.readsHTTP = readsHTTP
        let session = try TcpreqSession.start(configuration)
        do {
            let http = try exchange.run(ScriptedHTTPExchange.http)
            defer { http.close() }
            let binary = try exchange.run(ScriptedHTTPExchange.notHTTP)
            binary.close()
            usleep(100_000) // the server thread sees the close
            try session.stop()
            return (session.takeSpans(), http.localPort, binary.localPort, session)
        } catch {
            try? session.stop()
            throw error
        }
    }

    @Test("each span's method and status equal what was sent, at the client and at the server",
          Privileged.enabled, arguments: [(ProbeVariant.sock, SpanMode.kernel), (.sock, .user), (.syscall, .kernel), (.syscall, .user),
                                          (.skb, .kernel), (.skb, .user)])
    func methodAndStatus(variant: ProbeVariant, mode: SpanMode) throws {
        try Privileged.check()
        let (spans, httpPort, binaryPort, session) = try Self.run(variant, mode)
        for (port, script) in [(httpPort, ScriptedHTTPExchange.http), (binaryPort, ScriptedHTTPExchange.notHTTP)] {
            for role in [SpanRole.client, .server] {
                let seen = spans.filter { $0.role == role && (role == .client ? $0.tuple.local.port : $0.tuple.remote.port) == port }
                    .sorted { $0.ordinal < $1.ordinal }
                #expect(seen.map(\.ordinal) == Array(0..<UInt32(script.count)), "\(role) spans on port \(port)")
                for span in seen where Int(span.ordinal) < script.count {
                    let step = script[Int(span.ordinal)]
                    #expect(span.http == step.expected,
                            "\(variant)/\(mode) \(role) span \(span.ordinal): \(span.http), sent \(step.expected)")
                    #expect(span.requestBytes == UInt64(step.request.count))
                    #expect(span.responseBytes == UInt64(step.responseBytes), "\(role) span \(span.ordinal)")
                }
            }
        }
        #expect(try session.counters().lost.total == 0)
    }

    @Test("with reading off, no span has a method or status", Privileged.enabled,
          arguments: [(ProbeVariant.sock, SpanMode.kernel), (.syscall, .user), (.skb, .kernel)])
    func readingOff(variant: ProbeVariant, mode: SpanMode) throws {
        try Privileged.check()
        let (spans, _, _, _) = try Self.run(variant, mode, readsHTTP: false)
        #expect(spans.count == 2 * (ScriptedHTTPExchange.http.count + ScriptedHTTPExchange.notHTTP.count))
        #expect(spans.allSatisfy { $0.http == HTTPExchange() }, "\(spans.map(\.http))")
        let sent = (ScriptedHTTPExchange.http + ScriptedHTTPExchange.notHTTP).map { UInt64($0.responseBytes) }.reduce(0, +)
        #expect(spans.filter { $0.role == .client }.map(\.responseBytes).reduce(0, +) == sent)
    }
}
