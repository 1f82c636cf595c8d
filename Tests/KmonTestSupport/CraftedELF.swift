/// A small ELF64 x86-64 executable built byte by byte, whose fields tests can break: one PT_LOAD
/// segment mapping the whole file at 0x400000, code that sleeps 20 ms in a loop (nanosleep, then
/// jump back), and a .symtab naming that code `crafted_sleep_loop`.
///
/// The kernel runs it from its program headers alone, so section headers can be garbage and the
/// file still runs: exactly what a hostile user can hand a profiler.
///
/// Layout: ELF header (64) | program header (56) | code (18) + timespec (16) | .strtab |
/// .symtab (null symbol + one function) | section headers (null, .symtab, .strtab).
public struct CraftedELF {
    public static let baseAddress: UInt64 = 0x400000
    public static let codeOffset: UInt64 = 64 + 56
    public static let functionName = "crafted_sleep_loop"

    public var shoff: UInt64?
    public var shnum: UInt16 = 3
    public var shentsize: UInt16 = 64
    /// Fields of the .symtab section header; nil keeps the real value.
    public var symtabOffset: UInt64?
    public var symtabSize: UInt64?
    public var symtabEntrySize: UInt64 = 24
    public var symtabLink: UInt32 = 2
    /// The function symbol's st_name; nil keeps the real offset (1).
    public var nameOffset: UInt32?
    /// Zero bytes before .strtab, to push it past the first page.
    public var padding = 0
    /// p_vaddr and p_filesz of the PT_LOAD segment; nil keeps the real ones (the kernel needs them).
    public var loadVaddr: UInt64?
    public var loadSize: UInt64?

    public init() {}

    /// Machine code: `lea rdi,[rip+11]; xor esi,esi; mov eax,35 (nanosleep); syscall; jmp start`,
    /// then the timespec {0 s, 20 ms} it points at.
    static let code: [UInt8] = [0x48, 0x8D, 0x3D, 0x0B, 0, 0, 0, 0x31, 0xF6, 0xB8, 0x23, 0, 0, 0, 0x0F, 0x05, 0xEB, 0xEE]
        + le(UInt64(0)) + le(UInt64(20_000_000))
    public static var functionSize: UInt64 { UInt64(code.count) }

    public var strtabOffset: UInt64 { Self.codeOffset + UInt64(Self.code.count + padding) }
    public var strtab: [UInt8] { [0] + Array(Self.functionName.utf8) + [0] }
    public var realSymtabOffset: UInt64 { align8(strtabOffset + UInt64(strtab.count)) }
    public var realShoff: UInt64 { realSymtabOffset + 48 }

    public func bytes() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(realShoff) + 3 * 64)
        func put(_ bytes: [UInt8], at: UInt64) { out.replaceSubrange(Int(at)..<Int(at) + bytes.count, with: bytes) }
        // ELF header: magic, ELFCLASS64, little-endian, version 1; ET_EXEC, EM_X86_64.
        put([0x7F, 0x45, 0x4C, 0x46, 2, 1, 1], at: 0)
        put(le(UInt16(2)) + le(UInt16(62)) + le(UInt32(1)), at: 16)
        put(le(Self.baseAddress + Self.codeOffset), at: 0x18) // e_entry
        put(le(UInt64(64)), at: 0x20) // e_phoff
        put(le(shoff ?? realShoff), at: 0x28)
        put(le(UInt16(64)) + le(UInt16(56)) + le(UInt16(1)) + le(shentsize) + le(shnum) + le(UInt16(2)), at: 0x34)
        // PT_LOAD, R+X, the whole file.
        let size = UInt64(out.count)
        put(le(UInt32(1)) + le(UInt32(5)) + le(UInt64(0)) + le(loadVaddr ?? Self.baseAddress) + le(Self.baseAddress)
            + le(loadSize ?? size) + le(size) + le(UInt64(0x1000)), at: 64)
        put(Self.code, at: Self.codeOffset)
        put(strtab, at: strtabOffset)
        // The function: st_name, STB_GLOBAL|STT_FUNC, st_shndx 1, value, size.
        put(le(nameOffset ?? 1) + [0x12, 0] + le(UInt16(1)) + le(Self.baseAddress + Self.codeOffset) + le(Self.functionSize),
            at: realSymtabOffset + 24)
        // Section headers: null, .symtab (SHT_SYMTAB, linked to 2), .strtab (SHT_STRTAB).
        let symtab = le(UInt32(0)) + le(UInt32(2)) + le(UInt64(0)) + le(UInt64(0)) + le(symtabOffset ?? realSymtabOffset)
            + le(symtabSize ?? 48) + le(symtabLink) + le(UInt32(1)) + le(UInt64(8)) + le(symtabEntrySize)
        put(symtab, at: realShoff + 64)
        let strings = le(UInt32(0)) + le(UInt32(3)) + le(UInt64(0)) + le(UInt64(0)) + le(strtabOffset)
            + le(UInt64(strtab.count)) + le(UInt32(0)) + le(UInt32(0)) + le(UInt64(1)) + le(UInt64(0))
        put(strings, at: realShoff + 128)
        return out
    }
}

private func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian, Array.init) }
private func align8(_ value: UInt64) -> UInt64 { (value + 7) & ~7 }
