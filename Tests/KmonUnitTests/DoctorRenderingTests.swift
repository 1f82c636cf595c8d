import Foundation
import KmonDoctor
import KmonFeatures
import KmonSupport
import Testing

@Suite struct DoctorRenderingTests {
    @Test func availabilityEncodesNullReason() throws {
        let data = try JSONEncoder().encode(HookAvailability(kind: .tpBTF, available: true, reason: nil))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        #expect(object?["kind"] as? String == "tp_btf")
        #expect(object?["available"] as? Bool == true)
        #expect(object?["reason"] is NSNull)
    }

    @Test func tableColumnsAlign() {
        let lines = TextTable.render(header: ["hook", "available"], rows: [["tracepoint", "yes"], ["tc", "no"]])
        #expect(lines == [
            "hook        available",
            "----------  ---------",
            "tracepoint  yes",
            "tc          no",
        ])
    }

    @Test func everyContractHookKindIsProbed() {
        #expect(HookKind.allCases.map(\.rawValue) == [
            "tracepoint", "raw_tracepoint", "tp_btf", "kprobe", "fentry", "uprobe",
            "sockops", "cgroup_skb", "tc", "ringbuf", "bpf_stats",
        ])
    }
}
