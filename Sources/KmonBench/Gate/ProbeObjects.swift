import KmonTcpreq

/// Which objects each probe arm loads: this build's, or for `@base` arms the base branch's
/// (`--base-objects DIR`), each with its injected extra work (`--inject-ns`, `--inject-base-ns`).
public struct ProbeObjects: Sendable {
    public var directory: String?
    public var base: [ProbeVariant: ExternalObject] = [:]
    public var injectLoops: UInt32 = 0
    public var injectBaseLoops: UInt32 = 0

    public init() {}

    /// Reads and checks `directory/<object>.bpf.o` for each variant (exit 65 on a mismatch).
    public init(baseDirectory directory: String, variants: [ProbeVariant]) throws {
        self.directory = directory
        for variant in Set(variants) {
            base[variant] = try ExternalObject.load(path: "\(directory)/\(variant.objectName).bpf.o", variant: variant)
        }
    }

    public var hasBase: Bool { directory != nil }

    /// Every probe arm, then for the gate its `@base` and `@aa` twins.
    public func arms(_ arms: [BenchArm]) -> [BenchArm] {
        guard hasBase else { return arms }
        return arms + arms.filter { $0.variant != nil }.flatMap { [$0.with(.base), $0.with(.again)] }
    }

    func configure(_ configuration: inout TcpreqConfiguration, for arm: BenchArm) {
        switch arm.build {
        case .base:
            configuration.object = arm.variant.flatMap { base[$0] }
            configuration.injectLoops = injectBaseLoops
        case .current, .again:
            configuration.injectLoops = injectLoops
        }
    }
}
