import CLibbpf
import Glibc
import KmonSystem

/// What the kernel holds right now, across all processes: for checking that we left nothing
/// behind.
public enum KernelObjects {
    public struct Link: Equatable, Sendable {
        public var id: UInt32
        public var programID: UInt32
    }

    /// Every BPF link in the kernel.
    public static func links() -> [Link] {
        each(next: bpf_link_get_next_id, open: bpf_link_get_fd_by_id) { fd in
            var info = bpf_link_info()
            var length = UInt32(MemoryLayout<bpf_link_info>.size)
            return bpf_obj_get_info_by_fd(fd, &info, &length) == 0 ? Link(id: info.id, programID: info.prog_id) : nil
        }
    }

    public struct Program: Equatable, Sendable {
        public var id: UInt32
        /// As the kernel keeps it: at most 15 characters.
        public var name: String
    }

    /// Every BPF program in the kernel.
    public static func programs() -> [Program] {
        each(next: bpf_prog_get_next_id, open: bpf_prog_get_fd_by_id) { fd in
            var info = bpf_prog_info()
            var length = UInt32(MemoryLayout<bpf_prog_info>.size)
            guard bpf_obj_get_info_by_fd(fd, &info, &length) == 0 else { return nil }
            let name = String(cCharArray: info.name)
            return Program(id: info.id, name: name)
        }
    }

    /// Walks one kind of kernel object by id, reading each through a descriptor it closes again.
    /// An object gone between the two calls is skipped.
    private static func each<T>(next: (UInt32, UnsafeMutablePointer<UInt32>?) -> Int32, open: (UInt32) -> Int32,
                                read: (Int32) -> T?) -> [T] {
        var result: [T] = []
        var id: UInt32 = 0
        while next(id, &id) == 0 {
            let fd = open(id)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            if let value = read(fd) { result.append(value) }
        }
        return result
    }
}

extension BPFProgram {
    /// The kernel's id for this loaded program.
    public func kernelID() throws -> UInt32 { try runStats().id }
}

/// The running kernel's own BTF (/sys/kernel/btf/vmlinux), for names the kernel defines.
public enum KernelBTF {
    /// Whether the kernel's BTF has a type of this name, of any kind.
    public static func hasType(_ name: String) -> Bool {
        kmon_vmlinux_has_type(name) == 1
    }

    /// "value NAME" lines, one per enumerator of `enum name`; nil when the kernel lacks it.
    public static func enumerators(of name: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 64 * 1024)
        return kmon_vmlinux_enum(name, &buffer, buffer.count) == 0 ? String(cString: buffer) : nil
    }
}
