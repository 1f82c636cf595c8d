/// One configuration the bench measures: no probes, one tcpreq probe variant in one span mode,
/// or one of Kmon's other collectors at one verbosity level.
public struct BenchArm: Hashable, Codable, Sendable, CustomStringConvertible {
    /// Which tcpreq variant the arm loads; nil for baselines and collectors.
    public var variant: String?
    /// The span assembly mode, for variants that have one.
    public var mode: String?
    /// The second baseline of the A/A pair, run like any other arm to measure the noise floor.
    public var isRepeat: Bool
    /// A collector (tcpdrop, offcpu, biostat, fcount) and its verbosity level.
    public var collector: String?
    public var verbosity: Int?

    public static let baseline = BenchArm(variant: nil, mode: nil, isRepeat: false)
    public static let baselineRepeat = BenchArm(variant: nil, mode: nil, isRepeat: true)

    public static func probe(_ variant: String, mode: String? = nil) -> BenchArm {
        BenchArm(variant: variant, mode: mode, isRepeat: false)
    }

    public static func collector(_ name: String, verbosity: Int) -> BenchArm {
        BenchArm(variant: nil, mode: nil, isRepeat: false, collector: name, verbosity: verbosity)
    }

    public var isBaseline: Bool { variant == nil && collector == nil }

    /// The arm's name in tables and results.json: `baseline`, `baseline-aa`, `sock/kernel`, `offcpu@2`.
    public var name: String {
        if let collector { return "\(collector)@\(verbosity ?? 1)" }
        guard let variant else { return isRepeat ? "baseline-aa" : "baseline" }
        return mode.map { "\(variant)/\($0)" } ?? variant
    }

    public var description: String { name }
}
