import Foundation
import Histogram

/// Per-period latency summaries per (service, peer, side), for sinks that store one point per
/// series and period (InfluxDB) instead of one per request.
public final class SpanAggregator: @unchecked Sendable {
    public struct Summary: Sendable, Equatable {
        public var count: UInt64
        public var sumNanoseconds: UInt64
        public var minNanoseconds: UInt64
        public var maxNanoseconds: UInt64
        public var p50Nanoseconds: UInt64
        public var p99Nanoseconds: UInt64
    }

    private struct Accumulator {
        // Two significant digits keep a series' histogram to a few kilobytes; percentiles are
        // then within 1%, well inside what the probes themselves can resolve.
        var histogram = Histogram<UInt64>(highestTrackableValue: 3_600_000_000_000, numberOfSignificantValueDigits: .two)
        var sum: UInt64 = 0
        /// Partial spans: requests, but no latency sample.
        var partial: UInt64 = 0
    }

    private let lock = NSLock()
    private var current: [SpanLabels: Accumulator] = [:]

    public init() {}

    public func record(_ labels: SpanLabels, durationNanoseconds: UInt64, partial: Bool = false) {
        lock.withLock {
            if partial {
                current[labels, default: Accumulator()].partial += 1
                return
            }
            current[labels, default: Accumulator()].sum &+= durationNanoseconds
            _ = current[labels]!.histogram.record(min(durationNanoseconds, 3_600_000_000_000))
        }
    }

    /// The period's summaries; the next period starts empty.
    public func drain() -> [SpanLabels: Summary] {
        let taken = lock.withLock {
            defer { current.removeAll(keepingCapacity: true) }
            return current
        }
        return taken.mapValues { acc in
            Summary(count: acc.histogram.totalCount + acc.partial, sumNanoseconds: acc.sum, minNanoseconds: acc.histogram.min,
                    maxNanoseconds: acc.histogram.max, p50Nanoseconds: acc.histogram.valueAtPercentile(50),
                    p99Nanoseconds: acc.histogram.valueAtPercentile(99))
        }
    }
}
