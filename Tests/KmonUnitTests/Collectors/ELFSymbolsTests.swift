import Foundation
import Glibc
@testable import KmonCollectors
import KmonTestSupport
import Testing

/// The ELF symbol reader on files a hostile user crafted: each case crashed the reader (a trap on
/// `Int(UInt64)` or on overflowing arithmetic, SIGBUS on a truncated mapping) or named a frame
/// wrongly before it was hardened. Now the file is refused with the field named, or the bad
/// symbol is dropped, and nothing traps.
@Suite("ELF symbols from crafted files")
struct ELFSymbolsTests {
    static let function = CraftedELF.baseAddress + CraftedELF.codeOffset

    /// Writes the bytes to a fresh file in a fresh directory; the caller removes the directory.
    static func write(_ bytes: [UInt8], name: String = "crafted") throws -> (directory: String, path: String) {
        let directory = try makeTemporaryDirectory("kmon-elf", in: "/tmp/")
        let path = directory + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (directory, path)
    }

    static func parse(_ elf: CraftedELF) throws -> ELFSymbols {
        let file = try write(elf.bytes())
        defer { try? FileManager.default.removeItem(atPath: file.directory) }
        return try ELFSymbols(path: file.path)
    }

    static func refusal(_ elf: CraftedELF) -> String? {
        do {
            _ = try parse(elf)
            return nil
        } catch {
            return "\(error)"
        }
    }

