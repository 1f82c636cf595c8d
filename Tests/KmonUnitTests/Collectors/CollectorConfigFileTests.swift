import KmonCollectors
import Testing

@Suite("collector YAML config")
struct CollectorConfigFileTests {
    @Test("a full config parses into settings per collector")
    func fullConfig() throws {
        let config = try CollectorConfigFile.parse(yaml: """
            collector:
              tcpdrop:
                verbose: 3
                listen:
                  pid: [10, 20]
                  comm: "^kmon-service$"
                  cgroup: kmon.slice
                export:
                  period: 10s
              offcpu:
                verbose: 2
                state: [uninterruptible, preempted]
                min_duration: 1ms
                max_duration: 2s
              biostat: {}
              fcount:
                events: [syscalls:sys_enter_write, kprobe:tcp_sendmsg]
            """)
        let tcpdrop = try #require(config.collectors[.tcpdrop])
        #expect(tcpdrop.verbosity == 3)
        #expect(tcpdrop.filter == ListenFilter(pids: [10, 20], cgroup: "kmon.slice", comm: "^kmon-service$"))
        #expect(tcpdrop.exportPeriodSeconds == 10)
        let offcpu = try #require(config.collectors[.offcpu])
        #expect(offcpu.verbosity == 2)
        #expect(offcpu.offCPU == OffCPUOptions(states: [.uninterruptible, .preempted], minNanoseconds: 1_000_000,
                                               maxNanoseconds: 2_000_000_000))
        #expect(config.collectors[.biostat] == CollectorSettings())
        #expect(config.collectors[.fcount]?.fcountEvents == ["syscalls:sys_enter_write", "kprobe:tcp_sendmsg"])
    }

    @Test("bad configs are errors that name what is wrong", arguments: [
        ("collector:\n  tcpfoo: {}", "unknown collector \"tcpfoo\""),
        ("collector:\n  offcpu:\n    verbose: 7", "bad verbosity \"7\" for offcpu: expected 1 to 3"),
        ("collector:\n  biostat:\n    verbose: 3", "bad verbosity \"3\" for biostat: expected 1 to 2"),
        ("collector:\n  tcpdrop:\n    verbose: loud", "collector.tcpdrop.verbose"),
        ("collector:\n  fcount:\n    events: [sys_enter_write]", "bad fcount event \"sys_enter_write\""),
        ("collector:\n  offcpu:\n    state: [sleeping]", "unknown task state \"sleeping\""),
        ("collector:\n  offcpu:\n    min_duration: 2s\n    max_duration: 1s", "min_duration"),
        ("collector:\n  offcpu:\n    min_duration: soon", "bad duration \"soon\""),
        // Each of these trapped converting to UInt64 nanoseconds (exit 132).
        ("collector:\n  offcpu:\n    min_duration: 1e30s",
         "collector.offcpu.min_duration must be from 0 to 31536000 seconds (got \"1e30s\")"),
        ("collector:\n  offcpu:\n    max_duration: inf", "collector.offcpu.max_duration must be from 0 to 31536000 seconds (got \"inf\")"),
        ("collector:\n  offcpu:\n    max_duration: nan", "collector.offcpu.max_duration must be from 0 to 31536000 seconds (got \"nan\")"),
        ("collector:\n  offcpu:\n    min_duration: 1e12h", "collector.offcpu.min_duration must be from 0 to 31536000 seconds"),
        ("collector:\n  offcpu:\n    min_duration: -1ms", "collector.offcpu.min_duration must be from 0 to 31536000 seconds (got \"-1ms\")"),
        ("collector:\n  tcpdrop:\n    export: { period: inf }", "collector.tcpdrop.export.period must be from 0.1 to 3600 seconds (got \"inf\")"),
        ("collector:\n  tcpdrop:\n    export: { period: 2h }", "collector.tcpdrop.export.period must be from 0.1 to 3600 seconds (got \"2h\")"),
        ("collector:\n  tcpdrop:\n    listen:\n      pid: [abc]", "\"abc\" is not a process id"),
        ("collector:\n  tcpdrop:\n    listen:\n      comm: \"([\"", "bad listen.comm regular expression"),
        ("collector:\n  tcpdrop:\n    listen:\n      user: root", "collector.tcpdrop.listen.user: unknown key"),
        ("collector:\n  biostat:\n    state: [preempted]", "collector.biostat.state: unknown key"),
        // Only tcpreq's programs check a cgroup id set.
        ("collector:\n  offcpu:\n    listen: { container: api }", "collector.offcpu.listen.container: unknown key"),
        ("collector:\n  tcpreq:\n    listen: { pod: \"(\" }", "collector.tcpreq.listen.pod: bad listen.pod regular expression"),
        ("collectors: {}", "collectors: unknown key"),
        ("collector: [", "not valid YAML"),
    ])
    func badConfig(yaml: String, expected: String) {
        let error = #expect(throws: CollectorError.self) { try CollectorConfigFile.parse(yaml: yaml) }
        #expect(error?.description.contains(expected) == true, "\(error?.description ?? "no error")")
    }

    @Test("tcpreq takes --container and --pod as listen keys")
    func tcpreqContainerKeys() throws {
        let config = try CollectorConfigFile.parse(yaml: "collector:\n  tcpreq:\n    listen: { container: \"^shop-\", pod: \"^prod/api-\" }")
        #expect(config.collectors[.tcpreq]?.filter.container == "^shop-")
        #expect(config.collectors[.tcpreq]?.filter.pod == "^prod/api-")
        let plan = try CollectorPlan.resolve(collect: nil, fcountEvents: [], verboseLevels: [], config: config, filter: ListenFilter())
        #expect(plan.runsTcpreq && plan.tcpreqFilter?.container == "^shop-")
    }

    @Test("durations keep their unit exactly")
    func durationUnits() throws {
        let config = try CollectorConfigFile.parse(yaml: "collector:\n  offcpu:\n    min_duration: 100ns\n    max_duration: 1h")
        #expect(config.collectors[.offcpu]?.offCPU.minNanoseconds == 100)
        #expect(config.collectors[.offcpu]?.offCPU.maxNanoseconds == 3_600_000_000_000)
    }

    @Test("collector lists and verbosity levels from flags")
    func flags() throws {
        #expect(try CollectorKind.list("tcpreq, tcpdrop,offcpu") == [.tcpreq, .tcpdrop, .offcpu])
        #expect(throws: CollectorError.self) { try CollectorKind.list("tcpdrop,bogus") }
        #expect(throws: CollectorError.self) { try OffCPUCollector(settings: CollectorSettings(verbosity: 4)) }
        #expect(throws: CollectorError.self) { try FCountCollector(settings: CollectorSettings()) }
        #expect(throws: CollectorError.self) { try CollectorRegistry.make(named: "biostat", verbosity: 0) }
        #expect(throws: CollectorError.self) { try FCountEvent(parsing: "syscalls:") }
        #expect(try FCountEvent(parsing: "kprobe:tcp_sendmsg") == .kprobe(function: "tcp_sendmsg"))
    }
}
