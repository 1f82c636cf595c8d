import KmonSupport

/// CPU time per request, µs: the services' cgroups (which hold the BPF time run in their
/// context), the agent's user space (ring-buffer consumer and span assembly), the BPF programs
/// (kernel run statistics, a part of the others), the load generator, and the whole machine.
public struct CPUBreakdown: Codable, Sendable, Equatable {
    @ExplicitNull public var services: Double? = nil
    @ExplicitNull public var agent: Double? = nil
    @ExplicitNull public var bpf: Double? = nil
    @ExplicitNull public var loadGenerator: Double? = nil
    @ExplicitNull public var machine: Double? = nil

    public init(services: Double?, agent: Double?, bpf: Double?, loadGenerator: Double?, machine: Double? = nil) {
        self.services = services
        self.agent = agent
        self.bpf = bpf
        self.loadGenerator = loadGenerator
        self.machine = machine
    }

    /// Everything Kmon adds: its agent and its programs.
    public var kmonTotal: Double? {
        guard agent != nil || bpf != nil else { return nil }
        return (agent ?? 0) + (bpf ?? 0)
    }

    enum CodingKeys: String, CodingKey { case services, agent, bpf, machine, loadGenerator = "load_generator" }
}
