import Foundation
import Testing

/// `scripts/soak 2`: the soak's two-minute version, on this build's `kmon`. Every exporter on,
/// chain3 under keep-alive load and connection churn, a 20 s sink outage; slopes from minute 1
/// to minute 2 and every count against the services' ground truth (see the script's header).
@Suite("soak", .serialized)
struct SoakTests {
    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/soak")

    struct Report: Decodable {
        struct Check: Decodable { var ok: Bool; var text: String }
        struct Sample: Decodable { var t: Int; var rss_kb: Int; var fds: Int; var threads: Int; var lost: Double? }
        var passed: Bool
        var rss_growth_percent: Double
        var warm_up_s: Int
        var checks: [Check]
        var samples: [Sample]
    }

    @Test("two minutes: RSS within 5% from minute 1, fds and threads flat, no unaccounted or unexplained loss",
          Privileged.enabled, .timeLimit(.minutes(4)))
    func twoMinutes() throws {
        try Privileged.check()
        let report = FileManager.default.temporaryDirectory.appendingPathComponent("kmon-soak-\(UUID().uuidString.prefix(8)).json")
        defer { try? FileManager.default.removeItem(at: report) }
        let result = try runCommand(URL(fileURLWithPath: "/usr/bin/python3"), [Self.script.path, "2", "--report", report.path],
                                    environment: ["KMON": BuildProducts.executable("kmon").path])
        let parsed = try #require(try? JSONDecoder().decode(Report.self, from: Data(contentsOf: report)),
                                  "no report: status \(result.status)\n\(result.stdout)\n\(result.stderr)")
        for check in parsed.checks { #expect(check.ok, "\(check.text)") }
        #expect(result.status == (parsed.passed ? 0 : 1))
        #expect(parsed.warm_up_s >= 60)
        #expect(parsed.rss_growth_percent <= 5)
        // The slopes, again from the samples: from the warm-up on, fds and threads stay put.
        let after = parsed.samples.filter { $0.t >= parsed.warm_up_s }
        let (first, last) = (try #require(after.first), try #require(after.last))
        #expect(last.t - first.t >= 50, "too few samples after the warm-up: \(after.map(\.t))")
        #expect(abs(last.fds - first.fds) <= 2 && after.allSatisfy { $0.fds <= first.fds + 4 }, "fds \(after.map(\.fds))")
        #expect(abs(last.threads - first.threads) <= 2 && after.allSatisfy { $0.threads <= first.threads + 4 }, "threads \(after.map(\.threads))")
        #expect(parsed.samples.allSatisfy { ($0.lost ?? 0) == 0 })
    }
}
