import BPF
import Foundation
import Glibc

/// Finds which optional and required kernel features work, by loading (and where it means
/// anything, running) one tiny program each from bpf/hookprobe.bpf.c. The kernel's answers are
/// cached for the process; `KMON_DISABLE_FEATURES` is applied on top of them at every call.
public enum FeatureProbe {
    public static func checkAll() throws -> [FeatureAvailability] {
        let disabled = try DisabledFeatures.fromEnvironment()
        return KernelFeature.allCases.map { check($0, disabled: disabled) }
    }

    /// `feature` as a session sees it: refused by the kernel, disabled by the environment, or on.
    public static func check(_ feature: KernelFeature, disabled: DisabledFeatures) -> FeatureAvailability {
        if disabled.contains(feature) {
            return FeatureAvailability(feature: feature, available: false, reason: "disabled by \(DisabledFeatures.variable)")
        }
        return kernelAnswer(feature)
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var answers: [KernelFeature: FeatureAvailability] = [:]

    private static func kernelAnswer(_ feature: KernelFeature) -> FeatureAvailability {
        if let known = lock.withLock({ answers[feature] }) { return known }
        let answer: FeatureAvailability
        do {
            try LibbpfLog.demotingWarnings { try exercise(feature) }
            answer = FeatureAvailability(feature: feature, available: true, reason: nil)
        } catch let error as BPFError {
            answer = FeatureAvailability(feature: feature, available: false, reason: HookProbe.describe(error))
        } catch {
            answer = FeatureAvailability(feature: feature, available: false, reason: "\(error)")
        }
        lock.withLock { answers[feature] = answer }
        return answer
    }

    private static func exercise(_ feature: KernelFeature) throws {
        switch feature {
        case .iterator:
            // Both iterator targets tcpreq could use; either refused means no stop flush.
            let byElement = try HookProbe.loadAlone("probe_iter_map_elem", maps: ["probe_hash"])
            let overElements = try byElement.program("probe_iter_map_elem").attachIterator(map: try byElement.map("probe_hash"))
            defer { try? overElements.link.detach() }
            try overElements.run()
            let bySocket = try HookProbe.loadAlone("probe_iter_sk_storage", maps: ["probe_sk_storage_map"])
            let overSockets = try bySocket.program("probe_iter_sk_storage").attachIterator(map: try bySocket.map("probe_sk_storage_map"))
            defer { try? overSockets.link.detach() }
            try overSockets.run()
        case .testRunOnCPU:
            let object = try HookProbe.loadAlone("probe_test_run_on_cpu", maps: [])
            let cpu = try OnlineCPUs.current().last ?? 0 // another CPU than ours, where there is one
            let answer = try object.program("probe_test_run_on_cpu").run(onCPU: cpu, arguments: [41])
            guard answer == 42 else {
                throw BPFError(call: "bpf_prog_test_run_opts", errno: EIO, context: "test run on CPU \(cpu) answered \(answer), not 42")
            }
        case .socketStorage:
            let object = try HookProbe.loadAlone("probe_sk_storage", maps: ["probe_sk_storage_map"])
            try object.program("probe_sk_storage").attach().detach()
        case .taskStorage:
            let object = try HookProbe.loadAlone("probe_task_storage", maps: ["probe_task_storage_map"])
            try object.program("probe_task_storage").attach().detach()
        case .readClock:
            let object = try HookProbe.loadAlone("probe_read_clock", maps: ["probe_read_clock_lag"]) {
                try $0.setGlobal("targ_probe_tgid", to: UInt32(getpid()))
            }
            let link = try object.program("probe_read_clock").attach()
            do { try PausedRead.run(pauseMicroseconds: 5_000) } catch { try? link.detach(); throw error }
            try link.detach()
            let lag = try object.map("probe_read_clock_lag").lookup(UInt32(0), as: UInt64.self) ?? 0
            // The pause is 5 ms: a read that refreshed the clock trails by a microsecond or so.
            guard lag > 0, lag < 1_000_000 else {
                throw BPFError(call: "probe_read_clock", errno: ENOTSUP,
                               context: lag == 0 ? "saw no read" : "TCP's clock trailed a read by \(lag / 1_000) us: reads do not refresh it")
            }
        }
    }
}

/// The optional features named in `KMON_DISABLE_FEATURES` (a comma list, e.g.
/// `iter,test_run_on_cpu`): Kmon treats them as refused even where the kernel allows them, so
/// the degraded paths can be tested on any machine.
public struct DisabledFeatures: Sendable, Equatable {
    public static let variable = "KMON_DISABLE_FEATURES"
    public let features: Set<KernelFeature>

    public init(_ features: Set<KernelFeature> = []) { self.features = features }

    public func contains(_ feature: KernelFeature) -> Bool { features.contains(feature) }

    public static func fromEnvironment() throws -> DisabledFeatures {
        try parse(ProcessInfo.processInfo.environment[variable] ?? "")
    }

    public static func parse(_ text: String) throws -> DisabledFeatures {
        var features = Set<KernelFeature>()
        for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            guard let feature = KernelFeature(rawValue: name), feature.isOptional else {
                let optional = KernelFeature.allCases.filter(\.isOptional).map(\.rawValue).joined(separator: ", ")
                throw DisabledFeaturesError(description: "\(variable) names '\(name)', which is not an optional feature (\(optional))")
            }
            features.insert(feature)
        }
        return DisabledFeatures(features)
    }
}

public struct DisabledFeaturesError: Error, CustomStringConvertible, Equatable {
    public var description: String
}
