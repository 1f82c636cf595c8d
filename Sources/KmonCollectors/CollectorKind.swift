import Foundation

/// The collectors Kmon can run, by the name users type (`--collect tcpdrop,offcpu`, YAML
/// `collector:` sections). `tcpreq` is the request-latency probe `kmon monitor` runs itself; it
/// is listed so configs and `--collect` lists naming it parse.
public enum CollectorKind: String, CaseIterable, Codable, Sendable, Comparable {
    case tcpreq
    case tcpdrop
    case offcpu
    case biostat
    case fcount

    /// The highest verbosity level: each level adds detail and cost.
    public var maxVerbosity: Int {
        switch self {
        case .tcpreq, .fcount: return 1
        case .biostat: return 2
        case .tcpdrop, .offcpu: return 3
        }
    }

    /// What each verbosity level adds, for help texts and errors.
    public var verbosityLevels: String {
        switch self {
        case .tcpreq: return "1 spans"
        case .tcpdrop: return "1 events, 2 + user stacks, 3 + kernel stacks"
        case .offcpu: return "1 histograms, 2 + kernel stacks, 3 + user stacks"
        case .biostat: return "1 totals, 2 + latency histograms"
        case .fcount: return "1 counts"
        }
    }

    /// Parses a user-typed name, with an error listing the known names.
    public static func named(_ name: String) throws -> CollectorKind {
        guard let kind = CollectorKind(rawValue: name.lowercased()) else {
            throw CollectorError.unknownCollector(name)
        }
        return kind
    }

    /// Parses a comma-separated list such as `tcpreq,tcpdrop,offcpu`.
    public static func list(_ text: String) throws -> [CollectorKind] {
        try text.split(separator: ",").map { try named($0.trimmingCharacters(in: .whitespaces)) }
    }

    public func validate(verbosity: Int) throws {
        guard (1...maxVerbosity).contains(verbosity) else {
            throw CollectorError.badVerbosity(collector: self, value: "\(verbosity)")
        }
    }

    public static func < (a: CollectorKind, b: CollectorKind) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
