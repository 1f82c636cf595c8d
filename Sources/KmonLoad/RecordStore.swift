/// Append-only record storage for one worker thread: preallocated, pre-faulted chunks, so the
/// hot loop never copies or grows an array and rarely allocates (once per `chunkCapacity`).
final class RecordStore {
    private var chunks: [UnsafeMutablePointer<GroundTruthRecord>] = []
    private var capacities: [Int] = []
    private var current: UnsafeMutablePointer<GroundTruthRecord>
    private var currentCapacity: Int
    private var currentCount = 0
    private var finishedCount = 0
    private let chunkCapacity: Int

    /// `expected` sizes the first chunk (open loop: rate × time); later chunks hold `chunkCapacity`.
    init(expected: Int, chunkCapacity: Int = 1 << 16) {
        self.chunkCapacity = chunkCapacity
        currentCapacity = max(expected, 1024)
        current = Self.allocate(currentCapacity)
        chunks.append(current)
        capacities.append(currentCapacity)
    }

    deinit {
        chunks.forEach { $0.deallocate() }
    }

    var count: Int { finishedCount + currentCount }

    @inline(__always)
    func append(_ record: GroundTruthRecord) {
        if currentCount == currentCapacity { grow() }
        (current + currentCount).initialize(to: record)
        currentCount += 1
    }

    /// Copies every record out, in append order.
    func allRecords() -> [GroundTruthRecord] {
        var out = [GroundTruthRecord]()
        out.reserveCapacity(count)
        for (i, chunk) in chunks.enumerated() {
            let used = i == chunks.count - 1 ? currentCount : capacities[i]
            out.append(contentsOf: UnsafeBufferPointer(start: chunk, count: used))
        }
        return out
    }

    private func grow() {
        finishedCount += currentCount
        currentCapacity = chunkCapacity
        current = Self.allocate(currentCapacity)
        chunks.append(current)
        capacities.append(currentCapacity)
        currentCount = 0
    }

    /// Touches every page now, so first writes in the hot loop do not page-fault.
    private static func allocate(_ capacity: Int) -> UnsafeMutablePointer<GroundTruthRecord> {
        let pointer = UnsafeMutablePointer<GroundTruthRecord>.allocate(capacity: capacity)
        UnsafeMutableRawPointer(pointer).initializeMemory(
            as: UInt8.self, repeating: 0, count: capacity * MemoryLayout<GroundTruthRecord>.stride)
        return pointer
    }
}
