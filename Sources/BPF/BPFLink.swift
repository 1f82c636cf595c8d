import CLibbpf
import Glibc
import Logging

/// A program's attachment to a hook. Detach it with `detach()`, which reports errors;
/// `deinit` detaches a forgotten link as a backstop, so no path leaves a hook attached.
public final class BPFLink {
    private var handle: OpaquePointer?
    public let program: BPFProgram

    init(handle: OpaquePointer, program: BPFProgram) {
        self.handle = handle
        self.program = program
    }

    public var isAttached: Bool { handle != nil }

    /// The link's file descriptor, or -1 once detached.
    public var fd: Int32 { handle.map { bpf_link__fd($0) } ?? -1 }

    /// The kernel's id for this link, as `bpftool link` lists it.
    public func kernelID() throws -> UInt32 {
        var info = bpf_link_info()
        var length = UInt32(MemoryLayout<bpf_link_info>.size)
        try BPFError.check(bpf_obj_get_info_by_fd(fd, &info, &length), "bpf_obj_get_info_by_fd", "reading link of \(program.name)")
        return info.id
    }

    /// Detaches now. Safe to call twice.
    public func detach() throws {
        guard let h = handle else { return }
        handle = nil
        try BPFError.check(bpf_link__destroy(h), "bpf_link__destroy", "detaching \(program.name)")
    }

    /// Hands the libbpf handle to a `LinkReleaser`, which closes it; the link reads as detached.
    func takeHandle() -> OpaquePointer? {
        defer { handle = nil }
        return handle
    }

    deinit {
        if let h = handle { bpf_link__destroy(h) }
    }
}
