import Histogram

/// What a run measured, over the requests intended after warm-up. Latencies come from
/// HdrHistograms (3 significant digits) and are given in microseconds.
public struct LoadSummary: Codable, Sendable, Equatable {
    public struct Percentiles: Codable, Sendable, Equatable {
        public var p50: Double
        public var p90: Double
        public var p99: Double
        public var p999: Double
        public var max: Double
    }

    public struct Lag: Codable, Sendable, Equatable {
        public var p50: Double
        public var p99: Double
        public var max: Double
    }

    /// Requests intended after warm-up that got a complete response.
    public var requests: Int
    /// Requests intended after warm-up that failed (timeouts, resets, refused, incomplete).
    public var errors: Int
    public var timeouts: Int
    /// Open loop: requests intended before the deadline that never left (the server or the
    /// generator could not keep up). They are in no latency figure: a sign of overload.
    public var unsent: Int
    /// Open loop: the asked rate; nil for closed loop.
    public var offeredRPS: Double?
    /// Successful responses completed inside the measured window, per second of it.
    public var achievedRPS: Double
    public var durationSeconds: Double
    /// Coordinated-omission-corrected: intended send to response complete.
    public var latencyMicros: Percentiles
    /// Actual send start to response complete: what a probe on the wire can see.
    public var uncorrectedLatencyMicros: Percentiles
    /// Actual send start minus intended, for every request.
    public var scheduleLagMicros: Lag
    /// The same over requests whose connection had room at their intended time: the
    /// generator's own timing error, without waits for a busy connection.
    public var generatorLagMicros: Lag
    /// Requests that found their connection busy (or not yet connected) at their intended time.
    public var waitedForConnection: Int

    enum CodingKeys: String, CodingKey {
        case requests, errors, timeouts, unsent
        case offeredRPS = "offered_rps"
        case achievedRPS = "achieved_rps"
        case durationSeconds = "duration_s"
        case latencyMicros = "latency_us"
        case uncorrectedLatencyMicros = "uncorrected_latency_us"
        case scheduleLagMicros = "schedule_lag_us"
        case generatorLagMicros = "generator_lag_us"
        case waitedForConnection = "waited_for_connection"
    }

    /// Summarizes `records` over the measured window `[measureStartNs, measureEndNs)`.
    public init(records: [GroundTruthRecord], measureStartNs: UInt64, measureEndNs: UInt64, offeredRPS: Double?, unsent: Int) {
        var corrected = Self.histogram()
        var uncorrected = Self.histogram()
        var lag = Self.histogram()
        var generatorLag = Self.histogram()
        var requests = 0, waited = 0, errors = 0, timeouts = 0, completedInWindow = 0
        for r in records where !r.flags.contains(.warmUp) {
            if r.failed {
                errors += 1
                if r.flags.contains(.timeout) { timeouts += 1 }
                continue
            }
            requests += 1
            corrected.record(r.correctedLatencyNs)
            uncorrected.record(r.uncorrectedLatencyNs)
            lag.record(r.scheduleLagNs)
            if r.flags.contains(.waitedForConnection) { waited += 1 } else { generatorLag.record(r.scheduleLagNs) }
            if r.completeNs >= measureStartNs && r.completeNs < measureEndNs { completedInWindow += 1 }
        }
        let seconds = Double(measureEndNs &- measureStartNs) / 1e9
        self.requests = requests
        self.errors = errors
        self.timeouts = timeouts
        self.unsent = unsent
        self.offeredRPS = offeredRPS
        self.achievedRPS = seconds > 0 ? Double(completedInWindow) / seconds : 0
        self.durationSeconds = seconds
        self.latencyMicros = Self.percentiles(corrected)
        self.uncorrectedLatencyMicros = Self.percentiles(uncorrected)
        self.scheduleLagMicros = Self.lag(lag)
        self.generatorLagMicros = Self.lag(generatorLag)
        self.waitedForConnection = waited
    }

    private static func histogram() -> Histogram<UInt64> {
        var h = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000_000, numberOfSignificantValueDigits: .three)
        h.autoResize = true
        return h
    }

    private static func micros(_ h: Histogram<UInt64>, _ percentile: Double) -> Double {
        h.totalCount == 0 ? 0 : Double(h.valueAtPercentile(percentile)) / 1000
    }

    private static func lag(_ h: Histogram<UInt64>) -> Lag {
        Lag(p50: micros(h, 50), p99: micros(h, 99), max: h.totalCount == 0 ? 0 : Double(h.max) / 1000)
    }

    private static func percentiles(_ h: Histogram<UInt64>) -> Percentiles {
        Percentiles(p50: micros(h, 50), p90: micros(h, 90), p99: micros(h, 99), p999: micros(h, 99.9),
                    max: h.totalCount == 0 ? 0 : Double(h.max) / 1000)
    }
}
