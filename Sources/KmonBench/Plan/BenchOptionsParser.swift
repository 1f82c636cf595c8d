import KmonCollectors
import KmonTcpreq

/// Turns the CLI's lists into arms and load levels, refusing anything unknown or out of range.
public enum BenchOptionsParser {
    public static let variantNames = ProbeVariant.allCases.map(\.rawValue)
    public static let modeNames = SpanMode.allCases.map(\.rawValue)

    static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// `--variants`: probe variants; `baseline` is accepted and adds nothing, as every bench runs it.
    public static func variants(_ text: String) throws -> [ProbeVariant] {
        try list(text).filter { $0 != "baseline" }.map { name in
            guard let variant = ProbeVariant(rawValue: name) else { throw BenchError.unknownVariant(name) }
            return variant
        }
    }

    /// `--modes`: one span mode or more.
    public static func modes(_ text: String) throws -> [SpanMode] {
        let modes = try list(text).map { name in
            guard let mode = SpanMode(rawValue: name) else { throw BenchError.unknownMode(name) }
            return mode
        }
        guard !modes.isEmpty else { throw BenchError(description: "--modes needs at least one of \(modeNames.joined(separator: ", "))") }
        return modes
    }

    /// `baseline` and its A/A twin first, then `empty` (its mode is meaningless), then every
    /// other variant in every mode.
    public static func arms(variants: [ProbeVariant], modes: [SpanMode]) -> [BenchArm] {
        var arms: [BenchArm] = [.baseline, .baselineRepeat]
        for variant in variants {
            let new = variant == .empty ? [BenchArm.probe(variant)] : modes.map { BenchArm.probe(variant, mode: $0) }
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
