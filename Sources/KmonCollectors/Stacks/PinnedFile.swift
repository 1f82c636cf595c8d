import Glibc

/// A regular file opened once and read only with bounded `pread`s, for bytes another user
/// controls (the binaries of watched processes). The descriptor pins the inode, so a path
/// renamed or replaced under us does not change what is read; a file truncated under us gives
/// a short read, which is an error here, where a mapping would raise SIGBUS.
final class PinnedFile: Sendable {
    /// The file's identity when opened: a changed file (new inode, size or mtime) is another key.
    struct Identity: Hashable, Sendable {
        var device: UInt64, inode: UInt64, size: UInt64, modified: Int64, modifiedNanoseconds: Int64
    }

    let path: String
    let identity: Identity
    var size: UInt64 { identity.size }
    private let fd: Int32

    /// Opens `path` for reading. With `followLink: false` a symlink as the last component is
    /// refused (O_NOFOLLOW); /proc/PID/map_files entries are kernel links and must be followed.
    /// O_NONBLOCK keeps a FIFO planted in the path from blocking the open.
    init(path: String, followLink: Bool) throws {
        self.path = path
        let flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (followLink ? 0 : O_NOFOLLOW)
        let fd = open(path, flags)
        guard fd >= 0 else { throw ELFError(path, "cannot open: \(String(cString: strerror(errno)))") }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw ELFError(path, "not a regular file")
        }
        self.fd = fd
        identity = Identity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino), size: UInt64(max(st.st_size, 0)),
                            modified: Int64(st.st_mtim.tv_sec), modifiedNanoseconds: Int64(st.st_mtim.tv_nsec))
    }

    deinit { close(fd) }

    /// Exactly `count` bytes at `offset`, which must lie inside the file as opened. `what` names
    /// the field the offset came from, for the error.
    func read(at offset: UInt64, count: Int, _ what: @autoclosure () -> String) throws -> [UInt8] {
        guard contains(offset: offset, count: UInt64(count)) else {
            throw ELFError(path, "\(what()) (\(count) bytes at 0x\(String(offset, radix: 16))) lies past the end of the file (\(size) bytes)")
        }
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset) + off_t(done)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw ELFError(path, "\(what()): the file was truncated while being read") }
            done += n
        }
        return bytes
    }

    /// Up to `count` bytes at `offset`, fewer at the end of the file; nil when unreadable.
    func readPrefix(at offset: UInt64, count: Int) -> [UInt8]? {
        guard offset < size else { return nil }
        return try? read(at: offset, count: Int(min(UInt64(count), size - offset)), "")
    }

    /// True when `count` bytes at `offset` lie inside the file, without overflowing.
    func contains(offset: UInt64, count: UInt64) -> Bool {
        let (end, overflow) = offset.addingReportingOverflow(count)
        return !overflow && end <= size
    }
}

/// Why an ELF file's symbols cannot be read: the file and the field, in one line.
struct ELFError: Error, CustomStringConvertible, Equatable, Sendable {
    let path: String
    let reason: String

    init(_ path: String, _ reason: String) {
        self.path = path
        self.reason = reason
    }

    var description: String { "\(path): \(reason)" }
}
