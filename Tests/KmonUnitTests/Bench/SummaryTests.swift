import Foundation
import Testing
@testable import KmonBench

/// The terminal summary and the report's findings, colours and axes, on synthetic results;
/// BrowserReportTests checks a real run's report in Chromium.
@Suite struct SummaryTests {
    let results = SampleResults.make()

    @Test func theSummaryFitsAHundredColumnsWithTheVerdictsFirst() {
        var wide = results
        wide.skipped.append(SkippedArm(arm: "fentry/kernel", reason: String(repeating: "a long kernel reason ", count: 12)
            + "/sys/kernel/" + String(repeating: "x", count: 150)))
        for index in wide.overhead.indices where wide.overhead[index].arm == "syscall" { wide.overhead[index].arm = "syscall/histogram@base" }
        let text = TerminalSummary.render(wide, directory: "/tmp/" + String(repeating: "d", count: 120))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.allSatisfy { $0.count <= TerminalSummary.width }, "\(lines.filter { $0.count > 100 })")
        let level = try! #require(lines.firstIndex { $0.hasPrefix("At 50% of the knee (10000 req/s)") })
        let accuracy = try! #require(lines.firstIndex { $0.hasPrefix("Accuracy (") })
        let skipped = try! #require(lines.firstIndex { $0.hasPrefix("skipped kprobe:") })
        #expect(level < accuracy && accuracy < skipped)
        #expect(lines.contains { $0.hasPrefix("At 90% of the knee") })
        // sock/kernel's verdicts in words, then its Δs with the CIs, the baseline left out.
        #expect(lines.contains { $0.hasPrefix("  sock/kernel ") && $0.contains("slower: p50, CPU · not detected: p99 · 190 ns/run") })
        #expect(lines.contains { $0.contains("p50 +1.8% [+1.2, +2.4] · p99 +4.2% [+1.1, +7.9] · CPU +3.1% [+2.0, +4.2]") })
        #expect(!lines.contains { $0.hasPrefix("  baseline ") })
        #expect(lines.contains { $0.hasPrefix("  sock/kernel") && $0.contains("joined") && $0.contains("bias") })
        #expect(!text.contains("| p50 Δ% [95% CI]"), "the overhead table is in tables.md only")
    }

    /// The accuracy line ends with the worst status agreement and the services whose error rates
    /// equal the truth's; a variant that reads no status says why instead of showing 0%.
    @Test func accuracySaysHowOftenMethodAndStatusAgreed() {
        let store = results.serviceErrors!.first { $0.service == "store" }!
        let matching = store.matchesTruth ? 2 : 1
        let text = TerminalSummary.render(results)
        #expect(text.contains("status 99.98%"), "\(text)")
        #expect(text.contains("error rates = truth for \(matching)/2 services"), "\(text)")
        #expect(HTMLReport.render(results).contains("status 99.98%; error rates = truth for \(matching)/2 services"))

        var unread = results
        for index in unread.accuracy.indices {
            unread.accuracy[index].status?.agreedPercent = nil
            unread.accuracy[index].status?.noStatus = "status reading off"
        }
        unread.serviceErrors = nil
        let lines = TerminalSummary.render(unread).split(separator: "\n")
        #expect(lines.contains { $0.contains("no status: status reading off") })
        #expect(!lines.contains { $0.contains("status 0") })
    }

    /// The bench's notes on stderr (the knee, phases left out) keep to the summary's width.
    @Test func progressNotesFitAHundredColumns() throws {
        let pipe = Pipe()
        let progress = BenchProgress(plan: ResultsBuilderTests.plan(), output: pipe.fileHandleForWriting)
        let note = "baseline saturation 8702 req/s; knee 6962 req/s (p99 within 3× the low-load 4202 µs); "
            + "load levels: 25% = 1740 req/s, 50% = 3481 req/s, 75% = 5222 req/s"
        progress.note(note)
        try pipe.fileHandleForWriting.close()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 2 && lines.allSatisfy { $0.count <= TerminalSummary.width }, "\(lines)")
        #expect(lines.joined(separator: " ").split(separator: " ") == note.split(separator: " "), "no word lost")
    }

    /// A gated run says its outcome and what moved it, in the same 100 columns.
    @Test func aGateSaysItsOutcomeAndWhatMovedIt() {
        var gated = results
        gated.gate = GateRecord(GatePhases.check(GatePhases.make(scale: GatePhases.current(1.2))), baseObjects: "/base")
        let lines = TerminalSummary.render(gated).split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("gate: regression (exit 2) against /base") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("  sock/kernel at 50%: BPF ns/req +") && $0.contains("(regression, p Holm") }, "\(lines)")
        #expect(lines.allSatisfy { $0.count <= TerminalSummary.width })
    }

    /// A results file is input: an arm or a reason with a control sequence is shown escaped.
    @Test func controlSequencesInTheResultsAreShownNotSent() {
        var hostile = results
        hostile.skipped = [SkippedArm(arm: "x\u{1b}]0;PWNED\u{07}", reason: "a\u{1b}[2J\nb")]
        for index in hostile.overhead.indices where hostile.overhead[index].arm == "syscall" { hostile.overhead[index].arm = "s\u{1b}[31m" }
        let text = TerminalSummary.render(hostile)
        #expect(!text.unicodeScalars.contains { $0.value == 0x1b || $0.value == 0x07 })
        #expect(text.contains("x\\x1b]0;PWNED\\x07") && text.contains("s\\x1b[31m"))
    }

    /// Figures from a results file that no run writes (infinite, NaN, huge) still render, promptly.
    @Test func absurdFiguresRenderWithoutHangingOrTrapping() {
        var absurd = results
        for index in absurd.phases.indices {
            absurd.phases[index].p50Microseconds = index % 2 == 0 ? .infinity : 1e300
            absurd.phases[index].cpuMicrosecondsPerRequest = .nan
        }
        for index in absurd.charts.latencyCDF.indices { absurd.charts.latencyCDF[index].points = [[0.5, .infinity], [0.9, -1], [0.99, 1e308]] }
        for index in absurd.overhead.indices { absurd.overhead[index].p50DeltaPercent = .infinity; absurd.overhead[index].cpuDeltaCI = [.nan, 1e300] }
        #expect(HTMLReport.render(absurd).hasSuffix("</html>\n"))
        #expect(TerminalSummary.render(absurd).split(separator: "\n").allSatisfy { $0.count <= TerminalSummary.width })
    }

    @Test func wrappingCutsWhatCannotBreakAndIndentsTheRest() {
        let lines = TerminalSummary.wrap("word " + String(repeating: "x", count: 250), width: 100, indent: 4)
        #expect(lines.allSatisfy { $0.count <= 100 })
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("    ") })
        #expect(lines.joined().filter { $0 == "x" }.count == 250)
        #expect(TerminalSummary.wrap("short") == ["short"])
    }

    @Test func smallFiguresKeepTheirDecimals() {
        #expect(Format.significant(0.05) == "0.050")
        #expect(Format.significant(0.6) == "0.60")
        #expect(Format.significant(35.2) == "35")
        #expect(Format.tickDecimals(step: 0.5) == 1)
        #expect(Format.tickDecimals(step: 0.25) == 2)
        #expect(Format.tickDecimals(step: 20) == 0)
        #expect(Format.delta(0.04, [-0.1, 0.2]) == "+0.04% [-0.10, +0.20]")
        #expect(Format.delta(3.4, [2.5, 3.7]) == "+3.4% [+2.5, +3.7]")
    }

    /// An axis from −1% to +1% reads −1, −0.5, 0, +0.5, +1 (it read "-1%, -0%, +0%, +0%, +1%"),
    /// and an MDE of 0.05% is not "±0.0%".
    @Test func overheadTicksHaveThePrecisionTheirRangeNeeds() {
        var row = results.overhead.first { $0.arm == "sock/kernel" }!
        (row.p50DeltaPercent, row.p50DeltaCI) = (0.3, [-0.8, 0.85])
        let svg = Charts.overheadBars([row], palette: ArmPalette(results), title: "t", mde: 0.05) { row in
            row.p50DeltaPercent.map { ($0, row.p50DeltaCI) }
        }
        let ticks = svg.components(separatedBy: "font-size=\"10\" text-anchor=\"middle\" >").dropFirst().map { $0.prefix { $0 != "<" } }
        #expect(ticks.contains("-0.5") && ticks.contains("+0.5") && ticks.contains("0"), "\(ticks)")
        #expect(!ticks.contains("-0") && !ticks.contains("+0"))
        #expect(svg.contains("±0.050%"))
    }

    /// One colour per arm in every chart of the page, legends in the palette's order.
    @Test func eachArmKeepsOneColourEverywhere() throws {
        let html = HTMLReport.render(results)
        let pattern = try NSRegularExpression(pattern: "<(polyline|line|rect)[^>]*?(?:stroke|fill)=\"(#[0-9a-f]{6})\"[^>]*?data-arm=\"([^\"]+)\"")
        var colours: [String: Set<String>] = [:]
        for match in pattern.matches(in: html, range: NSRange(html.startIndex..., in: html)) {
            let colour = String(html[Range(match.range(at: 2), in: html)!]), arm = String(html[Range(match.range(at: 3), in: html)!])
            colours[arm, default: []].insert(colour)
        }
        #expect(Set(colours.keys).isSuperset(of: ["baseline", "sock/kernel", "syscall"]), "\(colours.keys)")
        #expect(colours.values.allSatisfy { $0.count == 1 }, "\(colours)")
        #expect(Set(colours.values.compactMap(\.first)).count == colours.count, "two arms share a colour")
        let palette = ArmPalette(results)
        #expect(palette.sorted(["syscall", "baseline", "sock/kernel"]) == ["baseline", "sock/kernel", "syscall"])
    }

    @Test func theFindingsComeFirstAndEveryChartHasATitleAbove() throws {
        let html = HTMLReport.render(results)
        let findings = try #require(html.range(of: "<section id=\"findings\">"))
        let firstChart = try #require(html.range(of: "<svg"))
        #expect(findings.lowerBound < firstChart.lowerBound)
        #expect(html.range(of: "<h2>")!.lowerBound > findings.lowerBound)
        let figures = html.components(separatedBy: "<figure").dropFirst()
        #expect(figures.count == 11)
        #expect(figures.allSatisfy { $0.drop { $0 != ">" }.dropFirst().hasPrefix("<figcaption>") })
        #expect(html.components(separatedBy: "class=\"axis-label\"").count - 1 == 6 + 2 + 4 + 1)  // bars: x; CDF and phases: x and y; histogram: x
        #expect(html.contains("<div class=\"table-wrap\"><table>"))
        #expect(html.contains("slower") && html.contains("sock/kernel</b>: p50 +1.8% [+1.2, +2.4] (slower)"))
    }
}
