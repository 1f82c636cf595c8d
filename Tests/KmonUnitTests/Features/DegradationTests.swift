import CKmonEvents
import CLibbpf
@testable import KmonBench
@testable import KmonFeatures
import KmonSystem
@testable import KmonTcpreq
import KmonTestSupport
import Testing

@Suite("optional kernel features")
struct DegradationTests {
    @Test func disabledFeaturesParseACommaList() throws {
        #expect(try DisabledFeatures.parse("") == DisabledFeatures())
        #expect(try DisabledFeatures.parse(" iter , test_run_on_cpu,") == DisabledFeatures([.iterator, .testRunOnCPU]))
        #expect(throws: DisabledFeaturesError.self) { try DisabledFeatures.parse("iter,ringbufs") }
        // Required features cannot be disabled: the variants that need them would just be unavailable.
        #expect(throws: DisabledFeaturesError.self) { try DisabledFeatures.parse("task_storage") }
        // sk_storage can, since issue 25: sock, fentry and skb fall back to conn_table.
        #expect(try DisabledFeatures.parse("sk_storage") == DisabledFeatures([.socketStorage]))
    }

    @Test func aDisabledFeatureIsReportedAsSuchWithoutAskingTheKernel() {
        let row = FeatureProbe.check(.iterator, disabled: DisabledFeatures([.iterator]))
        #expect(!row.available)
        #expect(row.reason == "disabled by KMON_DISABLE_FEATURES")
        #expect(row.effectWithout == KernelFeature.iterator.effectWithout)
    }

    @Test func reasonsAreOneLineEverywhere() {
        let log = "bpf_object__load failed: EPERM\nverifier log (last lines):\nprocessed 0 insns"
        #expect(!Degradation(feature: "iter", reason: log, effect: "x").reason.contains("\n"))
        #expect(!SkippedArm(arm: "sock", reason: log).reason.contains("\n"))
        let table = MarkdownTable.render(header: ["arm", "reason"], rows: [["sock", log + " | piped"]])
        #expect(table.split(separator: "\n").count == 3)
        #expect(table.contains("\\| piped"))
        let csv = CSVRenderer.skipped([SkippedArm(arm: "sock", reason: log)])
        #expect(csv.split(separator: "\n").count == 2)
    }

    @Test func degradationsAreCollectedOncePerFeatureWithTheirArms() {
        let iter = Degradation(.iterator, reason: "EPERM")
        let batch = Degradation(.testRunOnCPU, reason: "EINVAL")
        let rows = DegradedFeature.collect([("sock", [iter, batch]), ("sock", [iter, batch]), ("syscall", [batch])])
        #expect(rows.map(\.feature) == ["iter", "test_run_on_cpu"])
        #expect(rows.map(\.arms) == [["sock"], ["sock", "syscall"]])
    }

    @Test func aStateWithAResponseInFlightClosesAsItsSpan() {
        var state = tcpreq_conn()
        state.start_ns = 1_000
        state.last_ns = 5_000
        state.cookie = 77
        state.ordinal = 3
        state.request_bytes = 10
        state.response_bytes = 20
        state.tgid = 42
        state.role = UInt8(TCPREQ_ROLE_SERVER)
        state.targeted = UInt8(TCPREQ_TARGET_YES)
        state.tuple = .ipv4([127, 0, 0, 1], 8080, to: [127, 0, 0, 1], 40000)
        #expect(InFlightSpans.span(closing: state) == nil, "no response yet")
        state.phase = UInt8(TCPREQ_PHASE_RESPONSE)
        let span = InFlightSpans.span(closing: state)
        #expect(span?.role == .server)
        #expect(span?.ordinal == 3)
        #expect(span?.durationNanoseconds == 4_000)
        #expect(span?.tuple.local == SocketEndpoint.at("127.0.0.1", 8080))
        state.targeted = UInt8(TCPREQ_TARGET_NO)
        #expect(InFlightSpans.span(closing: state) == nil, "an unwatched connection")
    }

    @Test func theInFlightIndexIsAPowerOfTwoAtLeastAsLargeAsAsked() {
        #expect(TcpreqSession.inFlightIndexSlots(nil) == 16_384)
        #expect(TcpreqSession.inFlightIndexSlots(0) == 1)
        #expect(TcpreqSession.inFlightIndexSlots(4) == 4)
        #expect(TcpreqSession.inFlightIndexSlots(5) == 8)
        #expect(TcpreqSession.inFlightIndexSlots(.max) == 1 << 18)
    }

    @Test func spansClosedAtStopJoinTheirHistogramRow() {
        #expect(TcpreqHistogram.slot(of: 0) == 0)
        #expect(TcpreqHistogram.slot(of: 1_023) == 9)
        #expect(TcpreqHistogram.slot(of: 1_024) == 10)
        #expect(TcpreqHistogram.slot(of: .max) == Int(TCPREQ_HIST_SLOTS) - 1)
        let tuple = ConnectionTuple(local: .at("127.0.0.1", 8080), remote: .at("127.0.0.1", 40000))
        let span = Span(role: .server, tuple: tuple, ordinal: 0, startNanoseconds: 0, endNanoseconds: 2_000,
                        requestBytes: 1, responseBytes: 2, tgid: 9, comm: "svc", cookie: 1)
        let rows = [TcpreqHistogram]().adding([span, span])
        #expect(rows.count == 1)
        #expect(rows[0].endpoint == tuple.local)
        #expect(rows[0].count == 2)
        #expect(rows[0].slots[10] == 2)
        let client = Span(role: .client, tuple: tuple.reversed, ordinal: 0, startNanoseconds: 0, endNanoseconds: 1,
                          requestBytes: 1, responseBytes: 1, tgid: 9, comm: "svc", cookie: 2)
        #expect(rows.adding([client]).count == 2, "a client span is keyed by the endpoint it called")
    }
}
