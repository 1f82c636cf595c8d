import CLibbpf
import Glibc

/// An opened BPF object: the owner of libbpf's `bpf_object *`.
///
/// Steps stay visible, as in libbpf-bootstrap: `open` (parse the ELF, no privileges) →
/// configure (`setGlobal`, `program(_:).autoload`) → `load` (maps created, programs verified) →
/// attach each program. Programs and maps are views that keep their object alive.
/// The object is closed when the last reference goes, which also frees maps and programs;
/// links must be detached (or dropped) by then, as they own kernel attachments of their own.
public final class BPFObject {
    let handle: OpaquePointer
    public let name: String
    public private(set) var isLoaded = false
    /// libbpf keeps pointers into the ELF image until close, so the bytes live as long as we do.
    private let image: UnsafeMutableRawBufferPointer

    /// Opens an object from its ELF bytes. Nothing reaches the kernel yet.
    public init(elf: [UInt8], name: String) throws {
        LibbpfLog.installDefaultIfNeeded()
        self.name = name
        let image = UnsafeMutableRawBufferPointer.allocate(byteCount: max(elf.count, 1), alignment: 8)
        image.copyBytes(from: elf)
        self.image = image
        var opts = bpf_object_open_opts()
        opts.sz = MemoryLayout<bpf_object_open_opts>.stride
        let opened = name.withCString { cname -> OpaquePointer? in
            opts.object_name = cname
            return bpf_object__open_mem(image.baseAddress, elf.count, &opts)
        }
        guard let opened, libbpf_get_error(UnsafeRawPointer(opened)) == 0 else {
            let err = Glibc.errno
            image.deallocate()
            throw BPFError(call: "bpf_object__open_mem", errno: err == 0 ? EINVAL : err, context: "opening BPF object \(name)")
        }
        handle = opened
    }

    deinit {
        bpf_object__close(handle)
        image.deallocate()
    }

    /// Sets a `const volatile` global (a `targ_*` setting) before load.
    public func setGlobal<T>(_ variable: String, to value: T) throws {
        precondition(!isLoaded, "BPF globals are read-only once \(name) is loaded")
        var copy = value
        let result = withUnsafeBytes(of: &copy) { kmon_set_rodata(handle, variable, $0.baseAddress, $0.count) }
        try BPFError.check(result, "kmon_set_rodata", "setting \(variable) in \(name)")
    }

    /// Every program in the object, in ELF order.
    public var programs: [BPFProgram] {
        var result: [BPFProgram] = []
        var prog = bpf_object__next_program(handle, nil)
        while let p = prog {
            result.append(BPFProgram(object: self, handle: p))
            prog = bpf_object__next_program(handle, p)
        }
        return result
    }

    /// Every map in the object, its internal ones (.rodata, .bss) included.
    public var maps: [BPFMap] {
        var result: [BPFMap] = []
        var map = bpf_object__next_map(handle, nil)
        while let m = map {
            result.append(BPFMap(object: self, handle: m))
            map = bpf_object__next_map(handle, m)
        }
        return result
    }

    public func program(_ name: String) throws -> BPFProgram {
        guard let p = bpf_object__find_program_by_name(handle, name) else {
            throw BPFError(call: "bpf_object__find_program_by_name", errno: ENOENT, context: "no program \(name) in \(self.name)")
        }
        return BPFProgram(object: self, handle: p)
    }

    public func map(_ name: String) throws -> BPFMap {
        guard let m = bpf_object__find_map_by_name(handle, name) else {
            throw BPFError(call: "bpf_object__find_map_by_name", errno: ENOENT, context: "no map \(name) in \(self.name)")
        }
        return BPFMap(object: self, handle: m)
    }

    /// Creates the maps and loads every program whose autoload is on. A rejected program's
    /// verifier log is kept in the thrown error.
    public func load() throws {
        LibbpfLog.resetVerifierLog()
        let result = bpf_object__load(handle)
        if result < 0 {
            throw BPFError(call: "bpf_object__load", errno: -result, context: "loading BPF object \(name)",
                           verifierLog: LibbpfLog.takeVerifierLog())
        }
        isLoaded = true
    }
}
