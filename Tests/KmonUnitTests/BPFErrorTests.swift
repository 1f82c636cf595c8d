import BPF
import Glibc
import Testing

@Suite struct BPFErrorTests {
    @Test func namesTheCallAndErrno() {
        let error = BPFError(call: "bpf_object__load", errno: EPERM, context: "loading tcpreq_sock")
        #expect(error.description == "loading tcpreq_sock: bpf_object__load failed: EPERM (Operation not permitted)")
    }

    @Test func showsOnlyTheVerifierLogTail() {
        let log = (1...20).map { "line \($0)" }.joined(separator: "\n")
        let error = BPFError(call: "bpf_object__load", errno: EACCES, context: "loading x", verifierLog: log)
        #expect(error.verifierSummary(lines: 3) == "line 18\nline 19\nline 20")
        #expect(error.description.hasSuffix("verifier log (last lines):\n" + (13...20).map { "line \($0)" }.joined(separator: "\n")))
        #expect(!error.description.contains("line 12"))
    }

    @Test func unknownErrnoStillReadable() {
        let error = BPFError(call: "bpf_link__destroy", errno: 524, context: "detaching")
        #expect(error.errnoDescription.hasPrefix("ENOTSUPP"))
        let odd = BPFError(call: "x", errno: 200, context: "y")
        #expect(odd.errnoDescription.hasPrefix("errno 200"))
    }
}
