/// Function symbols of one ELF file, from .symtab (or .dynsym when .symtab is missing, empty or
/// refused), plus its PT_LOAD segments to turn a file offset into a symbol address. 64-bit
/// little-endian only; no DWARF.
///
/// The file belongs to whoever runs the process, so nothing in it is trusted: every offset, size
/// and count is checked against the file's size with overflow-safe arithmetic before it is read,
/// reads are bounded `pread`s (`PinnedFile`), and the work and memory have stated limits. A file
/// that breaks a rule is refused with an `ELFError` naming the field; its frames stay unnamed.
public struct ELFSymbols: Sendable {
    /// Entries read from the symbol tables of one file, at most: 24 MiB of table, and at most
    /// 24 MiB held (start, size and name offset per function). A bigger table is refused.
    public static let maxSymbols = 1 << 20
    /// Section or program header table bytes read, at most (65,535 headers of 64 bytes fit).
    static let maxHeaderTableBytes = 8 << 20
    /// The longest symbol name read; a longer one is cut.
    static let maxNameBytes = 4096
    /// The buffer symbol table entries are read into, in bytes (4,096 entries of 24 bytes).
    static let readBufferBytes = 96 << 10

    struct Segment: Sendable {
        var offset: UInt64, vaddr: UInt64, size: UInt64
    }

    private let starts: [UInt64]
    private let sizes: [UInt64]
    /// File offsets of the names, each checked to lie inside its string table: decoded only for
    /// the symbols a stack hits, since a large binary has hundreds of thousands.
    private let nameOffsets: [UInt64]
    private let file: PinnedFile
    private let segments: [Segment]

    public var count: Int { starts.count }

    /// Reads the file at `path`, refusing a symlink as its last component.
    public init(path: String) throws {
        try self.init(file: PinnedFile(path: path, followLink: false))
    }

    init(file: PinnedFile) throws {
        self.file = file
        let header = try ELFHeader(file)
        segments = try header.loadSegments()
        var table: ELFHeader.SymbolTable
        do {
            table = try header.functionSymbols(sectionType: ELFHeader.symtab)
            if table.values.isEmpty { table = try header.functionSymbols(sectionType: ELFHeader.dynsym) }
        } catch {
            // A refused .symtab leaves .dynsym, which names the exported functions, if it has any.
            guard let dynamic = try? header.functionSymbols(sectionType: ELFHeader.dynsym), !dynamic.values.isEmpty else { throw error }
            table = dynamic
        }
        let order = table.values.indices.sorted { table.values[$0] < table.values[$1] }
        starts = order.map { table.values[$0] }
        sizes = order.map { table.sizes[$0] }
        nameOffsets = order.map { table.nameOffsets[$0] }
    }

    /// The symbol address a file offset is loaded at, from the segment that maps it.
    public func address(forFileOffset offset: UInt64) -> UInt64? {
        guard let segment = segments.first(where: { offset >= $0.offset && offset - $0.offset < $0.size }) else { return nil }
        let (address, overflow) = segment.vaddr.addingReportingOverflow(offset - segment.offset)
        return overflow ? nil : address
    }

    /// `name+0xoffset` for a symbol address inside a function; nil when no function holds it or
    /// its name cannot be read.
    public func symbolize(address: UInt64) -> String? {
        guard let index = SortedSearch.lastIndex(in: starts, notAbove: address) else { return nil }
        let offset = address - starts[index]
        guard offset < max(sizes[index], 1), let raw = name(at: nameOffsets[index]) else { return nil }
        let name = SwiftDemangle.name(raw)
        return offset == 0 ? name : "\(name)+0x\(String(offset, radix: 16))"
    }

    /// The NUL-terminated name at a file offset, cut at `maxNameBytes` and at the end of the
    /// file; nil when the file no longer reaches it (truncated since it was read).
    private func name(at offset: UInt64) -> String? {
        guard let bytes = file.readPrefix(at: offset, count: Self.maxNameBytes), !bytes.isEmpty else { return nil }
        return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
}

/// The parts of an ELF64 little-endian file that symbols need, each read once, checked, and
/// bounded: the file header, the program headers, the section headers.
struct ELFHeader {
    static let symtab: UInt32 = 2, dynsym: UInt32 = 11

    /// Every defined function symbol of the tables of one type, in file order.
    struct SymbolTable {
        var values: [UInt64] = [], sizes: [UInt64] = [], nameOffsets: [UInt64] = []
    }

    private let file: PinnedFile
    private let header: [UInt8]
    /// The section header table, `sectionCount` entries of `sectionEntrySize` bytes.
    private let sections: [UInt8]
    private let sectionCount: Int, sectionEntrySize: Int

    init(_ file: PinnedFile) throws {
        self.file = file
        guard file.size >= 64 else { throw ELFError(file.path, "not an ELF file (\(file.size) bytes)") }
        header = try file.read(at: 0, count: 64, "the ELF header")
        guard header.prefix(4).elementsEqual([0x7f, 0x45, 0x4c, 0x46]) else { throw ELFError(file.path, "not an ELF file") }
        guard header[4] == 2, header[5] == 1 else { throw ELFError(file.path, "not a 64-bit little-endian ELF file") }
        sectionCount = Int(header.u16(0x3C))
        sectionEntrySize = Int(header.u16(0x3A))
        sections = try Self.table(file, offset: header.u64(0x28), count: sectionCount, entrySize: sectionEntrySize,
                                  minimumEntry: 64, names: ("e_shoff", "e_shnum", "e_shentsize"))
    }

