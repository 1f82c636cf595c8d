import Foundation
import Testing
@testable import KmonBench

@Suite struct RenderTests {
    let results = SampleResults.make()

    @Test func tablesShowBothTablesAndTheFigures() {
        let text = TablesRenderer.render(results)
        #expect(text.contains("## Overhead"))
        #expect(text.contains("## Accuracy"))
        #expect(text.contains("+4.2 [+1.1, +7.9]"))
        #expect(text.contains("client→frontend"))
        #expect(text.contains("kernel built without CONFIG_KPROBES"))
        #expect(text.contains("api died (signal 9) at 41.2 s"))
        // Every table line of a table has the same width, so it reads as it is in a terminal.
        let overhead = TablesRenderer.overhead(results).split(separator: "\n")
        #expect(Set(overhead.map(\.count)).count == 1)
        #expect(overhead.count == 2 + results.overhead.count)
    }

    @Test func programCostIsListedPerProgramAndAveragedByRuns() {
        let sock = results.overhead.first { $0.arm == "sock/kernel" }!
        #expect(TablesRenderer.meanNanosecondsPerRun(sock) == 190)  // 4 sends at 120 ns, 4 recvs at 260 ns
        #expect(TablesRenderer.meanNanosecondsPerRun(results.overhead[0]) == nil)
        let programs = TablesRenderer.programs(results)
        #expect(programs.split(separator: "\n").count == 2 + 2 * 2 * 2)  // 2 probe arms × 2 loads × 2 programs
        #expect(TablesRenderer.render(results).contains("## Program cost"))
    }

    /// Off-schedule phases are one line per arm and reason, and the overhead section says which
    /// levels lost phases to them.
    @Test func offSchedulePhasesAreGroupedAndNamedAboveTheOverheadTable() {
        var off = results
        let reason = InvalidReason.offSchedule("responses more than 3% behind the offered 7814 req/s (a backlog built)")
        off.invalidBlocks += [3, 4, 7].flatMap { block in
            ["baseline", "sock/kernel"].map { InvalidBlock(phase: "load 75%", block: block, arm: $0, reason: reason) }
        }
        let table = TablesRenderer.invalidBlocks(off).split(separator: "\n")
        #expect(table.count == 2 + 3)  // the died block, then one row per arm
        #expect(table.contains { $0.contains("3, 4, 7") && $0.contains("sock/kernel") && $0.contains(reason.description) })
        let text = TablesRenderer.render(off)
        #expect(text.contains("**Off schedule** (load 75%: 6 phases)"))
        #expect(!TablesRenderer.render(results).contains("Off schedule"))
        #expect(HTMLReport.render(off).contains("<td>3, 4, 7</td>"))
    }

    @Test func quickRunsSayTheirTailsAreRough() {
        var quick = results
        quick.config.quick = true
        #expect(TablesRenderer.render(quick).contains("tails are rough"))
        #expect(!TablesRenderer.render(results).contains("tails are rough"))
    }

    @Test func csvHasOneLinePerRowAndEscapes() {
        let overhead = CSVRenderer.overhead(results.overhead).split(separator: "\n")
        #expect(overhead.count == 1 + results.overhead.count)
        #expect(overhead[0].hasPrefix("arm,variant,mode,load,offered_rps"))
        #expect(overhead[2].contains("handle_recv=260;handle_send=120"))
        #expect(CSVRenderer.accuracy(results.accuracy).split(separator: "\n").count == 1 + results.accuracy.count)
        #expect(CSVRenderer.escape("a,\"b\"") == "\"a,\"\"b\"\"\"")
    }

    @Test func htmlIsSelfContainedWithCharts() {
        let html = HTMLReport.render(results)
        #expect(html.hasPrefix("<!doctype html>"))
        // CDF, p50 and CPU over time at the one load with phases, 3 overhead metrics × 2 loads, histogram, topology
        #expect(html.components(separatedBy: "<svg").count - 1 == 1 + 2 + 3 * 2 + 1 + 1)
        #expect(!html.contains("<script"))
        #expect(!html.contains("src=\"http"))
        #expect(!html.contains("href=\"http"))
        #expect(html.contains("<polyline"))
        #expect(html.contains("<table>"))
        #expect(html.contains("sock/kernel"))
    }

    @Test func textIsEscapedInHTML() {
        var hostile = results
        hostile.skipped = [SkippedArm(arm: "<b>x</b>", reason: "a & b")]
        let html = HTMLReport.render(hostile)
        #expect(html.contains("&lt;b&gt;x&lt;/b&gt;"))
        #expect(html.contains("a &amp; b"))
    }

    @Test func errorHistogramBinsEverything() {
        let histogram = ErrorHistogram.make(arm: "a", vantage: .client, hop: "h", load: 50,
                                            errorsNanoseconds: (0..<1000).map { Double($0) }, binCount: 10)!
        #expect(histogram.counts.reduce(0, +) == 1000)
        #expect(histogram.counts.count == 10)
        #expect(ErrorHistogram.make(arm: "a", vantage: .client, hop: "h", load: 50, errorsNanoseconds: []) == nil)
    }
}
