import Foundation
import KmonTestSupport
import Testing
@testable import KmonBench

@Suite struct ResultsSchemaTests {
    static var schemaURL: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/results.schema.json")
    }

    static func validator() throws -> SchemaValidator {
        SchemaValidator(schema: try JSONValue.parse(Data(contentsOf: schemaURL)))
    }

    @Test func writtenResultsValidateAgainstTheDocumentedSchema() throws {
        let document = try JSONValue.parse(SampleResults.make().encoded())
        let problems = try Self.validator().validate(document)
        #expect(problems.isEmpty, "\(problems)")
        #expect(document["schema"] == .string(BenchResults.schemaVersion))
    }

    @Test func issueKeysArePresentAndNullsAreExplicit() throws {
        guard case .object(let top) = try JSONValue.parse(SampleResults.make().encoded()),
              case .array(let overhead)? = top["overhead"], case .object(let baselineRow) = overhead[0],
              case .array(let accuracy)? = top["accuracy"], case .object(let accuracyRow) = accuracy[0] else {
            Issue.record("unexpected results layout")
            return
        }
        for key in ["schema", "environment", "overhead", "phases", "knee", "noise_floor", "accuracy", "topology", "skipped"] {
            #expect(top[key] != nil, "\(key)")
        }
        for key in ["variant", "load", "offered_rps", "achieved_rps", "p50_us", "p90_us", "p99_us", "p999_us", "mean_us",
                    "p50_delta_pct", "p50_delta_ci", "p90_delta_pct", "p99_delta_pct", "p99_delta_ci", "p_value",
                    "cpu_delta_pct", "cpu_delta_ci", "saturation_rps", "saturation_delta_pct", "cpu_us_per_req", "bpf_ns_per_run",
                    "runs_per_req", "events_lost", "agent_rss_mb", "switch_us", "mde_pct", "verdicts"] {
            #expect(baselineRow[key] != nil, "overhead row lacks \(key)")
        }
        #expect(baselineRow["p99_delta_pct"] == .null && baselineRow["p50_delta_pct"] == .null && baselineRow["cpu_delta_ci"] == .null)
        for key in ["p50", "p99", "cpu"] {
            #expect(baselineRow["mde_pct"]?[key] != nil && baselineRow["verdicts"]?[key] != nil, "\(key)")
            #expect(top["noise_floor"]?["mde_pct"]?["50"]?[key] != nil, "noise floor lacks \(key)")
        }
        for key in ["variant", "vantage", "hop", "load", "matched_pct", "unmatched_truth", "unmatched_probe", "bias_us",
                    "mae_us", "p99_abs_err_us", "median_rel_err_pct", "p50_truth_us", "p50_probe_us", "p99_truth_us",
                    "p99_probe_us", "nesting_violations"] {
            #expect(accuracyRow[key] != nil, "accuracy row lacks \(key)")
        }
        for key in ["precision", "recall", "edge_count_err_pct"] { #expect(top["topology"]?[key] != nil) }
    }

    @Test func validatorNamesWhatIsWrong() throws {
        var text = String(decoding: try SampleResults.make().encoded(), as: UTF8.self)
        text = text.replacingOccurrences(of: "\"mae_us\"", with: "\"mae_ms\"")
        text = text.replacingOccurrences(of: "\"vantage\" : \"client\"", with: "\"vantage\" : \"elsewhere\"")
        text = text.replacingOccurrences(of: "\"cores\" : 2", with: "\"cores\" : \"two\"")
        let problems = try Self.validator().validate(JSONValue.parse(Data(text.utf8)))
        #expect(problems.contains("/accuracy/0: missing required key \"mae_us\""))
        #expect(problems.contains("/accuracy/0: unexpected key \"mae_ms\""))
        #expect(problems.contains { $0.hasPrefix("/accuracy/0/vantage: \"elsewhere\" is not one of") })
        #expect(problems.contains("/environment/cores: expected integer, found a string"))
    }

    @Test func resultsRoundTrip() throws {
        let original = SampleResults.make()
        let decoded = try BenchResults.decode(original.encoded(), source: "results.json")
        #expect(decoded.overhead.count == original.overhead.count)
        #expect(decoded.overhead[1].samples == original.overhead[1].samples)
        #expect(decoded.overhead[0].p99DeltaPercent == nil)
        #expect(decoded.accuracy[0].matched == 10_000)
        #expect(decoded.topology.precision == 1)
    }

    /// `kmon compare` on a file with `load: 1e300` trapped rendering the load as an Int.
    @Test(arguments: [("overhead", "load"), ("accuracy", "load"), ("phases", "load")])
    func loadsOutsideZeroToHundredAreRefused(array: String, key: String) throws {
        var object = try #require(JSONSerialization.jsonObject(with: SampleResults.make().encoded()) as? [String: Any])
        var rows = try #require(object[array] as? [[String: Any]])
        rows[0][key] = 1e300
        object[array] = rows
        let data = try JSONSerialization.data(withJSONObject: object)
        let error = #expect(throws: ResultsFileError.self) { try BenchResults.decode(data, source: "crafted.json") }
        #expect(error?.description == "crafted.json is not a kmon bench results file: \(array)[0].\(key) must be from 0 to 100 percent of the baseline's knee (got 1e+300)")
    }

    @Test func configLoadsAreCheckedToo() throws {
        var results = SampleResults.make()
        results.config.loads = [50, -.greatestFiniteMagnitude]
        let error = #expect(throws: ResultsFileError.self) { try BenchResults.decode(results.encoded(), source: "r.json") }
        #expect(error?.description.contains("config.loads[1] must be from 0 to 100") == true, "\(String(describing: error))")
        #expect(Format.load(1e300) == "1e+300%")
    }

    @Test func foreignFilesAreRefusedWithTheReason() {
        #expect(throws: ResultsFileError.self) { try BenchResults.decode(Data("nope".utf8), source: "x.json") }
        do {
            _ = try BenchResults.decode(Data(#"{"benchmarks": []}"#.utf8), source: "other.json")
            Issue.record("accepted a foreign file")
        } catch {
            #expect("\(error)" == "other.json is not a kmon bench results file: it has no \"schema\" key")
        }
        do {
            _ = try BenchResults.decode(Data(#"{"schema": "kmon.bench/99"}"#.utf8), source: "future.json")
            Issue.record("accepted another schema version")
        } catch {
            #expect("\(error)".contains("its schema is \"kmon.bench/99\""))
        }
    }
}