    /// A header table, checked: entries at least `minimumEntry` bytes, inside the file, and at
    /// most `maxHeaderTableBytes` in all.
    private static func table(_ file: PinnedFile, offset: UInt64, count: Int, entrySize: Int, minimumEntry: Int,
                              names: (offset: String, count: String, size: String)) throws -> [UInt8] {
        guard count > 0 else { return [] }
        guard entrySize >= minimumEntry else {
            throw ELFError(file.path, "\(names.size) \(entrySize) is below the \(minimumEntry) bytes of an ELF64 header")
        }
        let bytes = count * entrySize // both at most 65,535: cannot overflow
        guard bytes <= ELFSymbols.maxHeaderTableBytes else {
            throw ELFError(file.path, "\(names.count) \(count) × \(names.size) \(entrySize) exceeds \(ELFSymbols.maxHeaderTableBytes) bytes")
        }
        return try file.read(at: offset, count: bytes, "\(names.offset) 0x\(String(offset, radix: 16)): \(count) headers")
    }

    func loadSegments() throws -> [ELFSymbols.Segment] {
        let count = Int(header.u16(0x38)), size = Int(header.u16(0x36))
        let table = try Self.table(file, offset: header.u64(0x20), count: count, entrySize: size,
                                   minimumEntry: 56, names: ("e_phoff", "e_phnum", "e_phentsize"))
        return (0..<count).compactMap { i in
            let at = i * size
            guard table.u32(at) == 1 else { return nil } // PT_LOAD
            return ELFSymbols.Segment(offset: table.u64(at + 8), vaddr: table.u64(at + 0x10), size: table.u64(at + 0x20))
        }
    }

    /// One section header field.
    private func section(_ index: Int, _ field: Int, _ width: Int) -> UInt64 {
        let at = index * sectionEntrySize + field
        return width == 4 ? UInt64(sections.u32(at)) : sections.u64(at)
    }

    /// Every defined function symbol in the sections of one type; at most `maxSymbols` entries
    /// are read, or the table is refused.
    func functionSymbols(sectionType: UInt32) throws -> SymbolTable {
        var result = SymbolTable()
        var entriesRead = 0
        for index in 0..<sectionCount where section(index, 4, 4) == UInt64(sectionType) {
            let what = "section \(index)"
            let offset = section(index, 0x18, 8), size = section(index, 0x20, 8), entrySize = section(index, 0x38, 8)
            guard entrySize >= 24, entrySize <= 4096 else {
                throw ELFError(file.path, "\(what): sh_entsize \(entrySize) is not a symbol entry size (24)")
            }
            guard file.contains(offset: offset, count: size) else {
                throw ELFError(file.path, "\(what): sh_offset 0x\(String(offset, radix: 16)) + sh_size \(size) lies past the end of the file (\(file.size) bytes)")
            }
            let entries = Int(size / entrySize)
            guard entries <= ELFSymbols.maxSymbols - entriesRead else {
                throw ELFError(file.path, "\(what): \(entries) symbols, over the limit of \(ELFSymbols.maxSymbols)")
            }
            entriesRead += entries
            let link = Int(section(index, 0x28, 4))
            guard link < sectionCount else { throw ELFError(file.path, "\(what): sh_link \(link) names no section") }
            let strings = (offset: section(link, 0x18, 8), size: section(link, 0x20, 8))
            guard file.contains(offset: strings.offset, count: strings.size) else {
                throw ELFError(file.path, "\(what): its string table (section \(link)) lies past the end of the file (\(file.size) bytes)")
            }
            try readFunctions(offset: offset, entries: entries, entrySize: Int(entrySize), strings: strings, into: &result)
        }
        return result
    }

    /// Reads symbol entries in bounded chunks, keeping defined functions whose name lies inside
    /// the string table.
    private func readFunctions(offset: UInt64, entries: Int, entrySize: Int, strings: (offset: UInt64, size: UInt64),
                               into result: inout SymbolTable) throws {
        var first = 0
        while first < entries {
            let count = min(ELFSymbols.readBufferBytes / entrySize, entries - first)
            let chunk = try file.read(at: offset + UInt64(first * entrySize), count: count * entrySize, "symbol table")
            for i in 0..<count {
                let at = i * entrySize
                let name = chunk.u32(at), value = chunk.u64(at + 8)
                // STT_FUNC, defined (st_shndx != 0), with a name inside the string table.
                guard chunk[at + 4] & 0xf == 2, value != 0, chunk.u16(at + 6) != 0, UInt64(name) < strings.size else { continue }
                result.values.append(value)
                result.sizes.append(chunk.u64(at + 16))
                result.nameOffsets.append(strings.offset + UInt64(name))
            }
            first += count
        }
    }
}

/// Little-endian fields of bytes read from a file; a field past the end reads as zero.
fileprivate extension Array where Element == UInt8 {
    func u16(_ at: Int) -> UInt16 {
        guard at >= 0, at + 2 <= count else { return 0 }
        return UInt16(self[at]) | UInt16(self[at + 1]) << 8
    }

    func u32(_ at: Int) -> UInt32 { UInt32(u16(at)) | UInt32(u16(at + 2)) << 16 }
    func u64(_ at: Int) -> UInt64 { UInt64(u32(at)) | UInt64(u32(at + 4)) << 32 }
}
