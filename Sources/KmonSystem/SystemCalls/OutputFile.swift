import Glibc

/// Every file Kmon writes goes through here, because Kmon runs as root on hosts where other
/// users own directories it may be pointed at. What it guarantees (docs/security.md):
/// - the last component of the path is never followed when it is a symbolic link: the write is
///   refused with an error naming the path (symlinks in the directories above are followed, as
///   `open(2)` does; point Kmon at a directory only you and root can write to);
/// - a stream (`open`) never truncates or appends to a regular file that has other hard links;
/// - a whole file (`replace`) is written to a new temporary file beside it (`O_EXCL`), flushed,
///   then renamed over the old one, so a reader sees the old file or the new one, never a torn
///   one, and a failed write leaves the old file as it was.
public enum OutputFile {
    /// Opens `path` for a stream of writes: created 0644 when missing, else truncated (or
    /// appended to). Close-on-exec.
    public static func open(_ path: String, appending: Bool = false) throws -> Int32 {
        let flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | (appending ? O_APPEND : 0)
        let fd = Glibc.open(path, flags, 0o644)
        guard fd >= 0 else { throw OutputFileError(path, errno: errno) }
        do {
            var info = stat()
            guard fstat(fd, &info) == 0 else { throw OutputFileError(path, errno: errno) }
            if info.st_mode & S_IFMT == S_IFREG {
                guard info.st_nlink <= 1 else { throw OutputFileError(path, reason: OutputFileError.hardLinked) }
                if !appending { try SystemCall.retrying("ftruncate") { ftruncate(fd, 0) } }
            }
            return fd
        } catch let error as SystemCallError {
            Glibc.close(fd)
            throw OutputFileError(path, errno: error.errno)
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    /// Replaces `path` with `bytes` at once (see the type's comment).
    public static func replace(_ path: String, with bytes: [UInt8], mode: mode_t = 0o644) throws {
        let directory = try OutputDirectory(existing: parent(of: path))
        defer { directory.close() }
        try directory.replace(lastComponent(of: path), with: bytes, mode: mode, shownAs: path)
    }

    public static func replace(_ path: String, with text: String, mode: mode_t = 0o644) throws {
        try replace(path, with: Array(text.utf8), mode: mode)
    }

    /// Throws what `replace(path)` would refuse now (no such directory, a symlink or a directory
    /// at the name), so a command can refuse before it runs rather than after.
    public static func check(_ path: String) throws {
        let directory = try OutputDirectory(existing: parent(of: path))
        defer { directory.close() }
        try directory.checkReplaceable(lastComponent(of: path), shownAs: path)
    }

    /// Writes all of `bytes`, retrying short writes and EINTR.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw OutputFileError(path, errno: n < 0 ? errno : EIO) }
            offset += n
        }
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func lastComponent(of path: String) -> String {
        path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
    }
}

/// A directory Kmon writes whole files into (the bench's `--out`), held open so that every file
/// lands in the directory that was checked even if its path is swapped meanwhile.
public final class OutputDirectory {
    public let path: String
    /// Whether `init(creating:)` made the directory itself (it was not there before).
    public private(set) var created = false
    private let fd: Int32

    /// Opens an existing directory; symlinks in `path` are followed.
    public init(existing path: String) throws {
        self.path = path
        fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw OutputFileError(path, errno: errno) }
    }

    /// Creates `path` and its missing parents (0755) and opens it; refuses a last component
    /// that is a symbolic link.
    public init(creating path: String) throws {
        self.path = path
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            created = mkdir(prefix, 0o755) == 0
            if !created && errno != EEXIST { throw OutputFileError(prefix, errno: errno) }
        }
        fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            // With O_DIRECTORY a symlink answers ENOTDIR; say what it is.
            let code = errno
            var info = stat()
            let isLink = code == ENOTDIR && lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK
            throw OutputFileError(path, errno: isLink ? ELOOP : code)
        }
    }

    deinit { close() }

    private var closed = false
    public func close() {
        if !closed { _ = Glibc.close(fd) }
        closed = true
    }

    /// Removes the file `name` from this directory.
    public func remove(_ name: String) throws {
        guard unlinkat(fd, name, 0) == 0 else { throw OutputFileError("\(path)/\(name)", errno: errno) }
    }

    /// Removes this directory when `init(creating:)` made it and it is still empty (a run
    /// that ended before writing anything).
    public func removeIfCreatedEmpty() {
        if created { rmdir(path) }
    }

    /// Throws when `replace(name)` would refuse what is there now: a symlink, a directory.
    public func checkReplaceable(_ name: String, shownAs shown: String? = nil) throws {
        var existing = stat()
        guard fstatat(fd, name, &existing, AT_SYMLINK_NOFOLLOW) == 0 else { return }
        switch existing.st_mode & S_IFMT {
        case S_IFLNK: throw OutputFileError(shown ?? "\(path)/\(name)", errno: ELOOP)
        case S_IFREG: break
        default: throw OutputFileError(shown ?? "\(path)/\(name)", reason: "exists and is not a regular file")
        }
    }

    /// Replaces the file `name` in this directory with `bytes`: a temporary file created with
    /// `O_EXCL`, written, flushed, then renamed over `name` (a rename replaces a symlink, never
    /// follows it; one there already is refused all the same, so the user hears of it).
    public func replace(_ name: String, with bytes: [UInt8], mode: mode_t = 0o644, shownAs shown: String? = nil) throws {
        let shown = shown ?? "\(path)/\(name)"
        try checkReplaceable(name, shownAs: shown)
        var temporary = ""
        var file: Int32 = -1
        for _ in 0..<100 where file < 0 {
            temporary = ".\(name).kmon-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
            file = openat(fd, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
            if file < 0 && errno != EEXIST { break }
        }
        guard file >= 0 else { throw OutputFileError(shown, errno: errno) }
        do {
            try bytes.withUnsafeBytes { try OutputFile.writeAll(file, $0, path: shown) }
            guard fsync(file) == 0 else { throw OutputFileError(shown, errno: errno) }
            guard Glibc.close(file) == 0 else { file = -1; throw OutputFileError(shown, errno: errno) }
            file = -1
            guard renameat(fd, temporary, fd, name) == 0 else { throw OutputFileError(shown, errno: errno) }
        } catch {
            if file >= 0 { Glibc.close(file) }
            unlinkat(fd, temporary, 0)
            throw error
        }
        _ = fsync(fd)
    }
}

/// A file Kmon would not or could not write: "PATH: REASON", one line.
public struct OutputFileError: Error, CustomStringConvertible, Sendable, Equatable {
    public let path: String
    public let errno: Int32
    public let reason: String

    static let hardLinked = "has other hard links; kmon does not write to a file it shares with another name (remove it or choose another path)"

    public init(_ path: String, errno: Int32) {
        self.path = path
        self.errno = errno
        reason = errno == ELOOP
            ? "is a symbolic link; kmon does not write through one (remove it or choose another path)"
            : String(cString: strerror(errno))
    }

    public init(_ path: String, reason: String) {
        self.path = path
        errno = 0
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}
