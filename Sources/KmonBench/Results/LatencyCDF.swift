/// Corrected client latency of one arm at one load, pooled over its blocks: [quantile, µs] points.
public struct LatencyCDF: Codable, Sendable {
    public var arm: String
    public var load: Double
    public var points: [[Double]]

    public init(arm: String, load: Double, points: [[Double]]) {
        self.arm = arm
        self.load = load
        self.points = points
    }

    /// Points at quantiles dense in the tail, where latency distributions differ.
    public static let quantiles: [Double] = {
        let body = stride(from: 0.0, through: 0.9, by: 0.05).map { $0 }
        return body + [0.95, 0.97, 0.98, 0.99, 0.995, 0.999, 0.9995, 0.9999, 1.0]
    }()
}
