/// Joins probe spans to ground truth on (connection, ordinal): request by request, never by
/// distribution alone, so a probe that is right on average but wrong per request shows it.
public enum SpanJoin {
    public struct Result: Sendable {
        public var pairs: [(truth: TimedExchange, probe: TimedExchange)]
        public var unmatchedTruth: [TimedExchange]
        public var unmatchedProbe: [TimedExchange]
    }

    /// A second span or record with a key already seen is unmatched: each request has one.
    public static func join(truth: [TimedExchange], probe: [TimedExchange]) -> Result {
        var byKey: [JoinKey: TimedExchange] = [:]
        byKey.reserveCapacity(truth.count)
        var unmatchedTruth: [TimedExchange] = []
        for record in truth {
            if byKey.updateValue(record, forKey: record.joinKey) != nil { unmatchedTruth.append(record) }
        }
        var pairs: [(truth: TimedExchange, probe: TimedExchange)] = []
        pairs.reserveCapacity(min(truth.count, probe.count))
        var unmatchedProbe: [TimedExchange] = []
        for span in probe {
            if let record = byKey.removeValue(forKey: span.joinKey) {
                pairs.append((record, span))
            } else {
                unmatchedProbe.append(span)
            }
        }
        unmatchedTruth += byKey.values
        return Result(pairs: pairs, unmatchedTruth: unmatchedTruth, unmatchedProbe: unmatchedProbe)
    }

    /// Counts spans that do not lie inside the enclosing interval of the same request: a hop's
    /// server span must sit inside its caller's client span (or the load generator's record).
    /// Only requests present on both sides are checked.
    public static func nesting(inner: [TimedExchange], outer: [TimedExchange]) -> (checked: Int, violations: Int) {
        var outerByKey: [JoinKey: TimedExchange] = [:]
        outerByKey.reserveCapacity(outer.count)
        for span in outer { outerByKey[span.joinKey] = span }
        var checked = 0, violations = 0
        for span in inner {
            guard let enclosing = outerByKey[span.joinKey] else { continue }
            checked += 1
            if !enclosing.contains(span) { violations += 1 }
        }
        return (checked, violations)
    }
}