    static func refusal(path: String) -> String? {
        do {
            _ = try ELFSymbols(path: path)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test("the well-formed file names its function, and a file offset maps to its address")
    func wellFormed() throws {
        let symbols = try Self.parse(CraftedELF())
        #expect(symbols.count == 1)
        #expect(symbols.symbolize(address: Self.function + 0x10) == "\(CraftedELF.functionName)+0x10")
        #expect(symbols.address(forFileOffset: CraftedELF.codeOffset) == Self.function)
    }

    @Test("e_shoff 2^64-1 (the SIGILL the issue reproduced) and near Int.max are refused, naming e_shoff",
          arguments: [UInt64.max, UInt64(Int.max) - 2])
    func hugeSectionHeaderOffset(shoff: UInt64) {
        var elf = CraftedELF()
        elf.shoff = shoff
        let reason = Self.refusal(elf)
        #expect(reason?.contains("e_shoff 0x\(String(shoff, radix: 16))") == true, "\(reason ?? "accepted")")
        #expect(reason?.contains("past the end of the file") == true)
    }

    @Test("e_shnum 65535 × e_shentsize 65535 is refused without walking 65,535 headers")
    func hugeSectionCount() {
        var elf = CraftedELF()
        // Before: shoff + i × 65535 overflowed Int partway through the loop.
        elf.shoff = UInt64(Int.max) - 65_535 * 65_000
        elf.shnum = .max
        elf.shentsize = .max
        let reason = Self.refusal(elf)
        #expect(reason?.contains("e_shnum 65535 × e_shentsize 65535 exceeds") == true, "\(reason ?? "accepted")")
    }

    @Test("a symbol table whose offset lies past the end of the file is refused",
          arguments: [UInt64(Int.max) - 16, UInt64.max, 1 << 20])
    func symtabPastEnd(offset: UInt64) {
        var elf = CraftedELF()
        elf.symtabOffset = offset
        let reason = Self.refusal(elf)
        #expect(reason?.contains("section 1: sh_offset 0x\(String(offset, radix: 16))") == true, "\(reason ?? "accepted")")
    }

    @Test("a symbol table whose size reaches past the end of the file is refused")
    func symtabSizePastEnd() {
        var elf = CraftedELF()
        elf.symtabSize = UInt64.max - 8
        #expect(Self.refusal(elf)?.contains("sh_size \(UInt64.max - 8) lies past the end") == true)
    }

    @Test("sh_entsize that is no symbol entry size is refused (0 was read as 24 before; 2^64-1 trapped)",
          arguments: [UInt64(0), 23, UInt64.max])
    func badEntrySize(entrySize: UInt64) {
        var elf = CraftedELF()
        elf.symtabEntrySize = entrySize
        #expect(Self.refusal(elf)?.contains("sh_entsize \(entrySize) is not a symbol entry size") == true)
    }

    @Test("sh_link naming no section is refused")
    func badLink() {
        var elf = CraftedELF()
        elf.symtabLink = .max
        #expect(Self.refusal(elf)?.contains("sh_link \(UInt32.max) names no section") == true)
    }

    @Test("a symbol whose name lies past its string table is dropped, not named from other bytes",
          arguments: [UInt32(20), 0xFFFF_FFF0])
    func namePastStringTable(nameOffset: UInt32) throws {
        var elf = CraftedELF()
        elf.nameOffset = nameOffset
        let symbols = try Self.parse(elf)
        #expect(symbols.count == 0)
        #expect(symbols.symbolize(address: Self.function + 0x10) == nil)
    }

    @Test("more symbol entries than the limit are refused before any is read")
    func tooManySymbols() throws {
        var elf = CraftedELF()
        let entries = UInt64(ELFSymbols.maxSymbols + 1)
        elf.symtabSize = entries * 24
        let file = try Self.write(elf.bytes())
        defer { try? FileManager.default.removeItem(atPath: file.directory) }
        // A sparse file long enough for the table, so only the limit can refuse it.
        #expect(truncate(file.path, off_t(elf.realSymtabOffset + entries * 24)) == 0)
        let reason = Self.refusal(path: file.path)
        #expect(reason?.contains("\(entries) symbols, over the limit of \(ELFSymbols.maxSymbols)") == true, "\(reason ?? "accepted")")
    }

    @Test("a file truncated after it was read gives an unnamed frame, not SIGBUS")
    func truncatedAfterReading() throws {
        var elf = CraftedELF()
        elf.padding = 3 * 4096 // the names lie on the fourth page
        let file = try Self.write(elf.bytes())
        defer { try? FileManager.default.removeItem(atPath: file.directory) }
        let symbols = try ELFSymbols(path: file.path)
        #expect(truncate(file.path, 4096) == 0)
        // A mapping would fault reading the name on a page past the new end of the file.
        #expect(symbols.symbolize(address: Self.function + 1) == nil)
    }

    @Test("a file truncated between open and read is refused as truncated")
    func truncatedWhileReading() throws {
        let file = try Self.write(CraftedELF().bytes())
        defer { try? FileManager.default.removeItem(atPath: file.directory) }
        let pinned = try PinnedFile(path: file.path, followLink: false)
        #expect(truncate(file.path, 100) == 0)
        do {
            _ = try ELFSymbols(file: pinned)
            Issue.record("a truncated file was read")
        } catch {
            #expect("\(error)".contains("the file was truncated while being read"), "\(error)")
        }
    }

    @Test("a short file, a non-ELF file, a symlink and a FIFO are refused without blocking")
    func notELF() throws {
        let file = try Self.write(Array("#!/bin/sh\necho hello, this is not an ELF file at all, but long enough\n".utf8))
        defer { try? FileManager.default.removeItem(atPath: file.directory) }
        #expect(throws: ELFError(file.path, "not an ELF file")) { try ELFSymbols(path: file.path) }
        let short = file.directory + "/short"
        try Data([0x7F, 0x45]).write(to: URL(fileURLWithPath: short))
        #expect(throws: ELFError(short, "not an ELF file (2 bytes)")) { try ELFSymbols(path: short) }
        let link = file.directory + "/link"
        #expect(symlink(file.path, link) == 0)
        #expect(Self.refusal(path: link)?.contains("cannot open: Too many levels of symbolic links") == true)
        let fifo = file.directory + "/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(throws: ELFError(fifo, "not a regular file")) { try ELFSymbols(path: fifo) }
    }

    @Test("a segment whose p_vaddr + offset would overflow maps no address instead of trapping")
    func segmentOverflow() throws {
        var elf = CraftedELF()
        elf.loadVaddr = UInt64.max - 4
        elf.loadSize = UInt64.max
        let symbols = try Self.parse(elf)
        #expect(symbols.address(forFileOffset: 0x10) == nil)
        #expect(symbols.address(forFileOffset: 4) == UInt64.max)
    }
}
