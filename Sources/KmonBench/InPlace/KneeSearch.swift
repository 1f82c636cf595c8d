import KmonSupport

/// Where the baseline's latency starts to climb: the load levels are fractions of this rate.
///
/// The knee is the highest rate of an increasing sweep whose p99 stays within `factor` times
/// the low-load p99 and whose achieved rate keeps up with the offered one, with every lower
/// rate of the sweep passing too. Past it, queueing swamps every probe effect.
public enum KneeSearch {
    public static let factor = 3.0
    /// The sweep, as fractions of closed-loop saturation: the first is the low-load reference.
    public static let fractions: [Double] = [0.1, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    /// A rate whose achieved rate is below this share of the offered one has fallen behind.
    public static let keepUp = 0.97

    public struct Point: Codable, Sendable, Equatable {
        public var rate: Double
        public var achievedRPS: Double
        public var p99Microseconds: Double

        public init(rate: Double, achievedRPS: Double, p99Microseconds: Double) {
            self.rate = rate
            self.achievedRPS = achievedRPS
            self.p99Microseconds = p99Microseconds
        }

        enum CodingKeys: String, CodingKey {
            case rate, achievedRPS = "achieved_rps", p99Microseconds = "p99_us"
        }
    }

    /// Whether `point` is still below the knee, judged against the low-load p99.
    public static func passes(_ point: Point, lowP99: Double) -> Bool {
        point.p99Microseconds <= factor * lowP99 && point.achievedRPS >= keepUp * point.rate
    }

    /// The knee rate from a sweep in increasing rate, the first point being the low-load
    /// reference; nil when even the second point fails (then there is no usable knee).
    public static func knee(_ sweep: [Point]) -> Double? {
        guard let low = sweep.first else { return nil }
        var knee: Double?
        for point in sweep.dropFirst() {
            guard passes(point, lowP99: low.p99Microseconds) else { break }
            knee = point.rate
        }
        return knee
    }
}

/// The knee search as results.json records it.
public struct KneeRecord: Codable, Sendable, Equatable {
    public var saturationRPS: Double
    public var factor: Double
    public var points: [KneeSearch.Point]
    /// Nil when no rate of the sweep stayed below the knee; the levels then use the lowest rate.
    @ExplicitNull public var kneeRPS: Double? = nil

    public init(saturationRPS: Double, factor: Double, points: [KneeSearch.Point], kneeRPS: Double?) {
        self.saturationRPS = saturationRPS
        self.factor = factor
        self.points = points
        self.kneeRPS = kneeRPS
    }

    enum CodingKeys: String, CodingKey {
        case factor, points, saturationRPS = "saturation_rps", kneeRPS = "knee_rps"
    }
}
