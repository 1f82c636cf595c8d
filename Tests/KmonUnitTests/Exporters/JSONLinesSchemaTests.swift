import Foundation
import KmonContainers
@testable import KmonExport
import KmonSystem
import Testing

@Suite struct JSONLinesSchemaTests {
    private func decode(_ line: String) throws -> [String: Any] {
        #expect(!line.contains("\n"))
        return try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func spanLineHasTheDocumentedKeysInOrder() throws {
        let span = ExportedSpan(service: "front \"end\"\n", peerName: nil, peerAddress: "[::1]:8080", side: .client,
                                startNanoseconds: 5_000, durationNanoseconds: 1_234, pid: 42, ordinal: 7,
                                http: HTTPExchange(method: .delete, status: 404))
        let line = JSONLinesExporter.line(.span(span, wallOffset: 1_000_000))
        #expect(line.hasPrefix(#"{"type":"span","time_unix_ns":1005000,"service":"front \"end\"\n","peer":null,"#))
        let object = try decode(line)
        #expect(Set(object.keys) == ["type", "time_unix_ns", "service", "peer", "peer_address", "side",
                                     "start_monotonic_ns", "duration_ns", "pid", "ordinal", "partial", "method", "status"])
        #expect(line.hasSuffix(#""partial":false,"method":"DELETE","status":404}"#))
        #expect(object["service"] as? String == "front \"end\"\n")
        #expect(object["peer"] is NSNull)
        #expect(object["peer_address"] as? String == "[::1]:8080")
        #expect(object["side"] as? String == "client")
        #expect((object["duration_ns"] as? NSNumber)?.uint64Value == 1_234)
        #expect((object["ordinal"] as? NSNumber)?.intValue == 7)
    }

    @Test func aContainerizedSpanNamesItsContainerAndPod() throws {
        let id = String(repeating: "ab", count: 32)
        var span = ExportedSpan(service: "shop/api", peerAddress: "127.0.0.1:1", side: .server, startNanoseconds: 1, durationNanoseconds: 2,
                                container: ContainerInfo(runtime: .containerd, id: id, name: "api", pod: "api-0", namespace: "shop"))
        let object = try decode(JSONLinesExporter.line(.span(span, wallOffset: 0)))
        #expect(object["runtime"] as? String == "containerd" && object["container_id"] as? String == id)
        #expect(object["container"] as? String == "api" && object["pod"] as? String == "api-0" && object["namespace"] as? String == "shop")
        #expect(object["pod_uid"] == nil, "what the state did not give is left out")
        span.container = nil
        #expect(try decode(JSONLinesExporter.line(.span(span, wallOffset: 0)))["container_id"] == nil)
    }

    @Test func periodLineCarriesLossesProgramsSamplesAndSinks() throws {
        let snapshot = ExportSnapshot(
            wallNanoseconds: 99, lostEvents: ["tcpreq": 3, "offcpu": 0],
            programs: [ProgramRunStats(name: "tcpreq_recv", runCount: 10, runTimeNanoseconds: 2_000)],
            samples: [CollectorSample(name: "kmon_tcp_drops_total", help: "drops", kind: .counter, labels: ["reason": "NO_SOCKET"], value: 4),
                      CollectorSample(name: "kmon_weird", help: "", kind: .gauge, value: .nan)],
            sinks: [SinkStats(sink: "influx", buffered: 1, delivered: 2, dropped: 3, rejected: 4, failedAttempts: 5)])
        let object = try decode(JSONLinesExporter.line(.period(snapshot)))
        #expect(object["type"] as? String == "period")
        #expect((object["schema"] as? NSNumber)?.intValue == JSONLinesExporter.schemaVersion)
        #expect((object["lost"] as? [String: Any])?["tcpreq"] as? Int == 3)
        let program = try #require((object["programs"] as? [[String: Any]])?.first)
        #expect(program["program"] as? String == "tcpreq_recv")
        #expect(program["run_time_ns"] as? Int == 2_000)
        let samples = try #require(object["samples"] as? [[String: Any]])
        #expect((samples[0]["labels"] as? [String: String])?["reason"] == "NO_SOCKET")
        #expect(samples[1]["value"] is NSNull)
        let sink = try #require((object["sinks"] as? [[String: Any]])?.first)
        #expect(sink["failed_attempts"] as? Int == 5)
    }

    @Test func controlCharactersAreEscaped() {
        #expect(JSONText.string("a\u{1}b\tc\\") == #""a\u0001b\tc\\""#)
        #expect(JSONText.number(2.5) == "2.5")
        #expect(JSONText.number(3) == "3")
        #expect(JSONText.number(.infinity) == "null")
    }
}
