import Histogram
import KmonFeatures
import KmonSystem

/// What one scheduled run measured, before any statistics across blocks.
public struct RunMeasurement: Sendable {
    public var run: ScheduledRun
    /// Why the run's numbers cannot be used (a service died, the load generator failed); nil if valid.
    public var invalidReason: InvalidReason?
    public var offeredRPS: Double?
    public var achievedRPS: Double
    /// Requests the load generator sent in the whole run, warm-up included: the divisor for
    /// per-request costs, since services, agent and programs work during warm-up too.
    public var requests: Int
    /// Client latency from the intended send time, ns, after warm-up.
    public var latency: LatencyDistribution
    /// CPU µs over the whole run.
    public var serviceCPUMicroseconds: Double?
    public var agentCPUMicroseconds: Double?
    public var loadGeneratorCPUMicroseconds: Double?
    /// Per program: kernel-reported runs and run time over the session.
    public var programs: [String: ProgramRunStats]
    public var eventsLost: UInt64
    public var agentRSSMegabytes: Double?
    /// Per-request accuracy, for arms whose probe reports spans.
    public var accuracy: RunAccuracy?
    /// Optional kernel features the arm's probe ran without.
    public var degraded: [Degradation] = []

    public init(run: ScheduledRun, invalidReason: InvalidReason? = nil, offeredRPS: Double?, achievedRPS: Double, requests: Int,
                latency: LatencyDistribution, serviceCPUMicroseconds: Double?, agentCPUMicroseconds: Double?,
                loadGeneratorCPUMicroseconds: Double?, programs: [String: ProgramRunStats], eventsLost: UInt64,
                agentRSSMegabytes: Double?, accuracy: RunAccuracy?) {
        self.run = run
        self.invalidReason = invalidReason
        self.offeredRPS = offeredRPS
        self.achievedRPS = achievedRPS
        self.requests = requests
        self.latency = latency
        self.serviceCPUMicroseconds = serviceCPUMicroseconds
        self.agentCPUMicroseconds = agentCPUMicroseconds
        self.loadGeneratorCPUMicroseconds = loadGeneratorCPUMicroseconds
        self.programs = programs
        self.eventsLost = eventsLost
        self.agentRSSMegabytes = agentRSSMegabytes
        self.accuracy = accuracy
    }

    public var isValid: Bool { invalidReason == nil }

    func perRequest(_ microseconds: Double?) -> Double? {
        guard let microseconds, requests > 0 else { return nil }
        return microseconds / Double(requests)
    }

    var bpfMicrosecondsPerRequest: Double? {
        programs.isEmpty ? nil : perRequest(Double(programs.values.totalRunTimeNanoseconds) / 1000)
    }

    var runsPerRequest: Double? {
        programs.isEmpty || requests == 0 ? nil : Double(programs.values.totalRunCount) / Double(requests)
    }

    /// What the gate calls CPU per request: everything the request costs the machine apart from
    /// the load generator.
    var totalCPUPerRequest: Double? {
        guard let services = perRequest(serviceCPUMicroseconds) else { return nil }
        return services + (perRequest(agentCPUMicroseconds) ?? 0) + (bpfMicrosecondsPerRequest ?? 0)
    }
}

/// A latency distribution in ns, as an HdrHistogram (3 significant digits) so blocks pool cheaply.
public struct LatencyDistribution: Sendable {
    public private(set) var histogram: Histogram<UInt64>

    public init() {
        histogram = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000_000,
                                      numberOfSignificantValueDigits: .three)
        histogram.autoResize = true
    }

    public init<S: Sequence>(nanoseconds: S) where S.Element == UInt64 {
        self.init()
        for value in nanoseconds { _ = histogram.record(max(value, 1)) }
    }

    public var count: UInt64 { histogram.totalCount }

    public mutating func add(_ other: LatencyDistribution) { histogram.add(other.histogram) }

    public mutating func record(nanoseconds: UInt64) { _ = histogram.record(max(nanoseconds, 1)) }

    /// The q-quantile (0...1) in µs; nil when empty.
    public func microseconds(atQuantile q: Double) -> Double? {
        count == 0 ? nil : Double(histogram.valueAtPercentile(q * 100)) / 1000
    }
}
