import Foundation
import Glibc
import KmonBench
import KmonTestSupport
import Testing

/// `kmon bench --quick` on chain3-errors (store fails 5% on purpose, a fifth of the requests
/// are POSTs): every joined span of sock and syscall carries the method and status ground
/// truth has, and each service's error rate from its server spans equals its records'.
@Suite(.serialized, Privileged.enabled)
struct BenchStatusTests {
    static var chain3Errors: String { BenchProcess.repositoryRoot.appendingPathComponent("workloads/chain3-errors.yaml").path }

    @Test func statusAgreesOnEveryHopAndErrorRatesEqualTruth() throws {
        try Privileged.check()
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("kmon-bench-status-\(getpid())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let directory = scratch.appendingPathComponent("out")
        let bench = try BenchProcess(["bench", "--quick", "--workload", Self.chain3Errors, "--variants", "sock,syscall",
                                      "--seed", "7", "--out", directory.path], scratch: scratch)
        let status = bench.wait(seconds: 300)
        #expect(status == 0, "\(bench.stderr)")
        let results = try BenchOutput.load(directory.path)
        let schema = SchemaValidator(schema: try JSONValue.parse(Data(contentsOf: BenchProcess.repositoryRoot
            .appendingPathComponent("docs/results.schema.json"))))
        let problems = schema.validate(try JSONValue.parse(Data(contentsOf: directory.appendingPathComponent("results.json"))))
        #expect(problems.isEmpty, "\(problems)")

        let rows = results.accuracy.filter { ["sock", "syscall"].contains($0.variant) && $0.vantage != .wire }
        #expect(Set(rows.map(\.variant)) == ["sock", "syscall"])
        #expect(Set(rows.map(\.hop)).count == 3)
        for row in rows {
            let agreement = try #require(row.status, "\(row.arm) \(row.vantage) \(row.hop)")
            #expect(agreement.compared > 0 && agreement.compared == row.matched)
            #expect(agreement.agreedPercent == 100,
                    "\(row.arm) \(row.vantage) \(row.hop) at \(row.load)%: \(agreement.noStatus ?? agreement.disagreementText) \(agreement.examples)")
        }

        let errors = try #require(results.serviceErrors).filter { ["sock", "syscall"].contains($0.variant) }
        #expect(Set(errors.map(\.service)) == ["frontend", "api", "store"])
        for row in errors {
            #expect(row.matchesTruth, "\(row.arm) \(row.service) at \(row.load)%: \(row)")
            // store fails 5% on purpose; api and frontend pass it on as 502.
            #expect(row.truth5xx > 0, "\(row.arm) \(row.service)")
            if row.service == "store" { #expect(row.truth4xx > 0) } else { #expect(row.truth4xx == 0) }
        }
        let tables = try String(contentsOf: directory.appendingPathComponent("tables.md"), encoding: .utf8)
        #expect(tables.contains("## Status agreement") && tables.contains("## Error rates per service"))
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("service_errors.csv").path))
    }
}
