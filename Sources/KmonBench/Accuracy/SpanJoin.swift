/// Joins probe spans to ground truth on (connection, ordinal): request by request, never by
/// distribution alone, so a probe that is right on average but wrong per request shows it.
public enum SpanJoin {
    public struct Result: Sendable {
        public var pairs: [(truth: TimedExchange, probe: TimedExchange)]
        public var unmatchedTruth: [TimedExchange]
        public var unmatchedProbe: [TimedExchange]
    }

    /// Every truth record is kept and counted once, as a pair or unmatched. A key repeats when
    /// the kernel reuses a 4-tuple (`Connection: close`): a span then pairs with the unpaired
    /// record of its key that starts nearest to it. A span with no unpaired record left is
    /// unmatched: each request has one.
    public static func join(truth: [TimedExchange], probe: [TimedExchange]) -> Result {
        var byKey: [JoinKey: [Int]] = [:]  // indices into `truth`, unpaired
        byKey.reserveCapacity(truth.count)
        for (index, record) in truth.enumerated() { byKey[record.joinKey, default: []].append(index) }
        var paired = [Bool](repeating: false, count: truth.count)
        var pairs: [(truth: TimedExchange, probe: TimedExchange)] = []
        pairs.reserveCapacity(min(truth.count, probe.count))
        var unmatchedProbe: [TimedExchange] = []
        for span in probe {
            guard let index = takeNearest(&byKey[span.joinKey], to: span, in: truth) else {
                unmatchedProbe.append(span)
                continue
            }
            paired[index] = true
            pairs.append((truth[index], span))
        }
        let unmatchedTruth = truth.indices.filter { !paired[$0] }.map { truth[$0] }
        return Result(pairs: pairs, unmatchedTruth: unmatchedTruth, unmatchedProbe: unmatchedProbe)
    }

    /// Removes and returns the index in `candidates` whose record starts nearest to `span`.
    private static func takeNearest(_ candidates: inout [Int]?, to span: TimedExchange, in truth: [TimedExchange]) -> Int? {
        guard let indices = candidates, !indices.isEmpty else { return nil }
        func distance(_ index: Int) -> UInt64 {
            let start = truth[index].start
            return start > span.start ? start - span.start : span.start - start
        }
        let nearest = indices.indices.min { distance(indices[$0]) < distance(indices[$1]) }!
        return candidates!.remove(at: nearest)
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
