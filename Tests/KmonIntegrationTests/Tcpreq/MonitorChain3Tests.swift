import Foundation
import Glibc
import KmonLoad
import KmonTcpreq
import KmonWorkload
import Testing

/// The done criterion of `kmon monitor`: chain3 under steady load, watched by the real command,
/// must report per-service request counts within 0.1% of the load generator's and the
/// services' own records, exactly the spec's edges, and no losses.
@Suite("kmon monitor on chain3", .serialized)
struct MonitorChain3Tests {
    /// Each variant's default path, and again with every optional kernel feature off (the path of
    /// kernels that refuse them), whichever kind of kernel runs the tests.
    @Test(Privileged.enabled, arguments: [(ProbeVariant.sock, SpanMode.kernel, false), (.sock, .kernel, true), (.syscall, .kernel, false),
                                          (.syscall, .kernel, true), (.sock, .user, false)])
    func countsAndTopologyMatchGroundTruth(variant: ProbeVariant, mode: SpanMode, optionalOff: Bool) throws {
        try Privileged.check()
        let recorded = try RecordedWorkload("chain3")
        defer { recorded.remove() }
        let spec = recorded.spec, workload = recorded.running

        let monitor = try ChildMonitor(arguments: ["--variant", variant.rawValue, "--mode", mode.rawValue, "--json", "--interval", "0.2"]
                                       + recorded.pidArguments,
                                       environment: optionalOff ? ["KMON_DISABLE_FEATURES": "iter,test_run_on_cpu,sk_storage,tcp_read_clock"] : [:])
        defer { monitor.kill() }
        try monitor.waitUntilWatching(timeout: 30)

        let truth = try SteadyLoad.run(on: workload)

        let summary = try monitor.interruptAndReadSummary()
        #expect(workload.stop().isEmpty)

        let served = try recorded.servedOnWorkRoute()
        let counts = Dictionary(summary.services.map { ($0.name, Int($0.requests)) }, uniquingKeysWith: +)
        for service in spec.services {
            let seen = counts[service.name] ?? 0
            let expected = served[service.name] ?? -1
            #expect(abs(seen - expected) <= expected / 1000, "\(service.name): kmon \(seen), service records \(expected)")
        }
        let ingressCount = counts[spec.ingress] ?? 0
        #expect(abs(ingressCount - truth.count) <= truth.count / 1000, "ingress: kmon \(ingressCount), load generator \(truth.count)")

        let edges = Set(summary.edges.map { "\($0.from)->\($0.to)" })
        #expect(edges == Set(spec.edges.map { "\($0.caller)->\($0.callee)" }))
        for edge in summary.edges { #expect(edge.requests == UInt64(served[edge.to] ?? -1), "\(edge.from)->\(edge.to)") }
        #expect(summary.lost == 0)
        #expect(summary.skipped.isEmpty)
        if optionalOff {
            // No variant needs the iterator any more: sock's stop walks its in-flight index. Without
            // socket storage sock keeps its state in conn_table; syscall never used storage, nor
            // TCP's read clock.
            let expected: Set<String> = variant == .sock ? ["sk_storage", "tcp_read_clock", "test_run_on_cpu"] : ["test_run_on_cpu"]
            #expect(Set(summary.degraded.map(\.feature)) == expected)
            #expect(monitor.stderr.contains("kmon: degraded: test_run_on_cpu off (disabled by KMON_DISABLE_FEATURES)"))
        }
        // Every program ran: the syscall variant's two programs run on every system call.
        let idle = Set(summary.programs.filter { $0.runs == 0 }.map(\.name))
        #expect(idle.isEmpty, "programs that never ran: \(idle.sorted())")
    }

    @Test("kprobe is reported skipped with the kernel's reason, exit 69", Privileged.enabled,
          .enabled(if: TcpreqSession.unavailableReason(.kprobe) != nil, "this kernel allows kprobes: nothing is skipped"))
    func kprobeIsReportedSkipped() throws {
        try expectReportedSkipped(.kprobe)
    }

    @Test("fentry is reported skipped with the kernel's reason, exit 69", Privileged.enabled,
          .enabled(if: TcpreqSession.unavailableReason(.fentry) != nil, "this kernel allows fentry: nothing is skipped"))
    func fentryIsReportedSkipped() throws {
        try expectReportedSkipped(.fentry)
    }

    private func expectReportedSkipped(_ variant: ProbeVariant) throws {
        try Privileged.check()
        let result = try runCommand(BuildProducts.executable("kmon"), ["monitor", "--variant", variant.rawValue, "--json", "--duration", "1"])
        #expect(result.status == 69)
        let summary = try JSONDecoder().decode(TcpreqSummary.self, from: Data(result.stdout.utf8))
        #expect(summary.skipped.map(\.variant) == [variant.rawValue])
        #expect(summary.skipped.first.map { !$0.reason.isEmpty } == true)
        #expect(result.stderr.contains("\(variant.rawValue) variant unavailable"))
    }
}
