/// Per-block values of the figures the regression gate compares, so a later run can test its
/// blocks against these with a rank test rather than against one number.
public struct GateSamples: Codable, Sendable, Equatable {
    public var p99Microseconds: [Double]
    /// Services + agent CPU µs per request, per block.
    public var cpuMicrosecondsPerRequest: [Double]
    public var runsPerRequest: [Double]
    public var bpfNanosecondsPerRun: [String: [Double]]

    public init(p99Microseconds: [Double] = [], cpuMicrosecondsPerRequest: [Double] = [], runsPerRequest: [Double] = [],
                bpfNanosecondsPerRun: [String: [Double]] = [:]) {
        self.p99Microseconds = p99Microseconds
        self.cpuMicrosecondsPerRequest = cpuMicrosecondsPerRequest
        self.runsPerRequest = runsPerRequest
        self.bpfNanosecondsPerRun = bpfNanosecondsPerRun
    }

    enum CodingKeys: String, CodingKey {
        case p99Microseconds = "p99_us", cpuMicrosecondsPerRequest = "cpu_us_per_req"
        case runsPerRequest = "runs_per_req", bpfNanosecondsPerRun = "bpf_ns_per_run"
    }
}
