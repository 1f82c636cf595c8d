import Foundation
import Glibc
@testable import KmonCollectors
import KmonTestSupport
import Testing

/// Which file a frame is read from: the process's own view (its map_files links, its root), never
/// the host's path, never through a planted symlink.
@Suite("process symbols read from the process's own files")
struct ProcessSymbolsTests {
    static let path = "/opt/kmon-only-in-this-root/app"
    static let maps = "00400000-00401000 r-xp 00000000 00:00 0 \(path)\n"
    static let address = CraftedELF.baseAddress + CraftedELF.codeOffset + 4

    /// A stand-in for /proc/PID: `root/` holding `path`, removed at the end.
    static func withProcDirectory(_ body: (String) throws -> Void) throws {
        let directory = try ELFSymbolsTests.write([]).directory
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/root" + (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try body(directory)
    }

    /// Writes `elf` at `relative` under the stand-in /proc/PID: by default the mapped path in its root.
    static func write(_ elf: CraftedELF, in proc: String, at relative: String = "/root" + path) throws {
        try Data(elf.bytes()).write(to: URL(fileURLWithPath: proc + relative))
    }

    /// A file whose section headers would lie past its end, which the reader refuses.
    static var malformed: CraftedELF {
        var elf = CraftedELF()
        elf.shoff = .max
        return elf
    }

    static func frame(_ procDirectory: String) -> ProcessSymbols.Frame? {
        ProcessSymbols(maps: maps, procDirectory: procDirectory, files: ELFFileCache()).frame(address)
    }

    @Test("a mapped file is read under the process's root (its mount namespace), not at the host's path")
    func honoursRoot() throws {
        try Self.withProcDirectory { proc in
            try Self.write(CraftedELF(), in: proc)
            #expect(Self.frame(proc) == .init(text: "\(CraftedELF.functionName)+0x4 (app)", refused: nil))
        }
    }

    @Test("the kernel's map_files link is preferred to the path, which may have been replaced since")
    func prefersMapFiles() throws {
        try Self.withProcDirectory { proc in
            try Self.write(Self.malformed, in: proc)
            try FileManager.default.createDirectory(atPath: proc + "/map_files", withIntermediateDirectories: true)
            try Self.write(CraftedELF(), in: proc, at: "/map_files/400000-401000")
            #expect(Self.frame(proc)?.text == "\(CraftedELF.functionName)+0x4 (app)")
        }
    }

    @Test("a crafted file leaves the frame unnamed, with the file and the reason")
    func craftedFileIsSkipped() throws {
        try Self.withProcDirectory { proc in
            try Self.write(Self.malformed, in: proc)
            let frame = try #require(Self.frame(proc))
            #expect(frame.text == "[app+0x7c]")
            #expect(frame.refused?.path == Self.path)
            #expect(frame.refused?.reason.contains("e_shoff 0xffffffffffffffff") == true, "\(frame)")
        }
    }

    @Test("a symlink planted at the mapped path is not followed")
    func plantedSymlink() throws {
        try Self.withProcDirectory { proc in
            let target = proc + "/elsewhere"
            try Self.write(CraftedELF(), in: proc, at: "/elsewhere")
            #expect(symlink(target, proc + "/root" + Self.path) == 0)
            let frame = try #require(Self.frame(proc))
            #expect(frame.text == "[app+0x7c]")
            #expect(frame.refused?.reason.contains("Too many levels of symbolic links") == true, "\(frame)")
        }
    }

    @Test("refused files are listed once each, at most 16, and every skipped frame is counted")
    func reportBounds() {
        var report = SymbolizationReport()
        for i in 0..<40 { report.skip(.init(path: "/f\(i % 20)", reason: "r")) }
        #expect(report.skippedFrames == 40)
        #expect(report.refusedFiles.count == SymbolizationReport.maxFilesListed)
        #expect(Set(report.refusedFiles).count == report.refusedFiles.count)
    }
}
