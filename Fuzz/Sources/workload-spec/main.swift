import FuzzSupport
import KmonWorkload

// The workload spec loader (`workload up`, `load`, `bench --workload`): YAML in, a validated
// spec or one WorkloadSpecError out, never a trap. A spec it accepts must be one the harness can
// start: every callee known, a start order holding every service once.
Fuzzer.run { bytes in
    let spec: WorkloadSpec
    do {
        spec = try WorkloadSpec.parse(yaml: String(decoding: bytes, as: UTF8.self), file: "fuzz.yaml")
    } catch is WorkloadSpecError {
        return
    } catch {
        preconditionFailure("not a WorkloadSpecError: \(error)")
    }
    precondition(spec.service(named: spec.ingress) != nil, "ingress is not a service")
    precondition(spec.edges.allSatisfy { spec.service(named: $0.callee) != nil }, "a callee is not a service")
    precondition(spec.startOrder.map(\.name).sorted() == spec.services.map(\.name).sorted(), "start order is not the services")
    _ = spec.services.map(\.processName)
}
