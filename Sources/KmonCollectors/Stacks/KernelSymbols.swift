import Foundation
import KmonSystem

/// Kernel text symbols from /proc/kallsyms, for naming kernel stack frames. Addresses read as
/// zero without root (kptr_restrict); frames then stay as raw addresses.
public final class KernelSymbols: @unchecked Sendable {
    private let starts: [UInt64]
    private let names: [String]

    /// Parses kallsyms lines (`address type name [module]`), keeping text symbols. Works on
    /// bytes: the file has over 100k lines and is read at every collector start.
    public init(kallsyms text: String) {
        var symbols: [(UInt64, String)] = []
        symbols.reserveCapacity(150_000)
        var text = text
        text.withUTF8 { bytes in
            var lineStart = 0
            while lineStart < bytes.count {
                var end = lineStart
                while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
                if let symbol = Self.parse(UnsafeBufferPointer(rebasing: bytes[lineStart..<end])) { symbols.append(symbol) }
                lineStart = end + 1
            }
        }
        symbols.sort { $0.0 < $1.0 }
        starts = symbols.map(\.0)
        names = symbols.map(\.1)
    }

    private static func parse(_ line: UnsafeBufferPointer<UInt8>) -> (UInt64, String)? {
        var address: UInt64 = 0, i = 0
        while i < line.count, line[i] != UInt8(ascii: " ") {
            let c = line[i]
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            default: return nil
            }
            address = address << 4 | UInt64(digit)
            i += 1
        }
        guard address != 0, i + 3 < line.count else { return nil }
        switch line[i + 1] {
        case UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "w"), UInt8(ascii: "W"): break
        default: return nil
        }
        let nameStart = i + 3
        var nameEnd = nameStart
        while nameEnd < line.count, line[nameEnd] != UInt8(ascii: "\t"), line[nameEnd] != UInt8(ascii: " ") { nameEnd += 1 }
        return (address, String(decoding: UnsafeBufferPointer(rebasing: line[nameStart..<nameEnd]), as: UTF8.self))
    }

    public static func load() -> KernelSymbols {
        KernelSymbols(kallsyms: ProcFile.read("/proc/kallsyms") ?? "")
    }

    public var isEmpty: Bool { starts.isEmpty }

    /// `name+0xoffset` for an address, or nil when it lies before every symbol.
    public func symbolize(_ address: UInt64) -> String? {
        guard let index = SortedSearch.lastIndex(in: starts, notAbove: address) else { return nil }
        let offset = address - starts[index]
        return offset == 0 ? names[index] : "\(names[index])+0x\(String(offset, radix: 16))"
    }
}

enum SortedSearch {
    /// Index of the last element ≤ value in an ascending array.
    static func lastIndex(in sorted: [UInt64], notAbove value: UInt64) -> Int? {
        var low = 0, high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid] <= value { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? nil : low - 1
    }
}
