import CLibbpf
import Glibc

/// One key of a per-CPU map, every possible CPU's value, read into a buffer allocated once:
/// for a reader that polls the same key on a timer and must not allocate each time.
public final class PerCPUValues {
    public let map: BPFMap
    /// Possible CPUs: the number of values a lookup returns.
    public let cpus: Int
    /// Bytes between two CPUs' values (the kernel rounds each up to 8).
    public let stride: Int
    private let buffer: UnsafeMutableRawPointer

    public init(map: BPFMap) {
        self.map = map
        cpus = max(Int(libbpf_num_possible_cpus()), 1)
        stride = (map.valueSize + 7) & ~7
        buffer = .allocate(byteCount: stride * cpus, alignment: 8)
    }

    deinit { buffer.deallocate() }

    /// Reads `key` for every CPU; false when the map has no such key.
    public func read<Key: BitwiseCopyable>(_ key: Key) throws -> Bool {
        let result = withUnsafeBytes(of: key) { bpf_map_lookup_elem(map.fd, $0.baseAddress, buffer) }
        if result < 0 {
            if Glibc.errno == ENOENT { return false }
            throw BPFError.lastErrno("bpf_map_lookup_elem", "reading per-CPU \(map.name)")
        }
        return true
    }

    /// The last `read`'s value on `cpu`: `map.valueSize` bytes, valid until the next read.
    public func value(onCPU cpu: Int) -> UnsafeRawBufferPointer {
        precondition(cpu >= 0 && cpu < cpus, "CPU \(cpu) is not a possible CPU")
        return UnsafeRawBufferPointer(start: buffer + cpu * stride, count: map.valueSize)
    }
}
