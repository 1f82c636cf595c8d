import CLibbpf

/// How full a hash-like map is: its entries now against its `max_entries`. A hash map that
/// fills refuses new keys (an LRU one evicts), so a fill creeping up on a long run is a leak or
/// an undersized map, seen before it costs data.
public struct BPFMapFill: Equatable, Sendable {
    public var map: String
    public var entries: Int
    public var maxEntries: Int

    public init(map: String, entries: Int, maxEntries: Int) {
        self.map = map
        self.entries = entries
        self.maxEntries = maxEntries
    }
}

extension BPFMap {
    /// Whether entries come and go by key, so that counting them means something.
    public var isHashLike: Bool {
        [BPF_MAP_TYPE_HASH, BPF_MAP_TYPE_LRU_HASH, BPF_MAP_TYPE_PERCPU_HASH, BPF_MAP_TYPE_LRU_PERCPU_HASH]
            .contains(bpf_map__type(handle))
    }

    /// Counts the keys of a hash-like map by walking them: one syscall per entry, so call it
    /// seldom on large maps. Entries added or removed during the walk may or may not count.
    public func fill() throws -> BPFMapFill {
        var entries = 0
        try forEachKey(limit: Int(maxEntries) + 1, "counting") { _ in entries += 1 }
        return BPFMapFill(map: name, entries: min(entries, Int(maxEntries)), maxEntries: Int(maxEntries))
    }
}
