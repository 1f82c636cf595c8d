import Foundation
import Testing
@testable import KmonBench
import KmonSupport

@Suite struct ExplicitNullTests {
    struct Row: Codable, Equatable {
        var name: String
        @ExplicitNull var figure: Double? = nil
        var omitted: Double?
    }

    @Test func nilIsWrittenAsNullWhileAPlainOptionalIsLeftOut() throws {
        let text = String(decoding: try JSONEncoder().encode(Row(name: "a")), as: UTF8.self)
        #expect(text.contains("\"figure\":null"))
        #expect(!text.contains("omitted"))
    }

    @Test func valuesRoundTripAndAMissingKeyReadsAsNil() throws {
        let row = Row(name: "a", figure: 2.5, omitted: 1)
        #expect(try JSONDecoder().decode(Row.self, from: JSONEncoder().encode(row)) == row)
        #expect(try JSONDecoder().decode(Row.self, from: Data(#"{"name":"b"}"#.utf8)) == Row(name: "b"))
        #expect(try JSONDecoder().decode(Row.self, from: Data(#"{"name":"b","figure":null}"#.utf8)).figure == nil)
    }

    @Test func aWrongTypeIsStillRefused() {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Row.self, from: Data(#"{"name":"b","figure":"x"}"#.utf8)) }
    }

    /// Every optional figure of results.json is written, as null when absent.
    @Test func resultsWriteEveryAbsentFigureAsNull() throws {
        var results = SampleResults.make()
        results.environment.memoryMB = nil
        results.knee.kneeRPS = nil
        results.placement = [PlacementSpread(arm: "a", level: .saturation, load: nil, nanosecondsPerRun: [100])]
        results.trigger = [TriggerRow(arm: "sock/kernel", blocks: 1, iterations: 1)]
        let object = try #require(JSONSerialization.jsonObject(with: results.encoded()) as? [String: Any])
        #expect(object["gate"] is NSNull && object["machine_noise"] is NSNull)
        #expect((object["environment"] as? [String: Any])?["memory_mb"] is NSNull)
        #expect((object["knee"] as? [String: Any])?["knee_rps"] is NSNull)
        let placement = try #require((object["placement"] as? [[String: Any]])?.first)
        #expect(placement["load"] is NSNull && placement["cv_pct"] is NSNull && placement["phase_noise_cv_pct"] is NSNull)
        let trigger = try #require((object["trigger"] as? [[String: Any]])?.first)
        #expect(trigger["ns_per_iteration"] is NSNull && trigger["warm_ns_per_run"] is NSNull)
        let overhead = try #require((object["overhead"] as? [[String: Any]])?.first)
        #expect(overhead["mode"] is NSNull && overhead["p99_delta_ci"] is NSNull)
    }
}
