import KmonSupport

/// Minimum detectable effect of each compared metric, percent (nil below two A/A blocks).
public struct MetricMDE: Codable, Sendable, Equatable {
    @ExplicitNull public var p50: Double? = nil
    @ExplicitNull public var p90: Double? = nil
    @ExplicitNull public var p99: Double? = nil
    @ExplicitNull public var mean: Double? = nil
    @ExplicitNull public var cpu: Double? = nil
    @ExplicitNull public var machine: Double? = nil

    public init(p50: Double? = nil, p90: Double? = nil, p99: Double? = nil, mean: Double? = nil, cpu: Double? = nil,
                machine: Double? = nil) {
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.mean = mean
        self.cpu = cpu
        self.machine = machine
    }
}
