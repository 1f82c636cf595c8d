import CZlib
import Glibc

/// The running kernel's build configuration, from /proc/config.gz when the kernel exposes it.
/// Read with zlib in process: running `zcat` would run whichever one PATH finds first, as root.
struct KernelConfig {
    static let path = "/proc/config.gz"
    /// Real configurations are 100–300 KB; more than this is not one.
    static let maximumBytes = 8 << 20

    let text: String

    static func current() -> KernelConfig? { read(path) }

    /// The decompressed text of a gzip file, or nil when it cannot be read, is not gzip, or is
    /// larger than `maximumBytes`.
    static func read(_ path: String) -> KernelConfig? {
        guard let file = gzopen(path, "rb") else { return nil }
        defer { gzclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while bytes.count <= maximumBytes {
            let n = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            guard n >= 0 else { return nil }
            if n == 0 { break }
            bytes += chunk[0..<Int(n)]
        }
        guard !bytes.isEmpty, bytes.count <= maximumBytes else { return nil }
        return KernelConfig(text: String(decoding: bytes, as: UTF8.self))
    }

    /// True when the option is absent or explicitly not set.
    func isDisabled(_ option: String) -> Bool {
        !text.split(separator: "\n").contains { $0 == "\(option)=y" || $0 == "\(option)=m" }
    }
}
