import Foundation

/// Function symbols of one ELF file, from .symtab (or .dynsym when stripped), plus its PT_LOAD
/// segments to turn a file offset into a symbol address. 64-bit little-endian only; no DWARF.
public struct ELFSymbols: Sendable {
    struct Segment: Sendable {
        var offset: UInt64, vaddr: UInt64, size: UInt64
    }

    private let starts: [UInt64]
    private let sizes: [UInt64]
    /// Offsets of the names in the file: decoded only for the symbols a stack hits, since a
    /// large binary has hundreds of thousands.
    private let nameOffsets: [Int]
    private let elf: ELFReader
    private let segments: [Segment]

    public var count: Int { starts.count }

    public init(path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        try self.init(data: data, path: path)
    }

    init(data: Data, path: String) throws {
        let elf = try ELFReader(data: data, path: path)
        self.elf = elf
        segments = elf.loadSegments()
        var symbols = elf.functionSymbols(sectionType: 2) // SHT_SYMTAB
        if symbols.isEmpty { symbols = elf.functionSymbols(sectionType: 11) } // SHT_DYNSYM
        symbols.sort { $0.value < $1.value }
        starts = symbols.map(\.value)
        sizes = symbols.map(\.size)
        nameOffsets = symbols.map(\.nameOffset)
    }

    /// The symbol address a file offset is loaded at, from the segment that maps it.
    public func address(forFileOffset offset: UInt64) -> UInt64? {
        segments.first { offset >= $0.offset && offset < $0.offset + $0.size }.map { offset - $0.offset + $0.vaddr }
    }

    /// `name+0xoffset` for a symbol address inside a function.
    public func symbolize(address: UInt64) -> String? {
        guard let index = SortedSearch.lastIndex(in: starts, notAbove: address) else { return nil }
        let offset = address - starts[index]
        guard offset < max(sizes[index], 1) else { return nil }
        let name = SwiftDemangle.name(elf.string(nameOffsets[index]))
        return offset == 0 ? name : "\(name)+0x\(String(offset, radix: 16))"
    }
}

/// Bounds-checked reads of an ELF64 image.
struct ELFReader {
    let data: Data
    let path: String

    init(data: Data, path: String) throws {
        self.data = data
        self.path = path
        guard data.count >= 64, data.prefix(4).elementsEqual([0x7f, 0x45, 0x4c, 0x46]) else {
            throw CollectorError.unavailable("\(path) is not an ELF file")
        }
        guard data[data.startIndex + 4] == 2, data[data.startIndex + 5] == 1 else {
            throw CollectorError.unavailable("\(path) is not a 64-bit little-endian ELF file")
        }
    }

    func u8(_ at: Int) -> UInt8 { at < data.count ? data[data.startIndex + at] : 0 }
    func u16(_ at: Int) -> UInt16 { UInt16(u8(at)) | UInt16(u8(at + 1)) << 8 }
    func u32(_ at: Int) -> UInt32 { UInt32(u16(at)) | UInt32(u16(at + 2)) << 16 }
    func u64(_ at: Int) -> UInt64 { UInt64(u32(at)) | UInt64(u32(at + 4)) << 32 }

    func string(_ at: Int) -> String {
        guard at >= 0, at < data.count else { return "" }
        let start = data.startIndex + at
        let end = data[start...].firstIndex(of: 0) ?? data.endIndex
        return String(decoding: data[start..<end], as: UTF8.self)
    }

    func loadSegments() -> [ELFSymbols.Segment] {
        let phoff = Int(u64(0x20)), size = Int(u16(0x36)), count = Int(u16(0x38))
        return (0..<count).compactMap { i in
            let at = phoff + i * size
            guard u32(at) == 1 else { return nil } // PT_LOAD
            return ELFSymbols.Segment(offset: u64(at + 8), vaddr: u64(at + 0x10), size: u64(at + 0x20))
        }
    }

    /// Every defined function symbol in the sections of one type.
    func functionSymbols(sectionType: UInt32) -> [(value: UInt64, size: UInt64, nameOffset: Int)] {
        let shoff = Int(u64(0x28)), size = Int(u16(0x3A)), count = Int(u16(0x3C))
        var result: [(UInt64, UInt64, Int)] = []
        for i in 0..<count {
            let at = shoff + i * size
            guard u32(at + 4) == sectionType else { continue }
            let offset = Int(u64(at + 0x18)), bytes = Int(u64(at + 0x20)), entry = max(Int(u64(at + 0x38)), 24)
            let strtab = shoff + Int(u32(at + 0x28)) * size
            let strings = Int(u64(strtab + 0x18))
            guard offset + bytes <= data.count else { continue }
            for s in stride(from: offset, to: offset + bytes, by: entry) {
                let info = u8(s + 4), value = u64(s + 8)
                guard info & 0xf == 2, value != 0, u16(s + 6) != 0 else { continue } // STT_FUNC, defined
                result.append((value, u64(s + 16), strings + Int(u32(s))))
            }
        }
        return result
    }
}
