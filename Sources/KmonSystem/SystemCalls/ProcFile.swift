import Glibc

/// The one way Kmon reads /proc and /sys files. They report size 0 or 4096 whatever they hold,
/// so a reader that trusts the size (Foundation's `String(contentsOfFile:)`) stops after the
/// first page: /proc/net/tcp on a busy node is megabytes. This reads until end of file, with a
/// bound, so a file that keeps growing cannot take the monitor's memory with it.
public enum ProcFile {
    /// Larger than any /proc file Kmon reads on a real node (/proc/net/tcp with 100,000
    /// sockets is about 15 MiB; /proc/kallsyms about 20 MiB).
    public static let defaultLimit = 256 << 20

    /// The whole file as text (invalid UTF-8 repaired), or nil when it cannot be opened or read,
    /// or is longer than `limit` bytes.
    public static func read(_ path: String, limit: Int = defaultLimit) -> String? {
        guard let bytes = try? bytes(path, limit: limit) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The whole file, read until end of file. Throws when it cannot be opened or read, or is
    /// longer than `limit` bytes (never a silently cut copy).
    public static func bytes(_ path: String, limit: Int = defaultLimit) throws -> [UInt8] {
        let fd = try SystemCall.retrying("open(\(path))") { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        return try readAll(fd, path: path, limit: limit)
    }

    /// A regular file that others may have written (a container runtime's state): a symlink as
    /// the last component, a FIFO or a device is refused rather than followed or waited on.
    public static func regularFile(_ path: String, limit: Int) throws -> [UInt8] {
        let fd = try SystemCall.retrying("open(\(path))") { open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK) }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            throw SystemCallError("open(\(path))", reason: "not a regular file")
        }
        return try readAll(fd, path: path, limit: limit)
    }

    private static func readAll(_ fd: Int32, path: String, limit: Int) throws -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = try chunk.withUnsafeMutableBytes { buffer in
                try SystemCall.retrying("read(\(path))") { Glibc.read(fd, buffer.baseAddress, buffer.count) }
            }
            if count == 0 { return result }
            guard result.count + count <= limit else {
                throw SystemCallError("read(\(path))", reason: "longer than \(limit) bytes")
            }
            result.append(contentsOf: chunk[..<count])
        }
    }
}
