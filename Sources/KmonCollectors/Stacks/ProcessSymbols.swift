import Foundation
import KmonSystem

/// Names user-space addresses of one process: /proc/<pid>/maps says which file is mapped where,
/// and the file's ELF symbol table names the function. Read while the process lives; a frame in
/// anonymous memory (JIT code) or a stripped file stays a raw address.
public final class ProcessSymbols {
    struct Mapping {
        var start: UInt64, end: UInt64, offset: UInt64, path: String
    }

    private let mappings: [Mapping]
    private let files: ELFFileCache

    public init(pid: Int32, files: ELFFileCache = ELFFileCache()) {
        self.files = files
        let text = ProcFile.read("/proc/\(pid)/maps") ?? ""
        mappings = Self.parse(maps: text, root: "/proc/\(pid)/root")
    }

    /// Lines like `7f..-7f.. r-xp 00001000 fd:00 1234  /usr/lib/libc.so.6`; executable file maps only.
    static func parse(maps text: String, root: String) -> [Mapping] {
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
    public func symbolize(_ address: UInt64) -> String? {
        guard let map = mappings.first(where: { address >= $0.start && address < $0.end }) else { return nil }
        let fileOffset = address - map.start + map.offset
        let file = (map.path as NSString).lastPathComponent
        if let symbols = files.symbols(for: map.path),
           let vaddr = symbols.address(forFileOffset: fileOffset),
           let name = symbols.symbolize(address: vaddr) {
            return "\(name) (\(file))"
        }
        return "[\(file)+0x\(String(fileOffset, radix: 16))]"
    }
}

/// Parsed ELF symbol tables by path, shared across processes (most map the same libc).
public final class ELFFileCache: @unchecked Sendable {
    private var cache: [String: ELFSymbols?] = [:]
    private let lock = NSLock()

    public init() {}

    func symbols(for path: String) -> ELFSymbols? {
        lock.withLock {
            if let hit = cache[path] { return hit }
            let parsed = try? ELFSymbols(path: path)
            cache[path] = parsed
            return parsed
        }
    }
}
