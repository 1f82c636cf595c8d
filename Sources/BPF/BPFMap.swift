import CLibbpf
import Glibc

/// One map of a `BPFObject`. A view that keeps its object alive.
/// Keys and values are plain C-layout structs or integers (`BitwiseCopyable`).
public struct BPFMap {
    public let object: BPFObject
    let handle: OpaquePointer

    public var name: String { String(cString: bpf_map__name(handle)) }
    public var fd: Int32 { bpf_map__fd(handle) }
    public var keySize: Int { Int(bpf_map__key_size(handle)) }
    public var valueSize: Int { Int(bpf_map__value_size(handle)) }
    public var maxEntries: UInt32 { bpf_map__max_entries(handle) }

    /// Resizes the map before load, e.g. a ring buffer's byte size.
    public func setMaxEntries(_ entries: UInt32) throws {
        try BPFError.check(bpf_map__set_max_entries(handle, entries), "bpf_map__set_max_entries", "resizing \(name)")
    }

    /// Whether `load()` creates this map. Off for a map no loaded program uses.
    public func setAutocreate(_ create: Bool) throws {
        try BPFError.check(bpf_map__set_autocreate(handle, create), "bpf_map__set_autocreate", "choosing whether to create \(name)")
    }

    /// Calls `body` with the first `Value`-sized bytes of every value in a hash-like map,
    /// whatever its key (the walk that stands in for a BPF iterator).
    public func forEachValue<Value: BitwiseCopyable>(as: Value.Type = Value.self, _ body: (Value) throws -> Void) throws {
        precondition(MemoryLayout<Value>.size <= valueSize, "\(Value.self) is larger than \(name)'s values")
        let key = UnsafeMutableRawPointer.allocate(byteCount: keySize, alignment: 8)
        let next = UnsafeMutableRawPointer.allocate(byteCount: keySize, alignment: 8)
        let value = UnsafeMutableRawPointer.allocate(byteCount: valueSize, alignment: 8)
        defer { key.deallocate(); next.deallocate(); value.deallocate() }
        var previous: UnsafeMutableRawPointer? = nil
        while bpf_map_get_next_key(fd, previous, next) == 0 {
            key.copyMemory(from: next, byteCount: keySize)
            previous = key
            if bpf_map_lookup_elem(fd, key, value) == 0 {
                try body(value.loadUnaligned(as: Value.self))
            } else if Glibc.errno != ENOENT { // ENOENT: deleted since its key was listed
                throw BPFError.lastErrno("bpf_map_lookup_elem", "reading \(name)")
            }
        }
        if Glibc.errno != ENOENT { throw BPFError.lastErrno("bpf_map_get_next_key", "walking \(name)") }
    }

    /// Looks a key up; nil when absent.
    public func lookup<Key: BitwiseCopyable, Value: BitwiseCopyable>(_ key: Key, as: Value.Type = Value.self) throws -> Value? {
        let value = UnsafeMutableRawPointer.allocate(byteCount: max(valueSize, MemoryLayout<Value>.size), alignment: 8)
        defer { value.deallocate() }
        let result = withUnsafeBytes(of: key) { bpf_map_lookup_elem(fd, $0.baseAddress, value) }
        if result < 0 {
            if Glibc.errno == ENOENT { return nil }
            throw BPFError.lastErrno("bpf_map_lookup_elem", "reading \(name)")
        }
        return value.loadUnaligned(as: Value.self)
    }

    /// Looks up a per-CPU map's key and returns one value per possible CPU.
    public func lookupPerCPU<Key: BitwiseCopyable, Value: BitwiseCopyable>(_ key: Key, as: Value.Type = Value.self) throws -> [Value] {
        let cpus = Int(libbpf_num_possible_cpus())
        let stride = (valueSize + 7) & ~7
        let values = UnsafeMutableRawPointer.allocate(byteCount: stride * cpus, alignment: 8)
        defer { values.deallocate() }
        let result = withUnsafeBytes(of: key) { bpf_map_lookup_elem(fd, $0.baseAddress, values) }
        if result < 0 {
            if Glibc.errno == ENOENT { return [] }
            throw BPFError.lastErrno("bpf_map_lookup_elem", "reading per-CPU \(name)")
        }
        return (0..<cpus).map { values.loadUnaligned(fromByteOffset: $0 * stride, as: Value.self) }
    }

    public func update<Key: BitwiseCopyable, Value: BitwiseCopyable>(_ key: Key, _ value: Value) throws {
        let result = withUnsafeBytes(of: key) { k in
            withUnsafeBytes(of: value) { v in bpf_map_update_elem(fd, k.baseAddress, v.baseAddress, UInt64(BPF_ANY)) }
        }
        try BPFError.check(result, "bpf_map_update_elem", "writing \(name)")
    }

    public func delete<Key: BitwiseCopyable>(_ key: Key) throws {
        let result = withUnsafeBytes(of: key) { bpf_map_delete_elem(fd, $0.baseAddress) }
        try BPFError.check(result, "bpf_map_delete_elem", "deleting from \(name)")
    }

    /// Every key currently in a hash-like map.
    public func keys<Key: BitwiseCopyable>(as: Key.Type = Key.self) throws -> [Key] {
        var keys: [Key] = []
        try forEachKey(limit: .max, "listing") { keys.append($0.loadUnaligned(as: Key.self)) }
        return keys
    }

    /// Walks the keys with `bpf_map_get_next_key`, at most `limit` of them (a map refilled as
    /// fast as it is walked cannot keep a bounded walk going). `doing` names the walk in errors.
    func forEachKey(limit: Int, _ doing: String, _ body: (UnsafeRawPointer) -> Void) throws {
        let current = UnsafeMutableRawPointer.allocate(byteCount: keySize, alignment: 8)
        let next = UnsafeMutableRawPointer.allocate(byteCount: keySize, alignment: 8)
        defer { current.deallocate(); next.deallocate() }
        var previous: UnsafeMutableRawPointer? = nil
        var walked = 0
        while walked < limit, bpf_map_get_next_key(fd, previous, next) == 0 {
            body(UnsafeRawPointer(next))
            walked += 1
            current.copyMemory(from: next, byteCount: keySize)
            previous = current
        }
        if walked < limit, Glibc.errno != ENOENT { throw BPFError.lastErrno("bpf_map_get_next_key", "\(doing) \(name)") }
    }

    /// Sums a per-CPU array's `UInt64` counter at `index`, e.g. a `lost` map.
    public func sumPerCPUCounter(at index: UInt32 = 0) throws -> UInt64 {
        try lookupPerCPU(index, as: UInt64.self).reduce(0, &+)
    }
}

extension BPFMap {
    /// Creates a 4 KiB ring buffer map and closes it again: whether this kernel and these
    /// privileges allow ring buffers at all.
    public static func probeRingBuffer() throws {
        let fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "kmon_probe", 0, 0, 4096, nil)
        try BPFError.checkFD(fd, "bpf_map_create", "creating a ring buffer map")
        close(fd)
    }
}
