import CKmonEvents

/// A log2 histogram as the kernel keeps it: bucket i counts values in [2^i, 2^(i+1)) of `unit`,
/// bucket 0 also counts 0. Only non-empty buckets are listed.
public struct Log2Histogram: Codable, Equatable, Sendable {
    public struct Bucket: Codable, Equatable, Sendable {
        /// Inclusive lower bound.
        public var low: UInt64
        /// Exclusive upper bound.
        public var high: UInt64
        public var count: UInt64
    }

    public var unit: String
    public var buckets: [Bucket]

    public init(unit: String, slots: [UInt64]) {
        self.unit = unit
        buckets = slots.enumerated().compactMap { index, count in
            count == 0 ? nil : Bucket(low: index == 0 ? 0 : 1 << UInt64(index), high: 1 << UInt64(index + 1), count: count)
        }
    }

    public var total: UInt64 { buckets.reduce(0) { $0 + $1.count } }

    /// The bucket that holds `value`, if it has any count.
    public func bucket(containing value: UInt64) -> Bucket? {
        buckets.first { value >= $0.low && value < $0.high }
    }

    /// The kernel's slot index for `value` (floor of log2), as kmon_log2_slot computes it.
    public static func slot(of value: UInt64, slots: Int = Int(KMON_LOG2_SLOTS)) -> Int {
        value <= 1 ? 0 : min(63 - value.leadingZeroBitCount, slots - 1)
    }
}
