import KmonCollectors
import KmonTcpreq

/// Turns the CLI's lists into arms and load levels, refusing anything unknown or out of range.
public enum BenchOptionsParser {
    public static let variantNames = ProbeVariant.allCases.map(\.rawValue)
    public static let modeNames = SpanMode.allCases.map(\.rawValue)

    public static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// `baseline` and its A/A twin first, then `empty` (its mode is meaningless), then every
    /// other variant in every mode.
    public static func arms(variants: String, modes: String) throws -> [BenchArm] {
        let variantList = list(variants), modeList = list(modes)
        for name in variantList where !variantNames.contains(name) && name != "baseline" { throw BenchError.unknownVariant(name) }
        for name in modeList where !modeNames.contains(name) { throw BenchError.unknownMode(name) }
        guard !modeList.isEmpty else { throw BenchError(description: "--modes needs at least one of \(modeNames.joined(separator: ", "))") }
        var arms: [BenchArm] = [.baseline, .baselineRepeat]
        for name in variantList where name != "baseline" {
            guard let variant = ProbeVariant(rawValue: name) else { throw BenchError.unknownVariant(name) }
            let new = variant == .empty ? [BenchArm.probe(variant)]
                : modeList.compactMap(SpanMode.init(rawValue:)).map { BenchArm.probe(variant, mode: $0) }
            for arm in new where !arms.contains(arm) { arms.append(arm) }
        }
        return arms
    }

    /// `--http-off`: after `arms`, each arm that reads method and status (a probe in kernel or
    /// user mode) once more as `ARM@nohttp`, reading none.
    public static func withHTTPOff(_ arms: [BenchArm]) -> [BenchArm] {
        arms + arms.filter { arm in
            arm.variant.map { $0 != .empty } == true && arm.mode != .histogram
        }.map { $0.with(.noHTTP) }
    }

    /// Collector arms: `offcpu@2` (one level) or `offcpu` (every level it has).
    public static func collectorArms(_ text: String) throws -> [BenchArm] {
        var arms: [BenchArm] = []
        for item in list(text) {
            let parts = item.split(separator: "@", maxSplits: 1).map(String.init)
            guard let kind = CollectorKind(rawValue: parts[0]), kind != .tcpreq else {
                throw BenchError(description: "unknown collector '\(parts[0])'; choose from \(collectorNames.joined(separator: ", ")), optionally @LEVEL (e.g. offcpu@2)")
            }
            let levels: [Int]
            if parts.count == 2 {
                guard let level = Int(parts[1]), (1...kind.maxVerbosity).contains(level) else {
                    throw BenchError(description: "collector level '\(item)' is out of range: \(kind.rawValue) has levels 1 to \(kind.maxVerbosity) (\(kind.verbosityLevels))")
                }
                levels = [level]
            } else {
                levels = Array(1...kind.maxVerbosity)
            }
            for level in levels where !arms.contains(.collector(kind, verbosity: level)) {
                arms.append(.collector(kind, verbosity: level))
            }
        }
        return arms
    }

    public static let collectorNames = CollectorKind.allCases.filter { $0 != .tcpreq }.map(\.rawValue)

    public static func loads(_ text: String) throws -> [Double] {
        let items = list(text)
        guard !items.isEmpty else { throw BenchError.badLoad(text) }
        var loads: [Double] = []
        for item in items {
            guard let value = Double(item.hasSuffix("%") ? String(item.dropLast()) : item), value > 0, value <= 100 else {
                throw BenchError.badLoad(item)
            }
            if !loads.contains(value) { loads.append(value) }
        }
        return loads
    }
}

/// Run lengths: the default (about 5 minutes for chain3 with five arms on 2 cores), `--quick`
/// (under a minute, rough figures) and `--preset paper`.
public struct BenchPreset: Sendable, Equatable {
    public var loads: [Double]
    public var lengths: RunLengths
    public var variants: String
    public var modes: String
    public var collectors: String

    public static let standard = BenchPreset(loads: [25, 50, 75],
                                             lengths: RunLengths(blocks: 30, saturationBlocks: 8, phaseSeconds: 0.5, settleSeconds: 0.1,
                                                                 kneeSeconds: 1, accuracySeconds: 2, warmupSeconds: 0.5, connections: 8,
                                                                 triggerBlocks: 10, triggerIterations: triggerIterations),
                                             variants: "empty,sock,syscall", modes: "kernel", collectors: "")
    /// The fewest blocks per load level and at the trigger level with `--base-objects`: the gate's
    /// tests are corrected (Holm) for their number, and a cost figure needs 10 paired blocks or
    /// more to be significant at all (`InRunGate.Thresholds.minimumPairedBlocks`); 12 leave two
    /// blocks to lose (off schedule, noisy) and keep a default-variant `--quick` gate under 2 minutes.
    public static let gateBlocks = 12
    /// Driver iterations per trigger phase: about 0.2 s on the 2-core VM with a probe attached,
    /// and some 10^5 runs of each hot program (each iteration sends and receives twice).
    public static let triggerIterations = 20_000

    public static let quick = BenchPreset(loads: [50],
                                          lengths: RunLengths(blocks: 10, saturationBlocks: 4, phaseSeconds: 0.3, settleSeconds: 0.08,
                                                              kneeSeconds: 0.5, accuracySeconds: 3, warmupSeconds: 0.3, connections: 8,
                                                              triggerBlocks: 4, triggerIterations: triggerIterations),
                                          variants: "empty,sock,syscall", modes: "kernel", collectors: "")
    /// Kmon's own configurations as arms: tcpreq with every event through the ring (user, as the
    /// original did) and with spans assembled in the kernel, the original kprobe/fentry hooks
    /// (skipped with the kernel's reason where they cannot attach), and every other collector at
    /// its lowest and highest verbosity.
    public static let paper = BenchPreset(loads: [50], lengths: standard.lengths, variants: "empty,sock,syscall,kprobe,fentry", modes: "user,kernel",
                                          collectors: "tcpdrop@1,tcpdrop@3,offcpu@1,offcpu@3,biostat@1,biostat@2,fcount@1")
}
