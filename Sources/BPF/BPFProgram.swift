import CLibbpf
import Glibc
import KmonSystem

/// One program of a `BPFObject`. A view: it keeps the object alive and owns nothing itself.
public struct BPFProgram {
    public let object: BPFObject
    let handle: OpaquePointer

    public var name: String { String(cString: bpf_program__name(handle)) }
    /// The ELF section, e.g. `tp_btf/sock_send_length`.
    public var section: String { String(cString: bpf_program__section_name(handle)) }
    /// The kernel file descriptor once loaded, or -1.
    public var fd: Int32 { bpf_program__fd(handle) }

    /// Whether `load()` loads this program. Decide before load.
    public var autoload: Bool {
        get { bpf_program__autoload(handle) }
        nonmutating set { bpf_program__set_autoload(handle, newValue) }
    }

    /// Attaches as the section name says (tracepoints, raw/BTF tracepoints, kprobes, fentry).
    public func attach() throws -> BPFLink {
        try link(bpf_program__attach(handle), "bpf_program__attach")
    }

    /// Attaches a `uprobe` to `function` in `binary` (a path, or a library name libbpf resolves).
    public func attachUprobe(binary: String, function: String, pid: Int32 = -1) throws -> BPFLink {
        var opts = bpf_uprobe_opts()
        opts.sz = MemoryLayout<bpf_uprobe_opts>.stride
        return try function.withCString { fn in
            opts.func_name = fn
            return try link(bpf_program__attach_uprobe_opts(handle, pid, binary, 0, &opts), "bpf_program__attach_uprobe_opts")
        }
    }

    /// Attaches a cgroup program (sockops, cgroup_skb) to the cgroup v2 directory `path`.
    public func attachCgroup(path: String) throws -> BPFLink {
        let cgroupFD = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard cgroupFD >= 0 else { throw BPFError.lastErrno("open", "opening cgroup \(path)") }
        defer { close(cgroupFD) }
        return try link(bpf_program__attach_cgroup(handle, cgroupFD), "bpf_program__attach_cgroup")
    }

    /// The kernel's run statistics for this program; counted only while stats are enabled
    /// (see `BPFStats`).
    public func runStats() throws -> ProgramRunStats {
        try ProgramRunStats(programFD: fd, name: name)
    }

    /// Runs this (raw_tp) program once on `cpu`, in an interrupt there unless it is the calling
    /// CPU, with `arguments` as its context; returns what it returned.
    @discardableResult
    public func run(onCPU cpu: Int, arguments: [UInt64]) throws -> UInt32 {
        var result: UInt32 = 0
        try BPFError.check(kmon_run_on_cpu(fd, UInt32(cpu), arguments, UInt32(arguments.count), &result),
                           "bpf_prog_test_run_opts", "running \(name) on CPU \(cpu)")
        return result
    }

    private func link(_ raw: OpaquePointer?, _ call: String) throws -> BPFLink {
        guard let raw, libbpf_get_error(UnsafeRawPointer(raw)) == 0 else {
            let err = Glibc.errno
            throw BPFError(call: call, errno: err == 0 ? EINVAL : err, context: "attaching \(name) (\(section))")
        }
        return BPFLink(handle: raw, program: self)
    }
}
