@testable import KmonLoad
import KmonSystem
import KmonTestSupport
import Testing

@Suite struct LoadSummaryTests {
    /// A request at `i` ms into the window, sent `lag` µs late, answered `service` µs later.
    static func record(_ i: Int, lag: UInt64, service: UInt64, flags: GroundTruthRecord.Flags = []) -> GroundTruthRecord {
        let intended = UInt64(i) * 1_000_000
        return GroundTruthRecord(intendedNs: intended, sendNs: intended + lag * 1000,
                                 completeNs: intended + (lag + service) * 1000, 
                                 tuple: ConnectionTuple(local: .at("127.0.0.1", 2), remote: .at("127.0.0.3", 4)), ordinal: UInt32(i), status: 200, flags: flags)
    }

    @Test func correctedUncorrectedAndLagComeFromTheirOwnTimestamps() {
        // 1000 requests over 1 s: 990 fast ones, 10 that waited 5 ms behind a stall.
        var records = (0..<990).map { Self.record($0, lag: 10, service: 100) }
        records += (990..<1000).map { Self.record($0, lag: 5_000, service: 100) }
        let s = LoadSummary(records: records, measureStartNs: 0, measureEndNs: 1_010_000_000, offeredRPS: 1000, unsent: 0)
        #expect(s.requests == 1000 && s.errors == 0)
        #expect(abs(s.uncorrectedLatencyMicros.p50 - 100) < 0.2)
        #expect(abs(s.uncorrectedLatencyMicros.p999 - 100) < 0.2)
        #expect(abs(s.latencyMicros.p50 - 110) < 0.2)
        #expect(abs(s.latencyMicros.p999 - 5_100) < 5)
        #expect(abs(s.latencyMicros.max - 5_100) < 5)
        #expect(abs(s.scheduleLagMicros.p50 - 10) < 0.1)
        #expect(abs(s.scheduleLagMicros.p99 - 10) < 0.1)
        #expect(abs(s.scheduleLagMicros.max - 5_000) < 5)
        #expect(abs(s.achievedRPS - 1000 / 1.01) < 0.01)
    }

    @Test func warmUpIsLeftOutAndErrorsAreCountedNotTimed() {
        var records = (0..<100).map { Self.record($0, lag: 1, service: 50, flags: [.warmUp]) }
        records += (100..<200).map { Self.record($0, lag: 1, service: 50) }
        records.append(Self.record(200, lag: 1, service: 900_000, flags: [.error, .timeout]))
        records.append(Self.record(201, lag: 1, service: 900_000, flags: [.error]))
        let s = LoadSummary(records: records, measureStartNs: 100_000_000, measureEndNs: 200_000_000, offeredRPS: nil, unsent: 7)
        #expect(s.requests == 100)
        #expect(s.errors == 2 && s.timeouts == 1 && s.unsent == 7)
        #expect(s.latencyMicros.max < 60)
        // Completions inside [100 ms, 200 ms): requests 100…199 complete 51 µs after their start.
        #expect(abs(s.achievedRPS - 1000) < 0.01)
        #expect(s.offeredRPS == nil)
    }

    @Test func jsonHasTheDocumentedKeys() throws {
        let s = LoadSummary(records: [Self.record(0, lag: 1, service: 2)], measureStartNs: 0,
                            measureEndNs: 1_000_000_000, offeredRPS: 10, unsent: 0)
        let json = try s.jsonText()
        for key in ["\"requests\"", "\"errors\"", "\"achieved_rps\"", "\"latency_us\"", "\"uncorrected_latency_us\"",
                    "\"schedule_lag_us\"", "\"p50\"", "\"p90\"", "\"p99\"", "\"p999\"", "\"max\""] {
            #expect(json.contains(key), "missing \(key)")
        }
    }
}

@Suite struct GeneratorLagTests {
    @Test func requestsThatWaitedForTheirConnectionAreLeftOutOfGeneratorLag() {
        var records = (0..<99).map { LoadSummaryTests.record($0, lag: 3, service: 100) }
        records.append(LoadSummaryTests.record(99, lag: 40_000, service: 100, flags: [.waitedForConnection]))
        let s = LoadSummary(records: records, measureStartNs: 0, measureEndNs: 1_000_000_000, offeredRPS: 100, unsent: 0)
        #expect(s.waitedForConnection == 1)
        #expect(abs(s.scheduleLagMicros.max - 40_000) < 40)
        #expect(abs(s.generatorLagMicros.max - 3) < 0.01)
        #expect(abs(s.generatorLagMicros.p99 - 3) < 0.01)
    }
}
