import Foundation
import KmonSystem

/// Names user-space addresses of one process: /proc/<pid>/maps says which file is mapped where,
/// and the file's ELF symbol table names the function. Read while the process lives; a frame in
/// anonymous memory (JIT code) or a stripped file stays a raw address, and one in a file refused
/// as ELF stays `[file+0xoffset]` and says why.
public final class ProcessSymbols {
    struct Mapping {
        var start: UInt64, end: UInt64, offset: UInt64
        /// The path as the process sees it, in its own mount namespace: shown in frames.
        var path: String
    }

    /// One user frame: its text, and why its file was refused as ELF when it was.
    public struct Frame: Equatable, Sendable {
        public var text: String
        /// The mapped file's path and the reason it was refused; nil when it was read.
        public var refused: SymbolizationReport.RefusedFile?
    }

    private let mappings: [Mapping]
    private let procDirectory: String
    private let files: ELFFileCache
    /// Each mapping's file, read once, by mapping index.
    private var resolved: [Int: Result<ELFSymbols, ELFError>] = [:]

    public convenience init(pid: Int32, files: ELFFileCache = ELFFileCache()) {
        let directory = "/proc/\(pid)"
        self.init(maps: ProcFile.read(directory + "/maps") ?? "", procDirectory: directory, files: files)
    }

    /// `procDirectory` is the process's /proc/PID (a stand-in in tests): its `map_files/` and
    /// `root/` are where the mapped files are opened.
    init(maps: String, procDirectory: String, files: ELFFileCache) {
        mappings = Self.parse(maps: maps)
        self.procDirectory = procDirectory
        self.files = files
    }

    /// Lines like `7f..-7f.. r-xp 00001000 fd:00 1234  /usr/lib/libc.so.6`; executable file maps only.
    static func parse(maps text: String) -> [Mapping] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count == 6, fields[1].contains("x") else { return nil }
            let path = fields[5].trimmingCharacters(in: .whitespaces)
            guard path.hasPrefix("/") else { return nil }
            let range = fields[0].split(separator: "-")
            guard range.count == 2, let start = UInt64(range[0], radix: 16), let end = UInt64(range[1], radix: 16),
                  let offset = UInt64(fields[2], radix: 16) else { return nil }
            return Mapping(start: start, end: end, offset: offset, path: path)
        }
    }

    /// `function+0xoff (file)`, `[file+0xoffset]` when the file has no symbol for it, or nil
    /// when no file maps the address.
    public func symbolize(_ address: UInt64) -> String? { frame(address)?.text }

    /// The frame at `address`, or nil when no file maps it.
    public func frame(_ address: UInt64) -> Frame? {
        guard let index = mappings.firstIndex(where: { address >= $0.start && address < $0.end }) else { return nil }
        let map = mappings[index]
        let (fileOffset, overflow) = (address - map.start).addingReportingOverflow(map.offset)
        guard !overflow else { return nil }
        let file = (map.path as NSString).lastPathComponent
        let unnamed = "[\(file)+0x\(String(fileOffset, radix: 16))]"
        switch symbols(index) {
        case .failure(let error):
            return Frame(text: unnamed, refused: .init(path: map.path, reason: error.reason))
        case .success(let symbols):
            guard let vaddr = symbols.address(forFileOffset: fileOffset), let name = symbols.symbolize(address: vaddr) else {
                return Frame(text: unnamed, refused: nil)
            }
            return Frame(text: "\(name) (\(file))", refused: nil)
        }
    }

    /// The symbols of a mapping's file, opened through the kernel's link to the very inode mapped
    /// (/proc/PID/map_files, for root), so a path renamed or replaced since cannot redirect the
    /// read; failing that, through the path under the process's root (/proc/PID/root), which is
    /// its own mount namespace (a container's binaries, not the host's), never via a final symlink.
    private func symbols(_ index: Int) -> Result<ELFSymbols, ELFError> {
        if let known = resolved[index] { return known }
        let map = mappings[index]
        let linked = "\(procDirectory)/map_files/\(String(map.start, radix: 16))-\(String(map.end, radix: 16))"
        let result: Result<ELFSymbols, ELFError>
        do {
            let file = try (try? PinnedFile(path: linked, followLink: true)) ?? PinnedFile(path: procDirectory + "/root" + map.path, followLink: false)
            result = files.symbols(for: file)
        } catch let error as ELFError {
            result = .failure(error)
        } catch {
            result = .failure(ELFError(map.path, "\(error)"))
        }
        resolved[index] = result
        return result
    }
}

/// Parsed ELF symbol tables by file identity (device, inode, size, mtime): shared across processes
/// (most map the same libc) and across containers, and a file changed in place is read again.
/// Bounded: at most `maxFiles` files (each holding one descriptor) and `maxSymbols` symbols in
/// all (about 96 MiB); the oldest entries go first.
public final class ELFFileCache: @unchecked Sendable {
    public static let maxFiles = 64
    public static let maxSymbols = 1 << 22
    private var cache: [PinnedFile.Identity: Result<ELFSymbols, ELFError>] = [:]
    private var order: [PinnedFile.Identity] = []
    private var symbolCount = 0
    private let lock = NSLock()

    public init() {}

    func symbols(for file: PinnedFile) -> Result<ELFSymbols, ELFError> {
        if let hit = lock.withLock({ cache[file.identity] }) { return hit }
        let parsed: Result<ELFSymbols, ELFError>
        do { parsed = .success(try ELFSymbols(file: file)) } catch let error as ELFError {
            parsed = .failure(error)
        } catch {
            parsed = .failure(ELFError(file.path, "\(error)"))
        }
        let symbols = (try? parsed.get())?.count ?? 0
        lock.withLock {
            while !order.isEmpty, cache.count >= Self.maxFiles || symbolCount + symbols > Self.maxSymbols {
                let oldest = order.removeFirst()
                symbolCount -= (try? cache.removeValue(forKey: oldest)?.get())?.count ?? 0
            }
            if cache.updateValue(parsed, forKey: file.identity) == nil { order.append(file.identity) }
            symbolCount += symbols
        }
        return parsed
    }
}
