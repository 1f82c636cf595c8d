import Kmon

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
        for variant in variantList where variant != "baseline" {
            let new = variant == ProbeVariant.empty.rawValue ? [BenchArm.probe(variant)] : modeList.map { BenchArm.probe(variant, mode: $0) }
            for arm in new where !arms.contains(arm) { arms.append(arm) }
        }
        return arms
    }

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

/// Run lengths: the default (about 5 minutes for chain3 with four arms on 2 cores), `--quick`
/// (about 90 s, rough tails) and `--preset paper`.
public struct BenchPreset: Sendable, Equatable {
    public var loads: [Double]
    public var blocks: Int
    public var saturationBlocks: Int
    public var durationSeconds: Double
    public var saturationSeconds: Double
    public var warmupSeconds: Double
    public var connections: Int
    public var variants: String
    public var modes: String

    public static let standard = BenchPreset(loads: [50, 90], blocks: 6, saturationBlocks: 2, durationSeconds: 3,
                                             saturationSeconds: 2, warmupSeconds: 0.5, connections: 8,
                                             variants: "empty,sock,syscall", modes: "kernel")
    public static let quick = BenchPreset(loads: [50], blocks: 6, saturationBlocks: 1, durationSeconds: 1,
                                          saturationSeconds: 1, warmupSeconds: 0.3, connections: 8,
                                          variants: "empty,sock,syscall", modes: "kernel")
    /// Kmon's own configurations as arms: the default hooks with spans assembled in user space
    /// (every event through the ring, as the original did), in the kernel, and as histograms only.
    public static let paper = BenchPreset(loads: [50, 90], blocks: 6, saturationBlocks: 2, durationSeconds: 3,
                                          saturationSeconds: 2, warmupSeconds: 0.5, connections: 8,
                                          variants: "empty,sock,syscall,kprobe,fentry", modes: "user,kernel,histogram")
}
