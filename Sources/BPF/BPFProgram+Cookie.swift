import CLibbpf
import Glibc

extension BPFProgram {
    /// Attaches to the tracepoint `category:name` with a BPF cookie the program reads through
    /// `bpf_get_attach_cookie()`, so one program can serve many tracepoints (kernel 5.15+).
    public func attachTracepoint(category: String, name: String, cookie: UInt64 = 0) throws -> BPFLink {
        var opts = bpf_tracepoint_opts()
        opts.sz = MemoryLayout<bpf_tracepoint_opts>.stride
        opts.bpf_cookie = cookie
        let raw = bpf_program__attach_tracepoint_opts(handle, category, name, &opts)
        return try link(raw, "bpf_program__attach_tracepoint_opts", target: "\(category):\(name)")
    }

    /// Attaches a kprobe to the kernel function `function`, with a BPF cookie.
    public func attachKprobe(function: String, cookie: UInt64 = 0) throws -> BPFLink {
        var opts = bpf_kprobe_opts()
        opts.sz = MemoryLayout<bpf_kprobe_opts>.stride
        opts.bpf_cookie = cookie
        let raw = bpf_program__attach_kprobe_opts(handle, function, &opts)
        return try link(raw, "bpf_program__attach_kprobe_opts", target: "kprobe:\(function)")
    }

    private func link(_ raw: OpaquePointer?, _ call: String, target: String) throws -> BPFLink {
        guard let raw, libbpf_get_error(UnsafeRawPointer(raw)) == 0 else {
            let err = Glibc.errno
            throw BPFError(call: call, errno: err == 0 ? EINVAL : err, context: "attaching \(name) to \(target)")
        }
        return BPFLink(handle: raw, program: self)
    }
}

extension BPFMap {
    /// The raw value bytes under `key` (e.g. a stack map's addresses), or nil when absent.
    public func lookupBytes<Key: BitwiseCopyable>(_ key: Key) throws -> [UInt8]? {
        var value = [UInt8](repeating: 0, count: valueSize)
        let result = withUnsafeBytes(of: key) { k in
            value.withUnsafeMutableBytes { bpf_map_lookup_elem(fd, k.baseAddress, $0.baseAddress) }
        }
        if result < 0 {
            if Glibc.errno == ENOENT { return nil }
            throw BPFError.lastErrno("bpf_map_lookup_elem", "reading \(name)")
        }
        return value
    }
}
