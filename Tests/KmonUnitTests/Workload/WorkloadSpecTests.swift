import Foundation
import KmonWorkload
import Testing

@Suite struct WorkloadSpecTests {
    static let repoWorkloads = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("workloads")

    func error(_ yaml: String) -> WorkloadSpecError? { WorkloadSpecError.parsing(yaml, file: "bad.yaml") }

    @Test(arguments: ["single", "chain3", "fanout", "shop"])
    func shippedSpecsLoad(name: String) throws {
        let spec = try WorkloadSpec.load(path: Self.repoWorkloads.appendingPathComponent("\(name).yaml").path)
        #expect(spec.name == name)
        #expect(spec.service(named: spec.ingress) != nil)
        // Callees start before callers.
        let order = spec.startOrder.map(\.name)
        for edge in spec.edges { #expect(order.firstIndex(of: edge.callee)! < order.firstIndex(of: edge.caller)!) }
    }

    @Test func chain3HasTheExpectedShape() throws {
        let spec = try WorkloadSpec.load(path: Self.repoWorkloads.appendingPathComponent("chain3.yaml").path)
        #expect(spec.edges.map { "\($0.caller)>\($0.callee)" } == ["frontend>api", "api>store"])
        #expect(spec.service(named: "store")?.work == WorkSpec(cpuMicros: 10, sleepMicros: 50, responseBytes: 512))
        let fanout = try WorkloadSpec.load(path: Self.repoWorkloads.appendingPathComponent("fanout.yaml").path)
        #expect(fanout.service(named: "frontend")?.calls == [.parallel(["backend-a", "backend-b", "backend-c"])])
    }

    @Test func unknownServiceInACall() {
        let e = error("""
            ingress: a
            services:
              - {name: a, port: 1000, calls: [b, {parallel: [c, nope]}]}
              - {name: b, port: 1001}
              - {name: c, port: 1002}
            """)
        #expect(e?.file == "bad.yaml" && e?.service == "a" && e?.field == "calls[1].parallel[1]" && e?.value == "nope")
        #expect(e?.line == 3)
        #expect(e?.description.contains("unknown service \"nope\"") == true)
    }

    @Test func portClash() {
        let e = error("""
            ingress: a
            services:
              - {name: a, port: 1000}
              - {name: b, port: 1000}
            """)
        #expect(e?.service == "b" && e?.field == "port" && e?.value == "1000")
        #expect(e?.description.contains("service \"a\"") == true)
    }

    @Test func callCycle() {
        let e = error("""
            ingress: a
            services:
              - {name: a, port: 1000, calls: [b]}
              - {name: b, port: 1001, calls: [c]}
              - {name: c, port: 1002, calls: [a]}
            """)
        #expect(e?.service == "a" && e?.field == "calls" && e?.value == "a -> b -> c -> a")
    }

    @Test func negativeDuration() {
        let e = error("""
            ingress: a
            services:
              - name: a
                port: 1000
                work: {cpu_us: 5, sleep_us: -3}
            """)
        #expect(e?.service == "a" && e?.field == "work.sleep_us" && e?.value == "-3" && e?.line == 5)
    }

    /// `cpu_us: 20000000000000000` passed and the service trapped on its first request,
    /// computing the spin's end in UInt64 nanoseconds.
    @Test(arguments: [("cpu_us", "20000000000000000", "must be from 0 to 60000000 microseconds"),
                      ("sleep_us", "9223372036854775807", "must be from 0 to 60000000 microseconds"),
                      ("cpu_us", "2e16", "must be an integer"),
                      ("response_bytes", "16777217", "must be from 0 to 16777216 bytes")])
    func hugeWorkIsRefused(field: String, value: String, problem: String) {
        let e = error("""
            ingress: a
            services:
              - name: a
                port: 1000
                work: {\(field): \(value)}
            """)
        #expect(e?.field == "work.\(field)" && e?.value == value && e?.line == 5 && e?.problem == problem, "\(String(describing: e))")
    }

    @Test func unknownKey() {
        let e = error("""
            ingress: a
            services:
              - name: a
                port: 1000
                work: {cpu_ms: 5}
            """)
        #expect(e?.service == "a" && e?.field == "work.cpu_ms")
        #expect(e?.description.contains("unknown key") == true)
    }

    @Test func unknownIngress() {
        let e = error("ingress: x\nservices:\n  - {name: a, port: 1000}\n")
        #expect(e?.field == "ingress" && e?.value == "x")
    }

    @Test func processNamesMustDifferInTheirFirst15Bytes() {
        let e = error("ingress: checkout-service-a\nservices:\n  - {name: checkout-service-a, port: 1}\n  - {name: checkout-service-b, port: 2}\n")
        #expect(e?.service == "checkout-service-b" && e?.field == "name")
    }

    @Test func missingPortAndBadTypes() {
        #expect(error("ingress: a\nservices:\n  - {name: a}\n")?.field == "port")
        #expect(error("ingress: a\nservices:\n  - {name: a, port: http}\n")?.value == "http")
        #expect(error("ingress: a\nservices:\n  - {name: a, port: 70000}\n")?.field == "port")
        #expect(error("ingress: a\nservices: []\n")?.field == "services")
        #expect(error("ingress: [a\n")?.description.contains("not valid YAML") == true)
    }
}
