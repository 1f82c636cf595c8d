import KmonCollectors
import Testing

@Suite("collector plan from monitor flags and config")
struct CollectorPlanTests {
    let flagsFilter = ListenFilter(pids: [42])

    @Test("without flags or config, monitor runs tcpreq alone")
    func defaults() throws {
        let plan = try CollectorPlan.resolve(collect: nil, fcountEvents: [], verboseLevels: [], config: nil, filter: flagsFilter)
        #expect(plan.runsTcpreq && plan.collectors.isEmpty)
    }

    @Test("--collect, --fcount and --verbose-level combine; flags' filter fills sections without listen")
    func flags() throws {
        let plan = try CollectorPlan.resolve(collect: "tcpreq,tcpdrop,biostat", fcountEvents: ["syscalls:sys_enter_write"],
                                             verboseLevels: ["3", "tcpdrop=2"], config: nil, filter: flagsFilter)
        #expect(plan.runsTcpreq)
        #expect(plan.collectors[.tcpdrop]?.verbosity == 2)
        #expect(plan.collectors[.biostat]?.verbosity == 2, "a bare level is capped at biostat's highest")
        #expect(plan.collectors[.fcount]?.fcountEvents == ["syscalls:sys_enter_write"])
        #expect(plan.collectors[.fcount]?.filter == flagsFilter)
    }

    @Test("the config chooses collectors when --collect is absent, and keeps its own listen filter")
    func config() throws {
        let file = try CollectorConfigFile.parse(yaml: """
            collector:
              offcpu:
                verbose: 3
                listen: { comm: "^nginx$" }
              fcount:
                events: [syscalls:sys_enter_read]
            """)
        let plan = try CollectorPlan.resolve(collect: nil, fcountEvents: ["syscalls:sys_enter_write"], verboseLevels: [],
                                             config: file, filter: flagsFilter)
        #expect(!plan.runsTcpreq)
        #expect(plan.collectors[.offcpu]?.verbosity == 3)
        #expect(plan.collectors[.offcpu]?.filter == ListenFilter(comm: "^nginx$"))
        #expect(plan.collectors[.fcount]?.fcountEvents == ["syscalls:sys_enter_read", "syscalls:sys_enter_write"])
    }

    @Test("bad flags are errors naming what is wrong", arguments: [
        ("bogus", [String](), [String](), "unknown collector \"bogus\""),
        ("offcpu", [], ["offcpu=4"], "bad verbosity 4 for offcpu"),
        ("offcpu", [], ["9"], "bad --verbose-level \"9\""),
        ("offcpu", [], ["biostat=1"], "names biostat, which is not collected"),
        ("fcount", [], [], "fcount needs at least one event"),
    ])
    func badFlags(collect: String, fcount: [String], levels: [String], expected: String) {
        let error = #expect(throws: CollectorError.self) {
            try CollectorPlan.resolve(collect: collect, fcountEvents: fcount, verboseLevels: levels, config: nil, filter: flagsFilter)
        }
        #expect(error?.description.contains(expected) == true, "\(error?.description ?? "no error")")
    }
}
