import KmonSystem

/// Method and status of joined spans against ground truth, for one hop and vantage: how many
/// agree exactly, and which (probe, truth) pairs do not, with a few of the requests named.
public struct StatusAgreement: Sendable {
    public struct Pair: Hashable, Sendable {
        public var probe: HTTPExchange
        public var truth: HTTPExchange
    }

    /// Joined spans compared: every matched pair.
    public var compared = 0
    public var agreed = 0
    /// Joined spans whose probe carried neither a method nor a status.
    public var probeUnknown = 0
    public var disagreements: [Pair: Int] = [:]
    /// Up to `exampleLimit` disagreeing requests as "local > remote #ordinal".
    public var examples: [String] = []
    static let exampleLimit = 5

    public init() {}

    public init(pairs: [(truth: TimedExchange, probe: TimedExchange)]) {
        for (truth, probe) in pairs {
            compared += 1
            if probe.http == HTTPExchange() { probeUnknown += 1 }
            if probe.http == truth.http {
                agreed += 1
                continue
            }
            disagreements[Pair(probe: probe.http, truth: truth.http), default: 0] += 1
            if examples.count < Self.exampleLimit {
                examples.append("\(truth.connection.local) > \(truth.connection.remote) #\(truth.ordinal)")
            }
        }
    }

    public mutating func merge(_ other: StatusAgreement) {
        compared += other.compared
        agreed += other.agreed
        probeUnknown += other.probeUnknown
        disagreements.merge(other.disagreements, uniquingKeysWith: +)
        examples += other.examples.prefix(max(0, Self.exampleLimit - examples.count))
    }

    /// Why there is no agreement figure, or nil when there is one. A variant whose spans carry
    /// no method or status at all reads none: that is "no status", not 0% agreement.
    public var noStatusReason: String? {
        if compared == 0 { return "no joined spans to compare" }
        if probeUnknown == compared { return "no span carried a method or status: the variant reads none" }
        return nil
    }

    /// Agreeing share of the joined spans, percent; nil with a `noStatusReason`.
    public var agreedPercent: Double? {
        noStatusReason == nil ? Double(agreed) / Double(compared) * 100 : nil
    }
}
