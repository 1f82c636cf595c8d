import KmonCollectors
import KmonTcpreq

/// One configuration the bench measures: no probes, one tcpreq probe variant in one span mode,
/// or one of Kmon's other collectors at one verbosity level. Typed from parsing to running.
public struct BenchArm: Hashable, Codable, Sendable, CustomStringConvertible {
    /// Which tcpreq variant the arm loads; nil for baselines and collectors.
    public var variant: ProbeVariant?
    /// The span assembly mode, for variants that have one (not `empty`).
    public var mode: SpanMode?
    /// The second baseline of the A/A pair, run like any other arm to measure the noise floor.
    public var isRepeat: Bool
    /// A collector (tcpdrop, offcpu, biostat, fcount) and its verbosity level.
    public var collector: CollectorKind?
    public var verbosity: Int?
    /// Which build of the probe's objects the arm loads, and how: the CI gate runs each probe arm
    /// with the base branch's objects too, and once more with this build's (its A/A pair);
    /// `--http-off` runs it once more with method and status reading off.
    public var build: Build = .current

    public enum Build: String, Hashable, Codable, Sendable {
        /// The objects built into this kmon.
        case current
        /// The objects from `--base-objects DIR`: `sock/kernel@base`.
        case base
        /// This build's objects again, loaded separately: `sock/kernel@aa`, the gate's noise floor.
        case again = "aa"
        /// This build's objects reading no payload (`targ_http` 0): `sock/kernel@nohttp`, what the
        /// arm cost before method and status, measured in place beside the arm that reads them.
        case noHTTP = "nohttp"
    }

    public static let baseline = BenchArm(variant: nil, mode: nil, isRepeat: false)
    public static let baselineRepeat = BenchArm(variant: nil, mode: nil, isRepeat: true)

    public static func probe(_ variant: ProbeVariant, mode: SpanMode? = nil) -> BenchArm {
        BenchArm(variant: variant, mode: variant == .empty ? nil : mode ?? .kernel, isRepeat: false)
    }

    public static func collector(_ kind: CollectorKind, verbosity: Int) -> BenchArm {
        BenchArm(variant: nil, mode: nil, isRepeat: false, collector: kind, verbosity: verbosity)
    }

    public var isBaseline: Bool { variant == nil && collector == nil }

    /// Whether the arm's probe reports per-request spans, so it gets accuracy runs.
    public var reportsSpans: Bool {
        guard let variant else { return false }
        return variant != .empty && mode != .histogram
    }

    /// The arm's name in tables and results.json: `baseline`, `baseline-aa`, `sock/kernel`, `offcpu@2`.
    public var name: String {
        if let collector { return "\(collector.rawValue)@\(verbosity ?? 1)" }
        guard let variant else { return isRepeat ? "baseline-aa" : "baseline" }
        let name = mode.map { "\(variant.rawValue)/\($0.rawValue)" } ?? variant.rawValue
        return build == .current ? name : "\(name)@\(build.rawValue)"
    }

    /// The same arm with another build of its objects.
    public func with(_ build: Build) -> BenchArm {
        var arm = self
        arm.build = build
        return arm
    }

    /// The variant column of results rows: the variant's name, or the arm's name.
    public var variantName: String { variant?.rawValue ?? name }

    public var description: String { name }
}
