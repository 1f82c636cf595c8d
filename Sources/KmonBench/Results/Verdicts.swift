/// A verdict per compared metric. Latency is judged at the median and at p99, never at p99 alone.
public struct Verdicts: Codable, Sendable, Equatable {
    public var p50: Verdict
    public var p99: Verdict
    public var cpu: Verdict

    public init(p50: Verdict, p99: Verdict, cpu: Verdict) {
        self.p50 = p50
        self.p99 = p99
        self.cpu = cpu
    }
}
