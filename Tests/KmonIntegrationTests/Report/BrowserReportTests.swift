import Foundation
import KmonBench
import KmonTestSupport
import Testing

/// report.html of a real quick bench, rendered by headless Chromium (Debian's `chromium`,
/// installed by scripts/setup) at 1400 and 800 px: a script added to a copy of the page checks
/// the layout the browser computed and writes what it found into the DOM.
@Suite(.serialized, Privileged.enabled)
struct BrowserReportTests {
    static var chromium: URL? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"].map { URL(fileURLWithPath: $0) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Runs Chromium headless on `page` with a fresh profile, at most 90 s.
    static func chromium(_ arguments: [String], page: URL, width: Int, height: Int = 2000) throws -> CommandResult {
        let browser = try #require(chromium, "chromium is not installed: scripts/setup installs it")
        let profile = BenchCommandTests.scratch.appendingPathComponent("chromium-profile-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        return try runCommand(URL(fileURLWithPath: "/usr/bin/timeout"), [
            "--kill-after=5", "90", browser.path, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--user-data-dir=\(profile.path)", "--window-size=\(width),\(height)",
        ] + arguments + [page.absoluteString])
    }

    /// What ReportChecks found in the page at `width` px.
    static func check(_ report: URL, width: Int) throws -> (problems: [String], facts: [String: Any]) {
        let html = try String(contentsOf: report, encoding: .utf8)
        #expect(!html.contains("<script"), "report.html must have no script")
        let page = BenchCommandTests.scratch.appendingPathComponent("checked-\(width).html")
        try html.replacingOccurrences(of: "</body>", with: ReportChecks.script + "</body>").write(to: page, atomically: true, encoding: .utf8)
        let result = try chromium(["--virtual-time-budget=3000", "--dump-dom"], page: page, width: width)
        guard let start = result.stdout.range(of: "<pre id=\"kmon-check\">"),
              let end = result.stdout.range(of: "</pre>", range: start.upperBound..<result.stdout.endIndex) else {
            Issue.record("no check output from chromium (exit \(result.status)): \(result.stderr.suffix(1500))")
            return (["no output"], [:])
        }
        let json = result.stdout[start.upperBound..<end.lowerBound]
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        return (object["problems"] as? [String] ?? ["unreadable problems"], object["facts"] as? [String: Any] ?? [:])
    }

    /// Every chart has a title above it, axis labels with units and a legend; each arm has one
    /// colour in every chart and table; no text runs out of its SVG; the findings come first;
    /// nothing is wider than the window, at 1400 px and at 800 px.
    @Test(arguments: [1400, 800])
    func aQuickBenchReportReadsInABrowser(width: Int) throws {
        try Privileged.check()
        let run = try BenchCommandTests.quickRun()
        let report = run.directory.appendingPathComponent("report.html")
        let (problems, facts) = try Self.check(report, width: width)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        let overheadCharts = run.results.config.loads.count * 3
        #expect((facts["charts"] as? Int ?? 0) >= overheadCharts + 1, "charts: \(facts["charts"] ?? "none")")
        let colours = facts["arms"] as? [String: [String]] ?? [:]
        for arm in Set(run.results.overhead.map(\.arm)) {
            #expect(colours[arm]?.count == 1, "\(arm): \(colours[arm] ?? [])")
        }
        #expect(Set(colours.values.compactMap(\.first)).count == colours.count, "two arms share a colour: \(colours)")
    }

    /// A screenshot at 1400 px: a PNG of that width (what docs/report.png is made from).
    @Test func aScreenshotOfTheReport() throws {
        try Privileged.check()
        let run = try BenchCommandTests.quickRun()
        let png = BenchCommandTests.scratch.appendingPathComponent("report.png")
        let result = try Self.chromium(["--screenshot=\(png.path)"], page: run.directory.appendingPathComponent("report.html"),
                                       width: 1400, height: 1600)
        let data = try #require(try? Data(contentsOf: png), "no screenshot (exit \(result.status)): \(result.stderr.suffix(1500))")
        #expect(data.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        let width = data.count > 24 ? data[16..<20].reduce(0) { $0 << 8 | Int($1) } : 0
        #expect(width == 1400)
        #expect(data.count > 20_000, "a blank page? \(data.count) bytes")
    }
}
