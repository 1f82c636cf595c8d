import CLibbpf
import Glibc

/// A `tc` (clsact) program attached to one interface direction. tc attachments are not BPF
/// links in this libbpf, so this class gives them the same contract: `detach()`, with `deinit`
/// as the backstop. The clsact qdisc is removed again only if we created it.
public final class TCAttachment {
    public let program: BPFProgram
    public let interfaceIndex: Int32
    public let ingress: Bool
    private var handle: UInt32 = 0
    private var priority: UInt32 = 0
    private var createdQdisc: Int32 = 0
    private var attached = false

    init(program: BPFProgram, interfaceIndex: Int32, ingress: Bool) throws {
        self.program = program
        self.interfaceIndex = interfaceIndex
        self.ingress = ingress
        let result = kmon_tc_attach(interfaceIndex, ingress ? 1 : 0, program.fd, &handle, &priority, &createdQdisc)
        try BPFError.check(result, "bpf_tc_attach", "attaching \(program.name) to interface \(interfaceIndex) \(ingress ? "ingress" : "egress")")
        attached = true
    }

    public func detach() throws {
        guard attached else { return }
        attached = false
        let result = kmon_tc_detach(interfaceIndex, ingress ? 1 : 0, handle, priority, createdQdisc)
        try BPFError.check(result, "bpf_tc_detach", "detaching \(program.name) from interface \(interfaceIndex)")
    }

    deinit { try? detach() }
}

extension BPFProgram {
    /// Attaches a `tc` program to the interface's ingress or egress.
    public func attachTC(interfaceIndex: Int32, ingress: Bool) throws -> TCAttachment {
        try TCAttachment(program: self, interfaceIndex: interfaceIndex, ingress: ingress)
    }
}
