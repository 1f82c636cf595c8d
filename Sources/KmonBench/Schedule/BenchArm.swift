/// One configuration the bench measures: no probes, or one probe variant in one span mode.
public struct BenchArm: Hashable, Codable, Sendable, CustomStringConvertible {
    /// Which variant the arm loads; nil for the baselines.
    public var variant: String?
    /// The span assembly mode, for variants that have one.
    public var mode: String?
    /// The second baseline of the A/A pair, run like any other arm to measure the noise floor.
    public var isRepeat: Bool

    public static let baseline = BenchArm(variant: nil, mode: nil, isRepeat: false)
    public static let baselineRepeat = BenchArm(variant: nil, mode: nil, isRepeat: true)

    public static func probe(_ variant: String, mode: String? = nil) -> BenchArm {
        BenchArm(variant: variant, mode: mode, isRepeat: false)
    }

    public var isBaseline: Bool { variant == nil }

    /// The arm's name in tables and results.json: `baseline`, `baseline-aa`, `sock`, `sock/kernel`.
    public var name: String {
        guard let variant else { return isRepeat ? "baseline-aa" : "baseline" }
        return mode.map { "\(variant)/\($0)" } ?? variant
    }

    public var description: String { name }
}
