import Glibc
import KmonSystem
import KmonTcpreq

/// Which objects each probe arm loads: this build's, or for `@base` arms the base branch's
/// (`--base-objects DIR`), each with its injected extra work (`--inject-ns`, `--inject-base-ns`).
public struct ProbeObjects: Sendable {
    public var directory: String?
    public var base: [ProbeVariant: ExternalObject] = [:]
    public var injectLoops: UInt32 = 0
    public var injectBaseLoops: UInt32 = 0
    /// The variants whose programs get the injected loops; nil: every variant.
    public var injectVariants: Set<ProbeVariant>?

    public init() {}

    /// Reads and checks `directory/<object>.bpf.o` for each variant (exit 65 on a mismatch).
    /// Root loads this code into the kernel, so the directory, every one above it and the
    /// objects must be writable by no one but root and the user running kmon (`TrustedPath`).
    public init(baseDirectory directory: String, variants: [ProbeVariant]) throws {
        self.directory = directory
        let trusted: String
        do { trusted = try TrustedPath.check(directory) } catch { throw Self.untrusted(directory, error) }
        for variant in Set(variants) {
            let path = "\(trusted)/\(variant.objectName).bpf.o"
            if access(path, F_OK) == 0 {
                do { try TrustedPath.check(path) } catch { throw Self.untrusted(directory, error) }
            }
            base[variant] = try ExternalObject.load(path: path, variant: variant)
        }
    }

    static func untrusted(_ directory: String, _ error: Error) -> BenchError {
        BenchError(description: "--base-objects \(directory): \(error): another user could change the BPF code kmon loads as root; "
            + "build the objects into a directory only you can write, e.g. DIR=$(mktemp -d); scripts/build-bpf \"$DIR\" BPF_SRC")
    }

    public var hasBase: Bool { directory != nil }

    /// Every probe arm, then for the gate its `@base` and `@aa` twins.
    public func arms(_ arms: [BenchArm]) -> [BenchArm] {
        guard hasBase else { return arms }
        return arms + arms.filter { $0.variant != nil && $0.build == .current }.flatMap { [$0.with(.base), $0.with(.again)] }
    }

    func configure(_ configuration: inout TcpreqConfiguration, for arm: BenchArm) {
        if arm.build == .base { configuration.object = arm.variant.flatMap { base[$0] } }
        if arm.build == .noHTTP { configuration.readsHTTP = false }
        if let injectVariants, !(arm.variant.map(injectVariants.contains) ?? false) { return }
        switch arm.build {
        case .base:
            configuration.injectLoops = injectBaseLoops
        case .current, .again, .noHTTP:
            configuration.injectLoops = injectLoops
        }
    }
}
