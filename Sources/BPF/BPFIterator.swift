import CLibbpf
import Glibc

extension BPFProgram {
    /// Attaches an `iter/` program to a map (e.g. `iter/bpf_sk_storage_map`). Each `run()` of the
    /// returned iterator walks the map's elements once in the kernel.
    public func attachIterator(map: BPFMap) throws -> BPFIterator {
        var linkInfo = bpf_iter_link_info()
        linkInfo.map.map_fd = UInt32(map.fd)
        var opts = bpf_iter_attach_opts()
        // libbpf refuses options with non-zero bytes past the last field it knows, and Swift does
        // not keep padding zeroed (release builds left garbage there): end the size at that field.
        opts.sz = MemoryLayout<bpf_iter_attach_opts>.offset(of: \.link_info_len)! + MemoryLayout<UInt32>.size
        opts.link_info_len = UInt32(MemoryLayout<bpf_iter_link_info>.size)
        let raw = withUnsafeMutablePointer(to: &linkInfo) { info -> OpaquePointer? in
            opts.link_info = info
            return bpf_program__attach_iter(handle, &opts)
        }
        guard let raw, libbpf_get_error(UnsafeRawPointer(raw)) == 0 else {
            let err = Glibc.errno
            throw BPFError(call: "bpf_program__attach_iter", errno: err == 0 ? EINVAL : err,
                           context: "attaching iterator \(name) to map \(map.name)")
        }
        return BPFIterator(link: BPFLink(handle: raw, program: self))
    }
}

/// A BPF iterator link. Detach it like any link.
public final class BPFIterator {
    public let link: BPFLink

    init(link: BPFLink) { self.link = link }

    /// Runs the iterator to its end and returns what the program wrote with `bpf_seq_write`.
    @discardableResult
    public func run() throws -> [UInt8] {
        let fd = bpf_iter_create(link.fd)
        try BPFError.checkFD(fd, "bpf_iter_create", "starting iterator \(link.program.name)")
        defer { close(fd) }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw BPFError.lastErrno("read", "running iterator \(link.program.name)") }
            if n == 0 { return output }
            output += buffer[..<n]
        }
    }
}
