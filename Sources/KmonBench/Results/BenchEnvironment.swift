import KmonSupport

public struct BenchEnvironment: Codable, Sendable {
    public var kernel: String
    public var cpu: String
    public var cores: Int
    public var machine: String
    public var hostname: String
    @ExplicitNull public var memoryMB: Double? = nil
    @ExplicitNull public var bpfStats: String? = nil

    public init(kernel: String, cpu: String, cores: Int, machine: String, hostname: String,
                memoryMB: Double?, bpfStats: String?) {
        self.kernel = kernel
        self.cpu = cpu
        self.cores = cores
        self.machine = machine
        self.hostname = hostname
        self.memoryMB = memoryMB
        self.bpfStats = bpfStats
    }

    enum CodingKeys: String, CodingKey {
        case kernel, cpu, cores, machine, hostname
        case memoryMB = "memory_mb", bpfStats = "bpf_stats"
    }
}
